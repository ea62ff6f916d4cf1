# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError


class PemkabFleetProofWizard(models.TransientModel):
    """The proof of a whole driver run in one dialog: for each parcel still out, who
    received it (one field: the recipient's name is proposed) or why it came back."""

    _name = "pemkab.fleet.proof.wizard"
    _description = "Proof of Delivery of a Driver Run"

    run_id = fields.Many2one("pemkab.fleet.run", string="Driver Run", required=True, readonly=True)
    delivered_at = fields.Datetime(
        string="Delivered On", required=True, default=fields.Datetime.now
    )
    line_ids = fields.One2many("pemkab.fleet.proof.wizard.line", "wizard_id", string="Parcels")

    # ------------------------------------------------------------------
    # Opening
    # ------------------------------------------------------------------
    @api.model
    def _open_for(self, run):
        bookings = run._run_bookings().filtered(lambda booking: booking.state == "picked_up")
        wizard = self.create(
            {
                "run_id": run.id,
                "line_ids": [
                    fields.Command.create(
                        {"booking_id": booking.id, "receiver": booking.recipient_name}
                    )
                    for booking in bookings
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Proof of Delivery: %s", run.name),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_confirm(self):
        self.ensure_one()
        self._check_can_confirm()
        self._do_confirm()
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------
    # Checks: every reason at once
    # ------------------------------------------------------------------
    def _check_can_confirm(self):
        run = self.run_id
        run.check_access("write")
        run._check_can_record_proof()
        bookings = self.line_ids.booking_id
        bookings.check_access("write")
        errors = [
            self.env._("%(ref)s is not in driver run %(run)s.", ref=booking.name, run=run.name)
            for booking in bookings
            if booking.fleet_run_id != run
        ]
        if len(bookings) != len(self.line_ids):
            errors.append(self.env._("A parcel is listed twice."))
        delivered = self.line_ids.filtered(lambda line: line.outcome == "delivered")
        returned = self.line_ids - delivered
        errors += returned.booking_id._fleet_errors(("picked_up",))
        if errors:
            raise UserError("\n".join(errors))
        delivered.booking_id._check_can_fleet_deliver(self._receivers())

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _receivers(self):
        """{booking id: who received it} of the parcels delivered."""
        return {
            line.booking_id.id: line.receiver or ""
            for line in self.line_ids
            if line.outcome == "delivered"
        }

    def _do_confirm(self):
        run = self.run_id
        delivered = self.line_ids.filtered(lambda line: line.outcome == "delivered")
        returned = self.line_ids - delivered
        delivered.booking_id._do_fleet_deliver(self._receivers(), self.delivered_at)
        for reason, group in returned.grouped("failure_reason").items():
            group.booking_id._do_fleet_return(reason or "returned")
        run.message_post(
            body=self.env._(
                "Proof recorded by %(user)s: %(delivered)s delivered, %(returned)s brought back.",
                user=self.env.user.name,
                delivered=len(delivered),
                returned=len(returned),
            ),
            message_type="notification",
        )
        run._done_when_all_final()
