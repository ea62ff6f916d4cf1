# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# One concern of the booking per file, by design (the model passed 500 lines).
# pylint: disable=consider-merging-classes-inherited
"""Bookings waiting for a person: a booking call got no answer and the courier cannot
be asked for an order by our reference (Grab documents no such lookup).

Booking again blindly could make a second order; failing the booking could leave a
driver riding for nobody. So the outbox leaves the booking alone, marked ``review_needed``,
and tells its responsible officer. The officer checks with the courier, then clicks
*No Order at the Courier* (the booking may be sent again, or is cancelled when a
cancellation was asked) or enters the courier's order number (the booking follows it).
The courier's news of the order (a webhook) ends the wait too: the booking follows it.
"""

from odoo import fields, models
from odoo.exceptions import UserError


class PemkabDeliveryBooking(models.Model):
    _inherit = "pemkab.delivery.booking"

    review_needed = fields.Boolean(
        string="Needs a Person",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="A booking call got no answer and this courier cannot be asked for an order by "
        "our reference: check with the courier whether it has one, then confirm.",
    )

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_confirm_no_order(self):
        """The courier has no order for this booking: send it again (or cancel it)."""
        self._check_can_review()
        self._do_confirm_no_order()
        return True

    def action_open_courier_order_wizard(self):
        """Enter the order number the courier gave for this booking."""
        self.ensure_one()
        self._check_can_review()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Courier Order of %s", self.name),
            "res_model": "pemkab.delivery.courier.order.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_booking_id": self.id},
        }

    def action_set_courier_order(self, courier_ref):
        """The courier has the order ``courier_ref`` for this booking: follow it."""
        self._check_can_review()
        courier_ref = (courier_ref or "").strip()
        if not courier_ref:
            raise UserError(self.env._("Courier Order: give the courier's order number."))
        self._do_set_courier_order(courier_ref)
        return True

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_can_review(self):
        not_waiting = self.filtered(lambda b: not b.review_needed)
        if not_waiting:
            raise UserError(
                self.env._(
                    "%(refs)s: not waiting for a person (the outbox knows what the courier has).",
                    refs=", ".join(not_waiting.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _review_done_vals(self):
        return {
            "review_needed": False,
            "outcome_unknown": False,
            "next_attempt_at": False,
            "claimed_until": False,
            "claim_token": False,
        }

    def _do_confirm_no_order(self):
        user = self.env.user.name
        for booking in self:
            note = self.env._("%s confirmed that the courier has no order.", user)
            if booking.cancel_requested:
                booking._set_state(
                    "cancelled",
                    dict(booking._review_done_vals(), cancel_requested=False),
                    source="user",
                    note=note,
                )
                continue
            # a fresh set of attempts: the earlier ones made nothing
            booking.write(dict(booking._review_done_vals(), attempt_count=0, last_error=False))
            booking._log_event("user", note=note)
        self.activity_unlink(["mail.mail_activity_data_todo"])
        self._trigger_outbox()

    def _apply_courier_update(self, info, source, event_key=None, payload=None, date=None):
        """The courier's news naming the order of a booking waiting for a person ends the
        wait: the booking follows that order, nobody has to check (and the person's
        buttons would move it back)."""
        waiting = self.review_needed and self.sudo().activity_ids
        applied = super()._apply_courier_update(
            info, source, event_key=event_key, payload=payload, date=date
        )
        if self.review_needed and self.courier_order_ref:
            self.write(dict(self._review_done_vals(), last_error=False))
            self._log_event(
                "system",
                note=self.env._(
                    "The courier's news named its order %s: nobody needs to check.",
                    self.courier_order_ref,
                ),
            )
            # the person's activity, not one the news itself added (a failure)
            todo = self.env.ref("mail.mail_activity_data_todo")
            waiting.filtered(lambda activity: activity.activity_type_id == todo).unlink()
        return applied

    def _do_set_courier_order(self, courier_ref):
        self.ensure_one()
        note = self.env._(
            "%(user)s entered the courier's order number %(courier_ref)s.",
            user=self.env.user.name,
            courier_ref=courier_ref,
        )
        self._set_state(
            "booked",
            dict(self._review_done_vals(), courier_order_ref=courier_ref, last_error=False),
            source="user",
            note=note,
        )
        self.activity_unlink(["mail.mail_activity_data_todo"])
        # the outbox cancels it when a cancellation was asked; polling brings its news
        self._trigger_outbox()

    def _outbox_wait_for_review(self, error):
        """The call got no answer and the courier cannot be asked: wait for a person."""
        self.ensure_one()
        message = self.env._(
            "Courier booking %(ref)s got no answer (%(error)s) and %(courier)s cannot be "
            "asked for an order by our reference. Check with the courier: if it has an "
            "order for %(ref)s, enter its number; if not, confirm that it has none.",
            ref=self.name,
            error=error.message or error.code,
            courier=self.provider_id.name,
        )
        self.write(
            {
                "review_needed": True,
                "next_attempt_at": False,
                "last_error": f"{error.code}: {error.message}",
            }
        )
        self._log_event("system", note=message[:250])
        user = self.responsible_user_id or self.create_uid
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Check the courier order"),
            note=message,
            user_id=user.id,
        )
        return False
