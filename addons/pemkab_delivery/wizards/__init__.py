from . import pemkab_delivery_reason_wizard
