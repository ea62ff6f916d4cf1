from .geo import EARTH_RADIUS_KM, haversine_km  # noqa: F401
from .bulk import insert_rows  # noqa: F401
