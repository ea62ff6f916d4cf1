# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pemkab_trigger_count = fields.Integer(compute="_compute_pemkab_counts")
    pemkab_provider_count = fields.Integer(compute="_compute_pemkab_counts")

    def _compute_pemkab_counts(self):
        triggers = self.env["pemkab.delivery.trigger"].search_count([])
        providers = self.env["pemkab.courier.provider"].search_count([])
        for settings in self:
            settings.pemkab_trigger_count = triggers
            settings.pemkab_provider_count = providers
