from . import pemkab_delivery_service_report
from . import pemkab_delivery_handover_report
