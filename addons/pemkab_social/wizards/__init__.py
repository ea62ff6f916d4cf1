from . import pemkab_social_generate_wizard
from . import pemkab_social_reason_wizard
