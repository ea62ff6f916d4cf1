# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import FAILURE_REASONS


class PemkabDeliveryReasonWizard(models.TransientModel):
    """Asks the reason to reject, cancel, or record as not delivered, one or many
    deliverable documents of any dinas."""

    _name = "pemkab.delivery.reason.wizard"
    _description = "Reason to Reject, Cancel or Record a Failed Delivery"

    kind = fields.Selection(
        [
            ("reject", "Reject"),
            ("cancel", "Cancel"),
            ("fail", "Not Delivered"),
            ("return", "Parcel Returned"),
        ],
        required=True,
        default="cancel",
        readonly=True,
    )
    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_ids = fields.Json(string="Documents", required=True, readonly=True)
    record_names = fields.Text(string="Selected Documents", compute="_compute_record_names")
    record_count = fields.Integer(string="Number of Documents", compute="_compute_record_names")
    failure_reason = fields.Selection(
        [(code, label) for code, label in FAILURE_REASONS if code not in ("error", "no_driver")],
        string="Why Not Delivered",
        default="not_home",
    )
    reason = fields.Text(required=True)

    @api.depends("res_model", "res_ids")
    def _compute_record_names(self):
        for wizard in self:
            records = wizard._records()
            wizard.record_count = len(records)
            wizard.record_names = ", ".join(records[:20].mapped("display_name")) + (
                " …" if len(records) > 20 else ""
            )

    def _records(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return self.env["pemkab.deliverable.mixin"]
        model = self.env[self.res_model]
        if model._abstract or not hasattr(model, "_delivery_booking_values"):
            raise UserError(self.env._("%s is not a deliverable document.", self.res_model))
        return model.browse(self.res_ids or []).exists()

    def action_confirm(self):
        self.ensure_one()
        records = self._records()
        if not records:
            raise UserError(self.env._("Documents: choose at least one document."))
        if self.kind == "reject":
            records.action_reject(self.reason)
        elif self.kind == "cancel":
            records.action_cancel(self.reason)
        elif self.kind == "return":
            records.action_mark_failed(self.reason, "returned")
        else:
            records.action_mark_failed(self.reason, self.failure_reason or "other")
        return {"type": "ir.actions.act_window_close"}
