from . import test_patient
from . import test_approval_rule
from . import test_workflow
from . import test_access
from . import test_citizen
