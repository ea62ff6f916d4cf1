# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.1.0: contacts keep their coordinates in Odoo's partner_latitude/partner_longitude.

Up to 19.0.1.0.0 the addon gave res.partner a second pair, ``latitude``/``longitude``.
Before the new code loads, copy that pair into Odoo's fields of every contact that has
none there yet (a contact geolocated by another module keeps its own). It has to be now:
at the end of the upgrade Odoo deletes the ir.model.fields rows of the fields the module
no longer has, and with them their columns. The post-migration drops the old columns.
"""

import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)

OLD_COLUMNS = ("latitude", "longitude")
NEW_COLUMNS = ("partner_latitude", "partner_longitude")


def migrate(cr, version):
    if not version or not all(column_exists(cr, "res_partner", c) for c in OLD_COLUMNS):
        return
    old_lat, old_lng = map(SQL.identifier, OLD_COLUMNS)
    new_lat, new_lng = map(SQL.identifier, NEW_COLUMNS)
    cr.execute(
        SQL(
            """UPDATE res_partner
                  SET %(new_lat)s = %(old_lat)s, %(new_lng)s = %(old_lng)s
                WHERE (COALESCE(%(old_lat)s, 0) != 0 OR COALESCE(%(old_lng)s, 0) != 0)
                  AND COALESCE(%(new_lat)s, 0) = 0 AND COALESCE(%(new_lng)s, 0) = 0""",
            old_lat=old_lat,
            old_lng=old_lng,
            new_lat=new_lat,
            new_lng=new_lng,
        )
    )
    _logger.info(
        "pemkab_delivery %s: copied the coordinates of %s contacts into %s",
        version,
        cr.rowcount,
        "/".join(NEW_COLUMNS),
    )
