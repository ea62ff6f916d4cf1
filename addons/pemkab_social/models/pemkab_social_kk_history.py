# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class PemkabSocialKkHistory(models.Model):
    """The family card numbers (No. KK) a household has had. A No. KK changes when a
    family moves or splits: it is history, never a key."""

    _name = "pemkab.social.kk.history"
    _description = "Family Card Number History"
    _order = "date_from desc, id desc"

    household_id = fields.Many2one(
        "pemkab.social.household", required=True, ondelete="cascade", index=True
    )
    kk_number = fields.Char(string="No. KK", required=True)
    date_from = fields.Date(string="Since", required=True, default=fields.Date.context_today)
    note = fields.Char()
