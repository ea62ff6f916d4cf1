from . import pemkab_test_seed_parcel
