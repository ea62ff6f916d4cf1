from . import pemkab_address_mixin
from . import pemkab_area
from . import pemkab_agency
from . import pemkab_shelter_opening
from . import pemkab_shelter
from . import res_partner
from . import res_users
