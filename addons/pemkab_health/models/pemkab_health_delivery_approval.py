# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Verification and approval of prescription deliveries: the pharmacist verifies, an
approval rule (or a controlled substance) sends the delivery to the heads of its agency,
who approve or reject it, in bulk from the approval queue."""

from odoo import fields, models
from odoo.exceptions import UserError


class PemkabHealthDelivery(models.Model):
    _inherit = "pemkab.health.delivery"

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_verify(self):
        """The pharmacist verified the prescription: send it for approval when a rule
        asks for it, else it is approved at once."""
        self._check_can_verify()
        self._do_verify()
        return True

    def action_approve(self):
        """The head approves (in bulk from the approval queue)."""
        self._check_can_approve()
        self._do_approve()
        return True

    def action_open_reject_wizard(self):
        self._check_can_approve()
        return self._delivery_open_reason_wizard("reject")

    def action_reject(self, reason):
        """The head refuses, with a reason (the wizard calls this)."""
        self._check_can_approve()
        self._check_reason(reason)
        self._do_reject(reason)
        return True

    def action_reset_to_draft(self):
        wrong = self.filtered(lambda d: d.state not in ("rejected", "cancelled", "to_approve"))
        if wrong:
            raise UserError(
                self.env._(
                    "%(refs)s: only a rejected, cancelled or waiting delivery goes back to draft.",
                    refs=", ".join(wrong.mapped("name")),
                )
            )
        self._workflow().write(
            {
                "state": "draft",
                "approval_required": False,
                "approval_reason": False,
                "approved_by_id": False,
                "approved_at": False,
                "controlled_approved": False,
                "verified_by_id": False,
                "verified_at": False,
            }
        )
        return True

    # ------------------------------------------------------------------
    # Checks: every reason at once
    # ------------------------------------------------------------------
    def _check_can_verify(self):
        errors = []
        for delivery in self:
            if delivery.state != "draft":
                errors.append(self.env._("%(ref)s is not a draft.", ref=delivery.name))
                continue
            if not delivery.line_ids:
                errors.append(self.env._("%(ref)s: add the medicines.", ref=delivery.name))
            if not delivery.pharmacist_id:
                errors.append(
                    self.env._("%(ref)s: name the pharmacist who prepared it.", ref=delivery.name)
                )
            errors += delivery._address_errors()
        if errors:
            raise UserError("\n".join(errors))

    def _check_can_approve(self):
        errors = []
        headed = self.env.user.pemkab_head_agency_ids
        for delivery in self:
            if delivery.state != "to_approve":
                errors.append(self.env._("%(ref)s is not awaiting approval.", ref=delivery.name))
            if delivery.agency_id not in headed:
                errors.append(
                    self.env._(
                        "%(ref)s: only a head of %(agency)s can decide on it.",
                        ref=delivery.name,
                        agency=delivery.agency_id.display_name,
                    )
                )
        if errors:
            raise UserError("\n".join(errors))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _do_verify(self):
        # the fee and its payer are computed while the delivery is a draft: settle them now
        self.mapped("fee")
        self.mapped("fee_payer")
        reasons = self.env["pemkab.health.approval.rule"]._approval_reasons(self)
        now = fields.Datetime.now()
        common = {"verified_by_id": self.env.user.id, "verified_at": now}
        need = self.filtered(lambda d: reasons[d.id])
        for delivery in need._workflow():
            delivery.write(
                dict(
                    common,
                    state="to_approve",
                    approval_required=True,
                    approval_reason="; ".join(reasons[delivery.id])[:250],
                )
            )
        free = self - need
        if free:
            free._workflow().write(dict(common, state="approved", approval_required=False))
        need._schedule_approval_activities()

    def _schedule_approval_activities(self):
        """Tell the heads of each delivery's agency that it awaits their decision."""
        for delivery in self:
            for head in delivery.agency_id.head_ids:
                delivery.activity_schedule(
                    "pemkab_health.mail_activity_type_approval",
                    user_id=head.id,
                    note=delivery.approval_reason,
                )

    def _clear_approval_activities(self):
        """The decision is taken: one query for the whole batch, whoever took it."""
        activity_type = self.env.ref(
            "pemkab_health.mail_activity_type_approval", raise_if_not_found=False
        )
        if activity_type:
            self.env["mail.activity"].sudo().search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ).unlink()

    def _do_approve(self):
        values = {
            "state": "approved",
            "approved_by_id": self.env.user.id,
            "approved_at": fields.Datetime.now(),
        }
        approving = self._workflow()
        controlled = approving.filtered("controlled")
        if controlled:
            controlled.write(dict(values, controlled_approved=True))
        if approving - controlled:
            (approving - controlled).write(values)
        self._clear_approval_activities()

    def _do_reject(self, reason):
        self._workflow().write({"state": "rejected", "reject_reason": reason.strip()})
        self._clear_approval_activities()
