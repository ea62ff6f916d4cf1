# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class PemkabHealthReasonWizard(models.TransientModel):
    """Asks the reason to reject or cancel one or many prescription deliveries."""

    _name = "pemkab.health.reason.wizard"
    _description = "Reason to Reject or Cancel Deliveries"

    action = fields.Selection(
        [("reject", "Reject"), ("cancel", "Cancel")], required=True, default="reject"
    )
    delivery_ids = fields.Many2many(
        "pemkab.health.delivery",
        "pemkab_health_reason_wizard_delivery_rel",
        "wizard_id",
        "delivery_id",
        string="Deliveries",
        required=True,
    )
    delivery_count = fields.Integer(compute="_compute_delivery_count")
    reason = fields.Text(required=True)

    def _compute_delivery_count(self):
        for wizard in self:
            wizard.delivery_count = len(wizard.delivery_ids)

    def action_confirm(self):
        self.ensure_one()
        if self.action == "reject":
            self.delivery_ids.action_reject(self.reason)
        else:
            self.delivery_ids.action_cancel(self.reason)
        return {"type": "ir.actions.act_window_close"}
