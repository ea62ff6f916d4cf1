# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    pemkab_social_kecamatan_ids = fields.Many2many(
        "pemkab.area",
        "pemkab_social_user_kecamatan_rel",
        "user_id",
        "area_id",
        string="Social Aid Areas",
        domain="[('level', '=', 'kecamatan')]",
        help="Kecamatan whose beneficiaries and shipments this social officer works on.",
    )
