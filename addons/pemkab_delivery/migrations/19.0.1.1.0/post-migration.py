# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.1.0: drop res_partner's old latitude/longitude columns.

The pre-migration copied their values into partner_latitude/partner_longitude. Odoo would
drop the columns at the end of the upgrade too, when it deletes the ir.model.fields rows of
the fields the module no longer has; dropping them here says so and does not depend on it
(the rows still go then, finding no column to drop).
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
            cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(column)))
            _logger.info("pemkab_delivery %s: dropped res_partner.%s", version, column)
