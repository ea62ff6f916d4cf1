# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Plain Python (no Odoo import): the courier sandbox imports it with no Odoo importable.
Helpers that need the ORM live in ``orm/``."""

from .geo import EARTH_RADIUS_KM, haversine_km  # noqa: F401
