# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

from .res_partner import HEALTH_USER_GROUP


class ResUsers(models.Model):
    _inherit = "res.users"

    def _pemkab_booking_scope(self):
        """Health staff see the courier bookings of the facilities where they work, not
        those of every facility of their agency; heads still see their agency's."""
        agencies, shelters = super()._pemkab_booking_scope()
        if self.has_group(HEALTH_USER_GROUP):
            agencies -= self.pemkab_agency_ids - self.pemkab_head_agency_ids
        return agencies, shelters
