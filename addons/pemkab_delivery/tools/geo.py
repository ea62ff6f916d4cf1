# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Great-circle distances, with no Odoo import (the courier sandbox uses it too)."""

import math
import re
from urllib.parse import unquote

#: Mean Earth radius (IUGG), in km.
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lng1, lat2, lng2):
    """Great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


#: The centre of the regency (Banyuwangi town) and how far from it the regency reaches.
BANYUWANGI_CENTRE = (-8.2192, 114.3691)
BANYUWANGI_RADIUS_KM = 90.0

_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
# most precise first: Google's place data (!3d lat !4d lng), then explicit query parameters,
# Google's map centre (@lat,lng), OpenStreetMap's #map=zoom/lat/lng, a bare "lat, lng"
_LOCATION_PATTERNS = [
    re.compile(rf"!3d({_NUMBER})!4d({_NUMBER})"),
    re.compile(rf"[?&](?:q|query|ll|destination|daddr)=(?:loc:)?({_NUMBER})\s*,\s*({_NUMBER})"),
    re.compile(rf"[?&]mlat=({_NUMBER})&mlon=({_NUMBER})"),
    re.compile(rf"@({_NUMBER}),({_NUMBER})"),
    re.compile(rf"#map=\d+(?:\.\d+)?/({_NUMBER})/({_NUMBER})"),
    re.compile(rf"geo:({_NUMBER}),({_NUMBER})"),
    re.compile(rf"^\s*\(?\s*({_NUMBER})\s*[, ;]\s*({_NUMBER})\s*\)?\s*$"),
]


def parse_location(text):
    """(latitude, longitude) from a location as people share it: a Google Maps or
    OpenStreetMap link, a WhatsApp shared location (a Google Maps link in the message),
    a ``geo:`` URI or "lat, lng"; None when the text holds none."""
    if not text:
        return None
    text = unquote(str(text)).strip()
    for pattern in _LOCATION_PATTERNS:
        for line in (text, *text.splitlines()):
            match = pattern.search(line)
            if match:
                lat, lng = float(match.group(1)), float(match.group(2))
                if -90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0:
                    return lat, lng
    return None


def km_from_banyuwangi(lat, lng):
    """Straight-line distance in km from the centre of the regency."""
    return haversine_km(*BANYUWANGI_CENTRE, lat, lng)


def osm_urls(lat, lng, span=0.004):
    """``(embed, view)``: the OpenStreetMap page showing a marker at ``lat, lng`` inside
    a frame (``export/embed.html``, no script of ours), and the same place on
    openstreetmap.org to open in a new tab."""
    lat, lng = float(lat), float(lng)
    bbox = f"{lng - span:.6f},{lat - span:.6f},{lng + span:.6f},{lat + span:.6f}"
    embed = (
        f"https://www.openstreetmap.org/export/embed.html?bbox={bbox}"
        f"&layer=mapnik&marker={lat:.6f},{lng:.6f}"
    )
    view = (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lng:.6f}#map=17/{lat:.6f}/{lng:.6f}"
    )
    return embed, view
