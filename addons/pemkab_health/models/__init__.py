from . import res_partner
from . import pemkab_agency
from . import pemkab_health_approval_rule
from . import pemkab_health_delivery
from . import pemkab_health_delivery_line
from . import res_users
