from . import pemkab_paper_mixin
from . import pemkab_delivery_service_report
from . import pemkab_delivery_service_report_paper
from . import pemkab_delivery_handover_report
from . import pemkab_delivery_proof_report
from . import pemkab_fleet_run_report
