# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from odoo.addons.pemkab_delivery.models.res_users import RULE_SCOPE_FIELDS


class ResUsers(models.Model):
    _inherit = "res.users"
    _pemkab_rule_scope_fields = RULE_SCOPE_FIELDS | {"pemkab_social_kecamatan_ids"}

    pemkab_social_kecamatan_ids = fields.Many2many(
        "pemkab.area",
        "pemkab_social_user_kecamatan_rel",
        "user_id",
        "area_id",
        string="Social Aid Areas",
        domain="[('level', '=', 'kecamatan')]",
        help="Kecamatan whose beneficiaries and shipments this social officer works on.",
    )

    def _pemkab_booking_scope(self):
        """A social officer sees the courier bookings of the kecamatan assigned to the
        officer (a rule of this addon), not those of the whole Dinas Sosial nor of its
        warehouses; the head still sees the agency's."""
        agencies, shelters = super()._pemkab_booking_scope()
        if self.has_group("pemkab_social.group_social_officer"):
            member_only = self.pemkab_agency_ids - self.pemkab_head_agency_ids
            agencies -= member_only
            shelters = shelters.filtered(lambda shelter: shelter.agency_id not in member_only)
        return agencies, shelters
