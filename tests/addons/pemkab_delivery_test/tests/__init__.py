from . import test_seed_parcel_workflow
