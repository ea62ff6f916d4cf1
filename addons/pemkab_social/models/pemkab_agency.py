# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class PemkabAgency(models.Model):
    _inherit = "pemkab.agency"

    def _staffing_group(self):
        """The Dinas Sosial (an agency with aid programs) is staffed by its head: its
        officers read households, NIKs and aid."""
        programs = self.env["pemkab.social.program"].sudo().with_context(active_test=False)
        if programs.search_count([("agency_id", "=", self.id)], limit=1):
            return ("pemkab_social.group_social_head", self.env._("the head of the Dinas Sosial"))
        return super()._staffing_group()
