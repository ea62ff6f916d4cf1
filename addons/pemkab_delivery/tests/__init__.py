from . import test_shelter
from . import test_booking
from . import test_webhook
from . import test_partner_location
