from .geo import EARTH_RADIUS_KM, haversine_km  # noqa: F401
from .phone import normalize_phone, PhoneNumberError  # noqa: F401
