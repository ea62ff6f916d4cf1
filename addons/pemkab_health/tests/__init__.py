from . import test_patient
from . import test_approval_rule
from . import test_workflow
from . import test_access
from . import test_trust
from . import test_need_to_know
from . import test_properties
from . import test_data_request
