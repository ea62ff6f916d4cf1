from . import pemkab_test_seed_parcel
from . import pemkab_test_bare_row
