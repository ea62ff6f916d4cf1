# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.7.0: three indexes no query needs are dropped (Odoo keeps an index a field no
longer declares): the booking reference's plain index (its unique index serves every
search), the booking's related model (its record's id is indexed) and the history line's
date (read through its booking). Each was written for every row of a district's bulk
insert.
"""

from odoo.tools import SQL

INDEXES = (
    "pemkab_delivery_booking__name_index",
    "pemkab_delivery_booking__res_model_index",
    "pemkab_delivery_booking_event__date_index",
)


def migrate(cr, version):
    if not version:
        return
    for index in INDEXES:
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
