from . import pemkab_delivery_reason_wizard
from . import pemkab_citizen_data_request
from . import pemkab_delivery_courier_order_wizard
from . import pemkab_fleet_assign_wizard
from . import pemkab_fleet_proof_wizard
from . import pemkab_fleet_proof_wizard_line
