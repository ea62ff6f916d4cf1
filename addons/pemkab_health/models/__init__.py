from . import res_partner
from . import pemkab_health_approval_rule
from . import pemkab_health_delivery
from . import pemkab_health_delivery_approval
from . import pemkab_health_delivery_barcode
from . import pemkab_health_delivery_demo
from . import pemkab_health_delivery_line
from . import res_users
