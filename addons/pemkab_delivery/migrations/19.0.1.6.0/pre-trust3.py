# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.6.0: a contact's NIK is kept in ``pemkab_stored_nik`` (system administrators
only); ``nik`` shows it to the users whose work needs it (computed, no longer stored: a
social officer reads the NIKs of his households' members only). The column is renamed,
so no value is lost (its unique index follows it); the plain index is made again under
its new name.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, rename_column


def migrate(cr, version):
    if not version:
        return
    if column_exists(cr, "res_partner", "nik") and not column_exists(
        cr, "res_partner", "pemkab_stored_nik"
    ):
        rename_column(cr, "res_partner", "nik", "pemkab_stored_nik")
    cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier("res_partner__nik_index")))
