from . import test_seed_parcel_workflow
from . import test_citizen
