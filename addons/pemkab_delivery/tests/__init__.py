from . import test_shelter
