# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# One concern of the booking per file, by design (the model passed 500 lines).
# pylint: disable=consider-merging-classes-inherited
"""What the courier says of a booking's order (booking answers, webhooks, polls), and the
other courier orders of its reference (``stray_courier_refs``), which the outbox cancels:
a second order number never replaces the booking's own."""

from datetime import datetime, timezone

from odoo import fields, models
from odoo.exceptions import ValidationError

from .pemkab_delivery_booking import FAILURE_REASONS, FINAL_STATES, state_rank


class PemkabDeliveryBooking(models.Model):
    _inherit = "pemkab.delivery.booking"

    # ------------------------------------------------------------------
    # Courier news: booking answers, webhooks, polls
    # ------------------------------------------------------------------
    def _apply_courier_update(self, info, source, event_key=None, payload=None, date=None):
        """Apply what the courier says of the order (webhook, poll, booking answer).

        Every update is kept in the history. It is applied only when it moves the booking
        forward: a duplicate changes nothing; a late "picked up" after "delivered" is
        recorded, not applied.

        :param info: a ``clients.base.OrderInfo``
        :return: whether the booking changed state
        """
        self.ensure_one()
        own_ref = self.courier_order_ref
        if info.courier_ref and own_ref and info.courier_ref != own_ref:
            return self._apply_other_order_update(info, source, event_key, payload, date)
        new_state = info.status
        details = self._courier_details_vals(info)
        if not new_state:
            applied, note = False, self.env._("Unknown courier status: recorded only.")
        elif self.state in FINAL_STATES:
            applied, note = False, self.env._("Ignored: the booking is already final.")
        elif new_state == self.state:
            applied, note = False, self.env._("Same status: details refreshed.")
            if details:
                self.write(details)
        elif state_rank(new_state) < state_rank(self.state):
            applied, note = False, self.env._("Ignored: it would move the booking backwards.")
        else:
            applied, note = True, None
        self.write({"last_news_at": fields.Datetime.now()})
        self._log_event(
            source,
            status=new_state,
            courier_status=info.courier_status,
            event_key=event_key,
            applied=applied,
            note=note,
            payload=payload if payload is not None else info.raw,
            date=date,
        )
        if applied:
            old_state = self.state
            details["state"] = new_state
            if new_state == "failed":
                details["failure_reason"] = courier_failure_reason(info.failure_reason)
                details["failure_message"] = info.failure_reason or False
            if new_state == "delivered" and not details.get("delivered_at"):
                details["delivered_at"] = fields.Datetime.now()
            self.write(details)
            self._on_state_changed(old_state)
        return applied

    def _apply_other_order_update(self, info, source, event_key, payload, date):
        """News of a second courier order for our reference: it never replaces the
        booking's own order; while it lives, the outbox cancels it."""
        if info.status in FINAL_STATES:
            note = self.env._(
                "News of another courier order (%s) for this reference: not applied.",
                info.courier_ref,
            )
        else:
            self._add_stray_courier_refs([info.courier_ref])
            note = self.env._(
                "A second courier order (%s) for this reference: not applied; the outbox "
                "cancels it.",
                info.courier_ref,
            )
        self._log_event(
            source,
            status=info.status,
            courier_status=info.courier_status,
            event_key=event_key,
            note=note,
            payload=payload if payload is not None else info.raw,
            date=date,
        )
        return False

    def _courier_details_vals(self, info):
        vals = {}
        mapping = {
            "courier_order_ref": info.courier_ref,
            "tracking_url": info.tracking_url,
            "driver_name": info.driver_name,
            "driver_plate": info.driver_plate,
            "receiver_name": info.receiver_name,
            "receiver_relation": info.receiver_relation,
            "proof_photo_url": info.proof_photo_url,
        }
        for fname, value in mapping.items():
            if value and value != self[fname]:
                vals[fname] = value
        if info.driver_phone:
            try:
                phone = self._pemkab_normalize_phone(info.driver_phone, "driver", mobile=False)
            except ValidationError:
                # not a phone number: dropped (the courier's payload in the history keeps
                # it); the booking's own phone check would refuse the whole news
                phone = self.driver_phone
            if phone != self.driver_phone:
                vals["driver_phone"] = phone
        if info.price and not self.quoted_price:
            # the first price the courier tells (booking answer or first news)
            vals["quoted_price"] = info.price
        if info.price and info.status == "delivered":
            vals["final_price"] = info.price
        if info.delivered_at:
            vals["delivered_at"] = parse_courier_datetime(info.delivered_at)
        return vals

    def _add_stray_courier_refs(self, courier_refs):
        self.ensure_one()
        refs = split_refs(self.stray_courier_refs)
        refs += [ref for ref in courier_refs if ref not in refs]
        self.stray_courier_refs = ",".join(refs) or False
        self._trigger_outbox()

    def _outbox_apply_strays(self, job):
        """Record the cancellation of the reference's other courier orders."""
        self.ensure_one()
        if not self.stray_courier_refs:
            return
        results = job.get("stray_results") or {}
        left = []
        for courier_ref in split_refs(self.stray_courier_refs, exclude=self.courier_order_ref):
            result = results.get(courier_ref)
            if result == "cancelled":
                self._log_event(
                    "api",
                    status="cancelled",
                    note=self.env._("Extra courier order %s cancelled.", courier_ref),
                )
            elif result is not None and not result.retryable:
                message = self.env._(
                    "The courier refused to cancel the extra order %(courier_ref)s of this "
                    "booking: %(error)s. Ask the courier to cancel it.",
                    courier_ref=courier_ref,
                    error=result.message,
                )
                self._log_event("api", note=message[:250])
                self.message_post(body=message)
            else:
                left.append(courier_ref)
        self.stray_courier_refs = ",".join(left) or False


def split_refs(value, exclude=None):
    """The courier references of a comma-separated field, without ``exclude``."""
    return [ref for ref in (value or "").split(",") if ref and ref != exclude]


def courier_failure_reason(reason):
    """Our failure reason for the courier's (unknown ones: rejected by the courier)."""
    known = dict(FAILURE_REASONS)
    return reason if reason in known else "rejected" if reason else "error"


def parse_courier_datetime(value):
    """A courier's ISO 8601 time as a naive UTC datetime, or False when unreadable."""
    if not value:
        return False
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return False
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)
