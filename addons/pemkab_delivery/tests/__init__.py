from . import test_shelter
from . import test_booking
from . import test_webhook
from . import test_trust
from . import test_webhook_hostile
from . import test_properties
from . import test_retention
from . import test_outbox
