# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    pemkab_agency_ids = fields.Many2many(
        "pemkab.agency",
        "pemkab_agency_member_rel",
        "user_id",
        "agency_id",
        string="Member of Agencies",
    )
    pemkab_head_agency_ids = fields.Many2many(
        "pemkab.agency",
        "pemkab_agency_head_rel",
        "user_id",
        "agency_id",
        string="Head of Agencies",
    )
    pemkab_shelter_ids = fields.Many2many(
        "pemkab.shelter",
        "pemkab_shelter_staff_rel",
        "user_id",
        "shelter_id",
        string="Shelters",
    )
