from . import pemkab_health_reason_wizard
