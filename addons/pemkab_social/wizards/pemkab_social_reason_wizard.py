# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.exceptions import ValidationError


class PemkabSocialReasonWizard(models.TransientModel):
    """Cancel a shipment, or record it as failed or returned, always with a reason."""

    _name = "pemkab.social.reason.wizard"
    _description = "Shipment Cancellation or Return Reason"

    kind = fields.Selection(
        [
            ("cancel", "Cancel Shipments"),
            ("fail", "Delivery Failed"),
            ("return", "Parcel Returned"),
        ],
        required=True,
        default="cancel",
    )
    shipment_ids = fields.Many2many("pemkab.social.shipment", string="Shipments")
    reason = fields.Char(required=True)

    def action_confirm(self):
        self.ensure_one()
        reason = (self.reason or "").strip()
        if not reason:
            raise ValidationError(self.env._("Reason: say why."))
        if self.kind == "cancel":
            self.shipment_ids._do_cancel(reason)
        else:
            self.shipment_ids._do_fail(reason, returned=self.kind == "return")
        return {"type": "ir.actions.act_window_close"}
