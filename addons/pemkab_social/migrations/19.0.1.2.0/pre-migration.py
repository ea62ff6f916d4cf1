# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.2.0: a contact's social data is kept in the ``pemkab_social_stored_*`` fields;
the ``pemkab_social_*`` fields of the same names as before show it to the social users of
the household's kecamatan only (computed, no longer stored). The columns are renamed, so
no value is lost; the index of the household column is made again under its new name.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, rename_column

TABLE = "res_partner"
RENAMED = [
    ("pemkab_social_household_id", "pemkab_social_stored_household_id"),
    ("pemkab_social_relation", "pemkab_social_stored_relation"),
    ("pemkab_social_elderly", "pemkab_social_stored_elderly"),
    ("pemkab_social_disability", "pemkab_social_stored_disability"),
    ("pemkab_social_pregnant", "pemkab_social_stored_pregnant"),
    ("pemkab_social_child_under_five", "pemkab_social_stored_child_under_five"),
]


def migrate(cr, version):
    if not version:
        return
    for old, new in RENAMED:
        if column_exists(cr, TABLE, old) and not column_exists(cr, TABLE, new):
            rename_column(cr, TABLE, old, new)
    cr.execute(
        SQL(
            "DROP INDEX IF EXISTS %s",
            SQL.identifier("res_partner__pemkab_social_household_id_index"),
        )
    )
