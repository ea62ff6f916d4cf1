# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import FAILURE_REASONS
from ..models.base import INT_MAX

# the document's button each kind of reason calls
KIND_METHODS = {
    "reject": "action_reject",
    "cancel": "action_cancel",
    "fail": "action_mark_failed",
    "return": "action_mark_failed",
}


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

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_vals(vals)
        return super().write(vals)

    def _check_vals(self, vals):
        """The documents are a list of record ids of a deliverable model: anything else
        is refused with a clear message, not a Python or database error."""
        ids = vals.get("res_ids")
        if "res_ids" in vals and not (
            isinstance(ids, list)
            and all(
                isinstance(res_id, int) and not isinstance(res_id, bool) and 0 < res_id <= INT_MAX
                for res_id in ids
            )
        ):
            raise ValidationError(
                self.env._("Documents: a list of document ids is expected, not %s.", repr(ids)[:60])
            )
        if vals.get("res_model"):
            self._deliverable_model(vals["res_model"])

    def _deliverable_model(self, name):
        """The model ``name``, if it is a deliverable document's; else a UserError."""
        model = self.env.get(name) if isinstance(name, str) else None
        if model is None or model._abstract or not hasattr(model, "_delivery_booking_values"):
            raise UserError(self.env._("%s is not a deliverable document.", str(name)[:60]))
        return model

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
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
        if not self.res_model:
            return self.env["pemkab.deliverable.mixin"]
        return self._deliverable_model(self.res_model).browse(self.res_ids or []).exists()

    def action_confirm(self):
        self.ensure_one()
        records = self._records()
        if not records:
            raise UserError(self.env._("Documents: choose at least one document."))
        if not hasattr(records, KIND_METHODS.get(self.kind, "")):
            raise UserError(
                self.env._(
                    "%(documents)s cannot be given this reason (%(kind)s).",
                    documents=records._description,
                    kind=dict(self._fields["kind"]._description_selection(self.env)).get(
                        self.kind, self.kind
                    ),
                )
            )
        if self.kind == "reject":
            records.action_reject(self.reason)
        elif self.kind == "cancel":
            records.action_cancel(self.reason)
        elif self.kind == "return":
            records.action_mark_failed(self.reason, "returned")
        else:
            records.action_mark_failed(self.reason, self.failure_reason or "other")
        return {"type": "ir.actions.act_window_close"}
