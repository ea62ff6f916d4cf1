# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.1.0: drop res_partner's old latitude/longitude columns.

The pre-migration copied their values into partner_latitude/partner_longitude. Odoo keeps
the column of a field removed from the code, so drop it here (the ir.model.fields rows go
at the end of the upgrade, as for any field a module no longer has).
"""

import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)

OLD_COLUMNS = ("latitude", "longitude")


def migrate(cr, version):
    if not version:
        return
    for column in OLD_COLUMNS:
        if column_exists(cr, "res_partner", column):
            cr.execute(
                SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(column))
            )
            _logger.info("pemkab_delivery %s: dropped res_partner.%s", version, column)
