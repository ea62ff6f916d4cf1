from . import test_registry
from . import test_shipment_workflow
from . import test_access
from . import test_period_bulk
from . import test_trust
from . import test_need_to_know
from . import test_properties
