from . import pemkab_delivery_reason_wizard
from . import pemkab_citizen_data_request
from . import pemkab_delivery_courier_order_wizard
from . import pemkab_delivery_driver_wizard
