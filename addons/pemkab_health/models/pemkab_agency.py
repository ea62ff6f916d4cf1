# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

# the facilities that make an agency a health agency
HEALTH_KINDS = ("hospital", "puskesmas")


class PemkabAgency(models.Model):
    _inherit = "pemkab.agency"

    def _staffing_group(self):
        """A health agency (one with a hospital or a Puskesmas) is staffed by the health
        administrators: a head approves narcotics, staff read patients' medicines."""
        if any(kind in HEALTH_KINDS for kind in self.shelter_ids.mapped("kind")):
            return ("pemkab_health.group_health_manager", self.env._("a health administrator"))
        return super()._staffing_group()
