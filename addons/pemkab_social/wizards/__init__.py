from . import pemkab_social_generate_wizard
