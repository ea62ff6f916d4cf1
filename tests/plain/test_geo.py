# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The map preview of a contact's coordinates: OpenStreetMap's own pages, no script."""

from urllib.parse import parse_qs, urlsplit

from tools.geo import osm_urls, parse_location


def test_osm_urls_mark_the_place_and_read_back():
    embed, view = osm_urls(-8.205, 114.37)
    parts = urlsplit(embed)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "www.openstreetmap.org",
        "/export/embed.html",
    )
    query = parse_qs(parts.query)
    assert query["marker"] == ["-8.205000,114.370000"]
    west, south, east, north = (float(x) for x in query["bbox"][0].split(","))
    assert west < 114.37 < east and south < -8.205 < north
    # the link a user opens is a location the paste field reads back
    assert parse_location(view) == (-8.205, 114.37)
