# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier bookings: one record per courier order.

The booking row exists (and is committed) before any courier is called. The user's click
only records the request; the outbox (a scheduled action, :meth:`_cron_process_outbox`)
claims due bookings with ``FOR UPDATE SKIP LOCKED`` plus a lease, commits, calls the
couriers in worker threads without holding any row lock, then records each answer in its
own short transaction. A call whose outcome is unknown (timeout, crash) is reconciled by
looking the order up by our own reference before any new booking call, so a retry never
creates a second courier order.
"""

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import psycopg2.errors

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError

from ..clients.base import (
    FINAL_STATUSES,
    STATUS_RANK,
    CourierError,
    CourierTimeout,
    Location,
    OrderNotFound,
    Package,
    RetryableError,
)

_logger = logging.getLogger(__name__)

BOOKING_STATES = [
    ("draft", "Draft"),
    ("requested", "Requested"),
    ("booked", "Booked"),
    ("driver_assigned", "Driver Assigned"),
    ("picked_up", "Picked Up"),
    ("delivered", "Delivered"),
    ("cancelled", "Cancelled"),
    ("failed", "Failed"),
]
FINAL_STATES = tuple(sorted(FINAL_STATUSES))
ACTIVE_STATES = ("draft", "requested", "booked", "driver_assigned", "picked_up")
CLAIM_LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 1800
MAX_WORKERS = 16


def _state_rank(state):
    if state == "draft":
        return -1
    return STATUS_RANK.get(state, 0)


class PemkabDeliveryBooking(models.Model):
    _name = "pemkab.delivery.booking"
    _description = "Courier Booking"
    _inherit = ["pemkab.address.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_names_search = ["name", "courier_order_ref", "recipient_name"]
    _pemkab_phone_fields = {"recipient_phone": True, "driver_phone": False}

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: self.env._("New"),
        help="Our reference, sent to the courier as its order id (storeOrderId, "
        "merchantOrderID): it is how a lost answer is found again.",
    )
    state = fields.Selection(
        BOOKING_STATES, required=True, default="draft", tracking=True, index=True, copy=False
    )
    provider_id = fields.Many2one(
        "pemkab.courier.provider", string="Courier", required=True, tracking=True, index=True
    )
    provider_kind = fields.Selection(related="provider_id.kind")
    agency_id = fields.Many2one(
        "pemkab.agency", required=True, index=True, tracking=True, ondelete="restrict"
    )
    shelter_id = fields.Many2one(
        "pemkab.shelter",
        string="Pickup Shelter",
        required=True,
        tracking=True,
        ondelete="restrict",
    )
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Officer told when the booking fails.",
    )
    # the business record the booking serves
    res_model = fields.Char(string="Related Model", index=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Related Record", model_field="res_model", index=True, readonly=True
    )
    res_name = fields.Char(compute="_compute_res_name", string="For")
    rebooked_from_id = fields.Many2one(
        "pemkab.delivery.booking", string="Rebooking Of", readonly=True, copy=False
    )
    # recipient
    recipient_name = fields.Char(required=True, tracking=True)
    recipient_phone = fields.Char(required=True, tracking=True)
    street = fields.Char(string="Recipient Address")
    recipient_note = fields.Char(help="Landmark or directions for the courier.")
    # package: the courier gets the minimum, never medicine names or other sensitive data
    package_code = fields.Char(
        required=True,
        help="Code written on the parcel; the courier sees this, not what is inside.",
    )
    package_description = fields.Char(
        default=lambda self: self.env._("Parcel"),
        help="What the courier is told about the parcel: never medicine names or other "
        "sensitive data.",
    )
    service_type = fields.Selection(
        [("instant", "Instant"), ("same_day", "Same day")], required=True, default="instant"
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.IDR", raise_if_not_found=False)
    )
    quoted_price = fields.Monetary(readonly=True, copy=False)
    final_price = fields.Monetary(readonly=True, copy=False, aggregator="sum")
    # courier side
    courier_order_ref = fields.Char(
        string="Courier Order", readonly=True, copy=False, index="btree_not_null"
    )
    tracking_url = fields.Char(readonly=True, copy=False)
    driver_name = fields.Char(copy=False, tracking=True)
    driver_phone = fields.Char(copy=False)
    driver_plate = fields.Char(string="Vehicle Plate", copy=False)
    # proof of delivery
    receiver_name = fields.Char(copy=False, tracking=True)
    receiver_relation = fields.Char(
        copy=False, help="Who received, as the recipient's: self, family, neighbour..."
    )
    proof_photo = fields.Image(copy=False, max_width=1024, max_height=1024, attachment=True)
    proof_photo_url = fields.Char(copy=False)
    delivered_at = fields.Datetime(copy=False, tracking=True)
    # failure / cancellation
    failure_reason = fields.Selection(
        [
            ("no_driver", "No driver found"),
            ("rejected", "Rejected by the courier"),
            ("returned", "Returned to the shelter"),
            ("cancelled_by_courier", "Cancelled by the courier"),
            ("error", "Could not be booked"),
        ],
        copy=False,
        tracking=True,
    )
    failure_message = fields.Char(copy=False)
    cancel_requested = fields.Boolean(copy=False, readonly=True)
    cancel_reason = fields.Char(copy=False, tracking=True)
    # outbox
    attempt_count = fields.Integer(readonly=True, copy=False)
    next_attempt_at = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    claimed_until = fields.Datetime(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    last_news_at = fields.Datetime(
        string="Last News", readonly=True, copy=False, help="Last webhook or poll answer."
    )
    event_ids = fields.One2many(
        "pemkab.delivery.booking.event", "booking_id", string="History", readonly=True
    )
    color = fields.Integer(compute="_compute_color")

    _name_uniq = models.Constraint("UNIQUE(name)", "A booking with this reference exists.")
    _one_active_per_record = models.UniqueIndex(
        "(res_model, res_id) WHERE res_id IS NOT NULL "
        "AND state NOT IN ('delivered', 'cancelled', 'failed')",
        "This record already has a courier booking under way.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("res_model", "res_id")
    def _compute_res_name(self):
        for booking in self:
            record = booking._get_business_record()
            booking.res_name = record.sudo().display_name if record else False

    @api.depends("state")
    def _compute_color(self):
        colors = {"failed": 1, "cancelled": 1, "delivered": 10, "picked_up": 4}
        for booking in self:
            booking.color = colors.get(booking.state, 0)

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        unnamed = [
            vals for vals in vals_list if not vals.get("name") or vals["name"] == self.env._("New")
        ]
        for vals, name in zip(unnamed, self._next_references(len(unnamed)), strict=True):
            vals["name"] = name
        bookings = super().create(vals_list)
        for provider, agency in {(b.provider_id, b.agency_id) for b in bookings}:
            provider._check_usable_by(agency)
        return bookings

    @api.model
    def _next_references(self, count):
        """``count`` new references from the booking sequence, in one query when the
        sequence is a standard (PostgreSQL) one."""
        if not count:
            return []
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search([("code", "=", "pemkab.delivery.booking")], limit=1)
        )
        if not sequence or sequence.implementation != "standard" or sequence.use_date_range:
            return [
                self.env["ir.sequence"].next_by_code("pemkab.delivery.booking")
                for _index in range(count)
            ]
        self.env.cr.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)",
            [f"ir_sequence_{sequence.id:03d}", count],
        )
        numbers = [number for (number,) in self.env.cr.fetchall()]
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(b.state not in ("draft", "cancelled") for b in self):
            raise UserError(
                self.env._("Only draft or cancelled bookings can be deleted; cancel it first.")
            )

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_request(self):
        """Record the request to book a courier; the outbox sends it."""
        self._check_can_request()
        self._do_request()
        return True

    def action_cancel(self):
        """Cancel: at once when the courier has no order yet, else through the outbox."""
        reason = self.env.context.get("cancel_reason") or self.env._(
            "Cancelled by %s", self.env.user.name
        )
        self._check_can_cancel()
        now = fields.Datetime.now()
        for booking in self:
            in_flight = booking.claimed_until and booking.claimed_until > now
            if booking.provider_id._has_api() and (booking.courier_order_ref or in_flight):
                booking.write(
                    {"cancel_requested": True, "cancel_reason": reason, "next_attempt_at": False}
                )
                booking._log_event("user", note=self.env._("Cancellation requested: %s", reason))
            else:
                booking._set_state(
                    "cancelled", {"cancel_reason": reason}, source="user", note=reason
                )
        self._trigger_outbox()
        return True

    def action_rebook(self):
        """One click after a failure (e.g. no driver found): a new booking, new reference."""
        if any(b.state != "failed" for b in self):
            raise UserError(self.env._("Only failed bookings can be booked again."))
        new_bookings = self.env["pemkab.delivery.booking"]
        for booking in self:
            new = booking.copy({"rebooked_from_id": booking.id, "state": "draft"})
            new.action_request()
            booking.message_post(
                body=self.env._("Booked again as %s.", new.name), message_type="notification"
            )
            new_bookings |= new
        if len(new_bookings) == 1:
            return new_bookings.get_formview_action()
        return True

    def action_retry_now(self):
        """Send a waiting booking with the next outbox run, without waiting for its back-off."""
        self.filtered(lambda b: b.state == "requested").write({"next_attempt_at": False})
        self._trigger_outbox()
        return True

    # own fleet (no API): the dispatcher moves the booking by hand
    def action_assign_driver(self):
        self._check_manual(("requested", "booked"))
        missing = self.filtered(lambda b: not b.driver_name or not b.driver_phone)
        if missing:
            raise ValidationError(
                self.env._(
                    "Driver: give the driver's name and phone on %(refs)s before assigning.",
                    refs=", ".join(missing.mapped("name")),
                )
            )
        for booking in self:
            booking._set_state("driver_assigned", source="user")
        return True

    def action_mark_picked_up(self):
        self._check_manual(("driver_assigned",))
        for booking in self:
            booking._set_state("picked_up", source="user")
        return True

    def action_mark_delivered(self):
        """Confirm delivery by hand (own fleet, or an officer confirming a courier's)."""
        for booking in self:
            if booking.state not in ("booked", "driver_assigned", "picked_up"):
                raise UserError(
                    self.env._(
                        "%(ref)s: only a booking on its way can be marked delivered.",
                        ref=booking.name,
                    )
                )
            if not booking.receiver_name:
                raise ValidationError(
                    self.env._(
                        "Receiver: say who received the parcel of %(ref)s before marking it "
                        "delivered.",
                        ref=booking.name,
                    )
                )
            booking._set_state(
                "delivered",
                {"delivered_at": booking.delivered_at or fields.Datetime.now()},
                source="user",
            )
        return True

    def action_mark_failed(self):
        self._check_manual(("requested", "booked", "driver_assigned", "picked_up"))
        reason = self.env.context.get("failure_reason", "returned")
        for booking in self:
            booking._set_state("failed", {"failure_reason": reason}, source="user")
        return True

    def action_open_record(self):
        self.ensure_one()
        record = self._get_business_record()
        if not record:
            return False
        return record.get_formview_action()

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_can_request(self):
        errors = []
        for booking in self:
            if booking.state != "draft":
                errors.append(self.env._("%(ref)s is not a draft.", ref=booking.name))
                continue
            if not booking.recipient_phone:
                errors.append(self.env._("%(ref)s: the recipient has no phone.", ref=booking.name))
            if not (booking.street or (booking.latitude and booking.longitude)):
                errors.append(
                    self.env._(
                        "%(ref)s: give the recipient's address or coordinates.", ref=booking.name
                    )
                )
            if booking.provider_id._has_api() and not (booking.latitude and booking.longitude):
                errors.append(
                    self.env._(
                        "%(ref)s: %(courier)s needs the recipient's coordinates.",
                        ref=booking.name,
                        courier=booking.provider_id.name,
                    )
                )
            if booking.provider_id._has_api() and not booking.shelter_id.phone:
                errors.append(
                    self.env._(
                        "%(ref)s: shelter %(shelter)s has no contact phone for the driver.",
                        ref=booking.name,
                        shelter=booking.shelter_id.display_name,
                    )
                )
            if booking.provider_id._has_api() and not (
                booking.shelter_id.latitude and booking.shelter_id.longitude
            ):
                errors.append(
                    self.env._(
                        "%(ref)s: shelter %(shelter)s has no coordinates.",
                        ref=booking.name,
                        shelter=booking.shelter_id.display_name,
                    )
                )
        if errors:
            raise UserError("\n".join(errors))

    def _check_can_cancel(self):
        final = self.filtered(lambda b: b.state in FINAL_STATES)
        if final:
            raise UserError(
                self.env._(
                    "%(refs)s: a delivered, cancelled or failed booking cannot be cancelled.",
                    refs=", ".join(final.mapped("name")),
                )
            )
        picked = self.filtered(lambda b: b.state == "picked_up")
        if picked:
            raise UserError(
                self.env._(
                    "%(refs)s: the driver already has the parcel; ask the courier to return it.",
                    refs=", ".join(picked.mapped("name")),
                )
            )

    def _check_manual(self, states):
        for booking in self:
            if booking.provider_id._has_api():
                raise UserError(
                    self.env._(
                        "%(ref)s is booked with %(courier)s: its status comes from the courier.",
                        ref=booking.name,
                        courier=booking.provider_id.name,
                    )
                )
            if booking.state not in states:
                raise UserError(
                    self.env._(
                        "%(ref)s: not possible in state %(state)s.",
                        ref=booking.name,
                        state=dict(BOOKING_STATES)[booking.state],
                    )
                )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _do_request(self):
        self._set_state(
            "requested",
            {"next_attempt_at": False, "attempt_count": 0, "last_error": False},
            source="user",
        )
        if any(booking.provider_id._has_api() for booking in self):
            self._trigger_outbox()

    def _get_business_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return None
        record = self.env[self.res_model].browse(self.res_id)
        return record if record.exists() else None

    @api.model
    def _trigger_outbox(self):
        cron = self.env.ref("pemkab_delivery.ir_cron_booking_outbox", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    def _log_event(
        self,
        source,
        status=None,
        courier_status=None,
        event_key=None,
        applied=False,
        note=None,
        payload=None,
        date=None,
    ):
        self.ensure_one()
        if payload is not None and not isinstance(payload, str):
            payload = json.dumps(payload, indent=1, sort_keys=True, default=str)
        return (
            self.env["pemkab.delivery.booking.event"]
            .sudo()
            .create(
                {
                    "booking_id": self.id,
                    "source": source,
                    "status": status,
                    "courier_status": courier_status,
                    "event_key": event_key,
                    "applied": applied,
                    "note": note,
                    "payload": payload,
                    "date": date or fields.Datetime.now(),
                }
            )
        )

    def _set_state(self, state, vals=None, source="system", note=None, payload=None):
        """Move the bookings to ``state`` in one write, record it in their history and
        tell their business records."""
        if not self:
            return
        old_states = {booking.id: booking.state for booking in self}
        self.write(dict(vals or {}, state=state))
        if payload is not None and not isinstance(payload, str):
            payload = json.dumps(payload, indent=1, sort_keys=True, default=str)
        now = fields.Datetime.now()
        self.env["pemkab.delivery.booking.event"].sudo().create(
            [
                {
                    "booking_id": booking.id,
                    "source": source,
                    "status": state,
                    "applied": True,
                    "note": note,
                    "payload": payload,
                    "date": now,
                }
                for booking in self
            ]
        )
        changed = self.filtered(lambda booking: old_states[booking.id] != state)
        records = changed._get_business_records()
        for booking in changed:
            booking._on_state_changed(old_states[booking.id], records.get(booking.id))

    def _get_business_records(self):
        """{booking id: its business record (existing)}, one query per model."""
        by_model = {}
        for booking in self:
            if booking.res_model and booking.res_id and booking.res_model in self.env:
                by_model.setdefault(booking.res_model, []).append(booking)
        result = {}
        for model, bookings in by_model.items():
            existing = set(self.env[model].browse([b.res_id for b in bookings]).exists().ids)
            for booking in bookings:
                if booking.res_id in existing:
                    result[booking.id] = self.env[model].browse(booking.res_id)
        return result

    def _on_state_changed(self, old_state, record=False):
        """Tell the business record, and the responsible officer of a failure."""
        self.ensure_one()
        if self.state == "failed":
            self._notify_failure()
        if record is False:
            record = self._get_business_record()
        if record and hasattr(record, "_delivery_on_booking_update"):
            record._delivery_invalidate()
            record._delivery_on_booking_update(self, old_state)

    def _notify_failure(self):
        self.ensure_one()
        reason = dict(self._fields["failure_reason"]._description_selection(self.env)).get(
            self.failure_reason, ""
        )
        body = self.env._(
            "Courier booking %(ref)s failed: %(reason)s %(detail)s",
            ref=self.name,
            reason=reason,
            detail=self.failure_message or "",
        )
        record = self._get_business_record()
        target = record if record and hasattr(record, "message_post") else self
        target.sudo().message_post(body=body, message_type="notification")
        user = self.responsible_user_id or self.create_uid
        if user and hasattr(target, "activity_schedule"):
            target.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Courier booking failed"),
                note=body,
                user_id=user.id,
            )

    def _apply_courier_update(self, info, source, event_key=None, payload=None, date=None):
        """Apply what the courier says of the order (webhook, poll, booking answer).

        Every update is kept in the history. It is applied only when it moves the booking
        forward: a duplicate changes nothing; a late "picked up" after "delivered" is
        recorded, not applied.

        :param info: a ``clients.base.OrderInfo``
        :return: whether the booking changed state
        """
        self.ensure_one()
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
        elif _state_rank(new_state) < _state_rank(self.state):
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
                details["failure_reason"] = _failure_reason(info.failure_reason)
                details["failure_message"] = info.failure_reason or False
            if new_state == "delivered" and not details.get("delivered_at"):
                details["delivered_at"] = fields.Datetime.now()
            self.write(details)
            self._on_state_changed(old_state)
        return applied

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
                phone = info.driver_phone
            if phone != self.driver_phone:
                vals["driver_phone"] = phone
        if info.price and info.status == "delivered":
            vals["final_price"] = info.price
        if info.delivered_at:
            vals["delivered_at"] = parse_courier_datetime(info.delivered_at)
        return vals

    # ------------------------------------------------------------------
    # Outbox (scheduled action)
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_outbox(self, batch_size=50):
        """Send due bookings to their couriers (book, or cancel), in parallel.

        Safe to run on several servers at once: a booking is claimed with
        ``FOR UPDATE SKIP LOCKED`` and a lease that is committed before any call.
        """
        auto_commit = not modules.module.current_test
        jobs = self._outbox_claim(batch_size)
        if auto_commit:
            # the claims hold; no row stays locked during the calls
            self.env["ir.cron"]._commit_progress()
        if not jobs:
            return 0
        prepared = self._outbox_prepare(jobs)
        if auto_commit:
            # end the read snapshot: answers are recorded in fresh transactions that see
            # what users changed meanwhile
            self.env["ir.cron"]._commit_progress()
        outcomes = self._outbox_run(prepared)
        done = 0
        for job, outcome in outcomes:
            if self._outbox_record(job, outcome, auto_commit):
                done += 1
        if len(jobs) >= batch_size:
            self._trigger_outbox()
        return done

    @api.model
    def _outbox_record(self, job, outcome, auto_commit, tries=3):
        """Record one answer in its own transaction, retried when a user's concurrent
        change makes PostgreSQL refuse it. Returns whether it was recorded.

        An answer that cannot be recorded is not lost: the booking keeps its claim until
        the lease ends, then the next run looks the order up by our reference.
        """
        booking = self.browse(job["booking_id"])
        for attempt in range(1, tries + 1):
            try:
                booking._outbox_apply(job, outcome)
                if auto_commit:
                    self.env["ir.cron"]._commit_progress(1)
                return True
            except psycopg2.errors.SerializationFailure:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                if attempt == tries:
                    _logger.warning(
                        "Courier outbox: %s kept conflicting; left for later", job["ref"]
                    )
            except Exception:
                if not auto_commit:
                    raise
                _logger.exception("Courier outbox: could not record the answer for %s", job["ref"])
                self.env.cr.rollback()
                return False
        return False

    @api.model
    def _outbox_claim(self, limit):
        """Claim due bookings for this run; return their jobs.

        A job is a plain dict: ``booking_id``, ``ref``, ``action`` ('book' or 'cancel') and
        ``lookup_first`` (an earlier attempt may have reached the courier).
        """
        now = fields.Datetime.now()
        self.env["pemkab.delivery.booking"].flush_model()
        self.env.cr.execute(
            """
            SELECT b.id
              FROM pemkab_delivery_booking b
              JOIN pemkab_courier_provider p ON p.id = b.provider_id
             WHERE p.kind != 'manual'
               AND ((b.state = 'requested' AND b.courier_order_ref IS NULL)
                    OR (b.cancel_requested AND b.state NOT IN ('delivered', 'failed')))
               AND (b.next_attempt_at IS NULL OR b.next_attempt_at <= %s)
               AND (b.claimed_until IS NULL OR b.claimed_until < %s)
             ORDER BY b.next_attempt_at NULLS FIRST, b.id
             LIMIT %s
               FOR UPDATE OF b SKIP LOCKED
            """,
            (now, now, limit),
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if not ids:
            return []
        self.env.cr.execute(
            """
            UPDATE pemkab_delivery_booking
               SET claimed_until = %s,
                   attempt_count = attempt_count + 1
             WHERE id IN %s
         RETURNING id, name, attempt_count, cancel_requested, courier_order_ref
            """,
            (now + CLAIM_LEASE, tuple(ids)),
        )
        rows = self.env.cr.fetchall()
        self.invalidate_model(["claimed_until", "attempt_count"])
        jobs = []
        for booking_id, name, attempts, cancel, courier_ref in sorted(rows):
            if cancel:
                # cancel the courier's order; without its number, look it up first
                action = "cancel" if courier_ref else "lookup_cancel"
            else:
                action = "book"
            jobs.append(
                {
                    "booking_id": booking_id,
                    "ref": name,
                    "action": action,
                    "lookup_first": attempts > 1,
                }
            )
        return jobs

    @api.model
    def _outbox_prepare(self, jobs):
        """Add to each job, in the main thread, what the worker needs: client and payload."""
        bookings = self.browse([job["booking_id"] for job in jobs])
        bookings.fetch(["provider_id", "shelter_id", "recipient_name", "latitude"])
        prepared = []
        for job, booking in zip(jobs, bookings, strict=True):
            try:
                client = booking.provider_id._courier_client()
            except UserError as error:
                job["client"] = None
                job["setup_error"] = str(error)
                prepared.append(job)
                continue
            exchanges = []
            client.on_exchange = exchanges.append
            job.update(
                client=client,
                exchanges=exchanges,
                provider_id=booking.provider_id.id,
                max_parallel=booking.provider_id.max_parallel,
                courier_ref=booking.courier_order_ref,
                payload=booking._courier_payload(),
            )
            prepared.append(job)
        return prepared

    def _courier_payload(self):
        """What the courier is told: the minimum, nothing sensitive."""
        self.ensure_one()
        shelter = self.shelter_id
        address = ", ".join(
            part
            for part in (
                self.street,
                self.desa_id.name,
                self.kecamatan_id.name and self.env._("Kec. %s", self.kecamatan_id.name),
                "Banyuwangi",
            )
            if part
        )
        shelter_address = ", ".join(
            part for part in (shelter.street, shelter.city or "Banyuwangi") if part
        )
        return {
            "origin": Location(
                name=shelter.name,
                phone=shelter.phone or "",
                address=shelter_address,
                latitude=shelter.latitude,
                longitude=shelter.longitude,
                note=self.env._("Pickup at the counter, parcel %s", self.package_code),
            ),
            "destination": Location(
                name=self.recipient_name,
                phone=self.recipient_phone,
                address=address,
                latitude=self.latitude,
                longitude=self.longitude,
                note=self.recipient_note or "",
            ),
            "package": Package(code=self.package_code, description=self.package_description or ""),
            "service_type": self.service_type,
        }

    @api.model
    def _outbox_run(self, jobs):
        """Run the jobs' courier calls in worker threads, at most ``max_parallel`` per
        provider at once. Workers only talk HTTP; they never touch the database."""
        semaphores = {}
        for job in jobs:
            if job.get("client"):
                semaphores.setdefault(
                    job["provider_id"], threading.BoundedSemaphore(max(1, job["max_parallel"]))
                )
        workers = min(MAX_WORKERS, max(1, sum(s._initial_value for s in semaphores.values())))

        def work(job):
            if not job.get("client"):
                return job, None
            with semaphores[job["provider_id"]]:
                return job, _run_courier_job(job)

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pemkab-outbox") as pool:
            return list(pool.map(work, jobs))

    def _outbox_apply(self, job, outcome):
        """Record the answer of one job (main thread, its own short transaction)."""
        self.ensure_one()
        self.write({"claimed_until": False})
        for exchange in job.get("exchanges", []):
            self._log_event("api", note=_exchange_note(exchange), payload=exchange)
        if job.get("setup_error"):
            return self._outbox_failed(job["setup_error"])
        kind, value = outcome
        if kind == "error":
            error = value
            if error.retryable:
                return self._outbox_retry(error)
            if job["action"] in ("cancel", "lookup_cancel"):
                self.write({"cancel_requested": False})
                self._log_event("api", note=self.env._("Cancellation refused: %s", error.message))
                self.message_post(
                    body=self.env._("The courier refused the cancellation: %s", error.message)
                )
                return False
            return self._outbox_failed(error.message or error.code)
        info = value
        if job["action"] in ("cancel", "lookup_cancel"):
            self.write({"cancel_requested": False, "next_attempt_at": False})
            if self.state == "cancelled":
                self._log_event(
                    "api",
                    status="cancelled",
                    note=self.env._("The courier's order is cancelled too."),
                    payload=info.raw if info else None,
                )
                return False
            return self._set_state("cancelled", source="api", payload=info.raw if info else None)
        vals = {"next_attempt_at": False, "last_error": False}
        if kind == "found":
            self._log_event(
                "api",
                note=self.env._("Found the order made by an earlier attempt: not booked again."),
            )
        if info.price and not self.quoted_price:
            vals["quoted_price"] = info.price
        self.write(vals)
        if info.status == "requested":
            info.status = "booked"
        if self.state == "cancelled":
            # cancelled while the call was under way: the courier's order must go too
            self.write({"courier_order_ref": info.courier_ref, "cancel_requested": True})
            self._log_event("api", note=self.env._("Booked while being cancelled: cancelling it."))
            self._trigger_outbox()
            return False
        applied = self._apply_courier_update(info, "api")
        if self.cancel_requested:
            self._trigger_outbox()
        return applied

    def _outbox_retry(self, error):
        self.ensure_one()
        attempts = self.attempt_count
        if attempts >= self.provider_id.max_attempts:
            return self._outbox_failed(
                self.env._(
                    "%(error)s (after %(count)s attempts)", error=error.message, count=attempts
                )
            )
        delay = min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS)
        self.write(
            {
                "next_attempt_at": fields.Datetime.now() + timedelta(seconds=delay),
                "last_error": f"{error.code}: {error.message}",
            }
        )
        self._log_event(
            "system",
            note=self.env._(
                "Attempt %(count)s failed (%(error)s); next try in %(delay)s s.",
                count=attempts,
                error=error.message or error.code,
                delay=delay,
            ),
        )
        self._trigger_outbox_at(self.next_attempt_at)
        return False

    def _outbox_failed(self, message):
        self.ensure_one()
        if self.cancel_requested:
            # the user cancelled; the courier refused or could not be reached for good
            self.write({"cancel_requested": False, "last_error": message})
            self.message_post(
                body=self.env._("The courier could not cancel the order: %s", message)
            )
            return False
        self._set_state(
            "failed",
            {"failure_reason": "error", "failure_message": message, "last_error": message},
            source="system",
            note=message,
        )
        return False

    @api.model
    def _trigger_outbox_at(self, when):
        cron = self.env.ref("pemkab_delivery.ir_cron_booking_outbox", raise_if_not_found=False)
        if cron and when:
            cron.sudo()._trigger(when)

    # ------------------------------------------------------------------
    # Polling (scheduled action): bookings with no news for a while
    # ------------------------------------------------------------------
    @api.model
    def _cron_poll_bookings(self, batch_size=100):
        auto_commit = not modules.module.current_test
        now = fields.Datetime.now()
        candidates = self.search(
            [
                ("state", "in", ("booked", "driver_assigned", "picked_up")),
                ("provider_id.kind", "!=", "manual"),
                ("courier_order_ref", "!=", False),
            ],
            order="last_news_at asc nulls first, id",
            limit=batch_size * 4,
        )
        due = candidates.filtered(
            lambda b: not b.last_news_at
            or b.last_news_at <= now - timedelta(minutes=b.provider_id.poll_after_minutes)
        )[:batch_size]
        jobs = [
            {"booking_id": b.id, "ref": b.name, "action": "poll", "lookup_first": False}
            for b in due
        ]
        outcomes = self._outbox_run(self._outbox_prepare(jobs))
        for job, outcome in outcomes:
            booking = self.browse(job["booking_id"])
            for exchange in job.get("exchanges", []):
                booking._log_event("api", note=_exchange_note(exchange), payload=exchange)
            if outcome and outcome[0] == "ok":
                booking._apply_courier_update(outcome[1], "poll")
            elif outcome:
                booking.write({"last_news_at": now})
                booking._log_event("poll", note=self.env._("Poll failed: %s", outcome[1].message))
            if auto_commit:
                self.env["ir.cron"]._commit_progress(1)
        return len(jobs)


def _run_courier_job(job):
    """Worker thread: one courier call, no database. Returns ``(kind, value)``:
    ``('ok'|'found', OrderInfo)`` or ``('error', CourierError)``."""
    client, payload, ref = job["client"], job["payload"], job["ref"]
    try:
        if job["action"] == "poll":
            return "ok", client.get_order(ref)
        if job["action"] == "cancel":
            return "ok", client.cancel(ref, job.get("courier_ref"))
        if job["action"] == "lookup_cancel":
            found = _lookup(client, ref)
            if not found:
                return "not_found", None
            return "ok", client.cancel(ref, found.courier_ref)
        found = _lookup(client, ref) if job["lookup_first"] else None
        if found:
            return "found", found
        try:
            quote = client.quote(payload["origin"], payload["destination"], payload["service_type"])
        except CourierTimeout:
            raise
        except CourierError as error:
            if error.retryable:
                raise
            quote = None
        info = client.book(
            ref,
            payload["origin"],
            payload["destination"],
            payload["package"],
            payload["service_type"],
        )
        if quote and not info.price:
            info.price = quote.price
        return "ok", info
    except CourierError as error:
        return "error", error
    except Exception as error:  # noqa: BLE001 - a worker must always answer
        _logger.exception("Courier outbox: unexpected error for %s", ref)
        return "error", RetryableError(str(error), code="unexpected")


def _lookup(client, ref):
    """The courier's order for our reference, or None when the courier has none."""
    try:
        return client.get_order(ref)
    except OrderNotFound:
        return None


def _failure_reason(reason):
    known = {"no_driver", "rejected", "returned", "cancelled_by_courier"}
    return reason if reason in known else "rejected" if reason else "error"


def _exchange_note(exchange):
    status = exchange.get("status_code") or exchange.get("error") or "-"
    return f"{exchange.get('method', '')} {exchange.get('url', '')} -> {status}"[:250]


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
