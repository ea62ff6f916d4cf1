from .geo import EARTH_RADIUS_KM, haversine_km  # noqa: F401
