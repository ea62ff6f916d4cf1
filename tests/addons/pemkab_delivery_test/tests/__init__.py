from . import test_seed_parcel_workflow
from . import test_citizen
from . import test_citizen_page
from . import test_papers
from . import test_reads
from . import test_form
from . import test_night_wait
from . import test_citizen_sms
