from . import pemkab_delivery_reason_wizard
from . import pemkab_delivery_courier_order_wizard
