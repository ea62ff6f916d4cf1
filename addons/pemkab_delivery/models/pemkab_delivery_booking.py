# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier bookings: one record per courier order. One model, one file, in sections:

* **Fields** of the booking;
* **States and buttons**: the state machine, the officers' and dispatchers' buttons,
  and how the document the booking serves (``res_model``/``res_id``, a
  ``pemkab.deliverable.mixin``) hears of every change of state;
* **Outbox**: the user's click only records the request. The scheduled action
  :meth:`_cron_process_outbox` claims due bookings with ``FOR UPDATE SKIP LOCKED`` plus a
  lease and a claim token, commits, calls the couriers in worker threads
  (``outbox/runner.py``, plain Python) without holding any row lock, then records each
  answer in its own short transaction as its call returns, if the run still holds the
  claim. A call whose outcome is unknown (timeout, crash) is reconciled by looking the
  order up by our own reference before anything else, so a retry never creates a second
  courier order; bookings without news for a while are polled;
* **Courier news**: what the courier says of a booking's order (booking answers,
  webhooks, polls), and the other courier orders of its reference
  (``stray_courier_refs``), which the outbox cancels: a second order number never
  replaces the booking's own;
* **Waiting for a person**: a booking call got no answer and the courier cannot be
  asked for an order by our reference (Grab documents no such lookup). Booking again
  blindly could make a second order; failing the booking could leave a driver riding
  for nobody. So the outbox leaves the booking alone, marked ``review_needed``, and tells
  its responsible officer, who checks with the courier, then clicks *No Order at the
  Courier* (the booking may be sent again, or is cancelled when a cancellation was
  asked) or enters the courier's order number (the booking follows it). The courier's
  news of the order (a webhook) ends the wait too;
* **Retention** of the courier's personal data (UU PDP: kept no longer than needed):
  the courier's payloads, the driver's phone number and the proof photos of a booking
  are purged a number of days after its final state (90 by default, an administrator
  sets it in Settings > Courier Deliveries), by the scheduled action *Courier
  Deliveries: purge courier data past retention*. The outcome stays: its state, dates,
  receiver, failure reason and price.

The vocabulary (states, failure reasons, board stages) is in ``const.py``.
"""

import collections
import contextlib
import functools
import json
import logging
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg2.errors
import pytz

from odoo import api, fields, models, modules, sql_db
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, mute_logger

from ..clients import STATUS_RANK, Location, Package, RetryableError
from ..const import (
    BOARD_STAGE_OF_STATE,
    BOARD_STAGES,
    BOOKING_STATES,
    FAILURE_REASONS,
    FINAL_STATES,
    ON_ITS_WAY_STATES,
)
from ..orm.bulk import insert_select
from ..outbox import run_jobs
from ..outbox.limiter import SharedRateLimiter
from ..outbox.runner import exchange_note
from .pemkab_shelter import SHELTER_TZ

_logger = logging.getLogger(__name__)

# outbox
CLAIM_LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 1800
CLAIM_TRIES = 5
# a concurrent transaction on the same rows (a webhook): the answer is recorded again
CONFLICTS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
)
# retention
RETENTION_PARAM = "pemkab_delivery.retention_days"
DEFAULT_RETENTION_DAYS = 90


def state_rank(state):
    """Order of the booking states, for refusing news that would move a booking back."""
    if state == "draft":
        return -1
    return STATUS_RANK.get(state, 0)


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


@contextlib.contextmanager
def _limiter_cursor(dbname):
    """A new cursor of its own for the rate limiter's token taking (outbox/limiter.py),
    committed when the block ends; a serialization failure it handles is not logged."""
    with sql_db.db_connect(dbname).cursor() as cr, mute_logger("odoo.sql_db"):
        yield cr


def _round_robin(rows):
    """The claimed rows (provider id last) by id within each account, the accounts taken
    in turn: the worker threads start on every account at once."""
    by_provider = {}
    for row in sorted(rows):
        by_provider.setdefault(row[-1], []).append(row)
    queues = list(by_provider.values())
    ordered = []
    for index in range(max(map(len, queues), default=0)):
        ordered.extend(queue[index] for queue in queues if index < len(queue))
    return ordered


class PemkabDeliveryBooking(models.Model):
    # ==================================================================
    # FIELDS
    # ==================================================================
    _name = "pemkab.delivery.booking"
    _description = "Courier Booking"
    _inherit = [
        "pemkab.document.mixin",
        "pemkab.address.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "pemkab.workflow.mixin",
    ]
    _order = "id desc"
    _rec_names_search = ["name", "courier_order_ref", "recipient_name"]
    # pemkab.workflow.mixin: the buttons, the outbox and the courier's news move these
    _workflow_protected_fields = ("state", "released")
    _pemkab_phone_fields = {"recipient_phone": True, "driver_phone": False}

    name = fields.Char(
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
    released = fields.Boolean(
        string="Released by the Document",
        readonly=True,
        copy=False,
        help="The document no longer waits for this booking (delivered by hand, cancelled, "
        "or failed by an officer): the courier's news is kept here only.",
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
    quoted_price = fields.Monetary(readonly=True, copy=False)
    final_price = fields.Monetary(readonly=True, copy=False, aggregator="sum")
    # courier side
    courier_order_ref = fields.Char(
        string="Courier Order", readonly=True, copy=False, index="btree_not_null"
    )
    tracking_url = fields.Char(readonly=True, copy=False)
    citizen_tracking_url = fields.Char(
        string="Citizen Link",
        compute="_compute_citizen_tracking_url",
        help="The public page of the document on which the recipient follows the parcel "
        "(the citizen's messages carry it).",
    )
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
    failure_reason = fields.Selection(FAILURE_REASONS, copy=False, tracking=True)
    failure_message = fields.Char(
        string="Failure Details", copy=False, help="The courier's own words."
    )
    cancel_requested = fields.Boolean(copy=False, readonly=True)
    cancel_reason = fields.Char(copy=False, tracking=True)
    # outbox
    attempt_count = fields.Integer(readonly=True, copy=False)
    next_attempt_at = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    claimed_until = fields.Datetime(readonly=True, copy=False)
    claim_token = fields.Char(
        readonly=True,
        copy=False,
        help="Which outbox run holds the claim: an answer is recorded only by that run.",
    )
    outcome_unknown = fields.Boolean(
        readonly=True,
        copy=False,
        help="A booking call got no answer: the courier may have made the order. It is "
        "looked up by our reference before anything else (another booking call, a "
        "cancellation, a failure).",
    )
    stray_courier_refs = fields.Char(
        string="Extra Courier Orders",
        readonly=True,
        copy=False,
        help="Other courier orders found for our reference (a late answer, a second "
        "order number): the outbox cancels them; the booking keeps its own order.",
    )
    last_error = fields.Text(readonly=True, copy=False)
    last_news_at = fields.Datetime(
        string="Last News", readonly=True, copy=False, help="Last webhook or poll answer."
    )
    event_ids = fields.One2many(
        "pemkab.delivery.booking.event", "booking_id", string="History", readonly=True
    )
    color = fields.Integer(compute="_compute_color")
    board_stage = fields.Selection(
        BOARD_STAGES,
        string="At the Shelter",
        compute="_compute_board_stage",
        store=True,
        index="btree_not_null",
        group_expand=True,
        help="The parcel's column on its shelter's board of the day.",
    )

    # waiting for a person
    review_needed = fields.Boolean(
        string="Needs a Person",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="A booking call got no answer and this courier cannot be asked for an order by "
        "our reference: check with the courier whether it has one, then confirm.",
    )
    # retention
    closed_at = fields.Datetime(
        string="Final Since",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the booking reached its final state: its courier data is purged a "
        "retention period after.",
    )
    purged_at = fields.Datetime(
        string="Courier Data Purged On",
        readonly=True,
        copy=False,
        help="The courier's payloads, the driver's phone and the proof photos were purged "
        "then; the outcome is kept.",
    )

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
        # one query per document model, not one per booking (the list shows the column)
        records = self._get_business_records()
        for booking in self:
            record = records.get(booking.id)
            booking.res_name = record.sudo().display_name if record else False

    def _compute_citizen_tracking_url(self):
        records = self._get_business_records()
        for booking in self:
            record = records.get(booking.id)
            url = False
            if record is not None and "delivery_citizen_url" in record._fields:
                url = record.sudo().delivery_citizen_url
            booking.citizen_tracking_url = url

    @api.depends("state", "released")
    def _compute_board_stage(self):
        for booking in self:
            released_cancel = booking.state == "cancelled" and booking.released
            booking.board_stage = not released_cancel and BOARD_STAGE_OF_STATE.get(booking.state)

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
        self._pemkab_check_values(vals_list)
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("state") in FINAL_STATES:
                vals.setdefault("closed_at", now)
        # the partial unique index (one booking under way per document) reads the state
        # the database holds: let it see the states changed in this transaction
        self.flush_model(["state"])
        bookings = super().create(vals_list)
        for provider, agency in {(b.provider_id, b.agency_id) for b in bookings}:
            provider._check_usable_by(agency)
        bookings._check_documents_writable()
        return bookings

    def write(self, vals):
        self._pemkab_check_values([vals])
        if vals.get("state") in FINAL_STATES and "closed_at" not in vals:
            # retention: when the booking became final
            open_ones = self.filtered(lambda booking: not booking.closed_at)
            if open_ones and open_ones != self:
                super(PemkabDeliveryBooking, open_ones).write({"closed_at": fields.Datetime.now()})
            elif open_ones:
                vals = dict(vals, closed_at=fields.Datetime.now())
        res = super().write(vals)
        if "res_model" in vals or "res_id" in vals:
            self._check_documents_writable()
        return res

    def _check_documents_writable(self):
        """A user books a courier only for a deliverable document that user may change:
        the courier's news will move it."""
        if self.env.su:
            return
        by_model = {}
        for booking in self:
            if booking.res_model or booking.res_id:
                by_model.setdefault(booking.res_model, set()).add(booking.res_id)
        for model, ids in by_model.items():
            if (
                not model
                or model not in self.env
                or not hasattr(self.env[model], "_delivery_on_booking_update")
            ):
                raise ValidationError(
                    self.env._(
                        "Related Model: %(model)s is not a document that couriers deliver.",
                        model=model or "",
                    )
                )
            records = self.env[model].browse(ids)
            if not all(ids) or len(records.exists()) != len(ids):
                raise ValidationError(
                    self.env._(
                        "Related Record: the %(document)s does not exist.",
                        document=self.env[model]._description,
                    )
                )
            records.check_access("write")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(b.state not in ("draft", "cancelled") for b in self):
            raise UserError(
                self.env._("Only draft or cancelled bookings can be deleted; cancel it first.")
            )

    # ==================================================================
    # STATES AND BUTTONS
    # ==================================================================
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
        for booking in self:
            # a call without an answer may have made an order: it is looked up, then
            # cancelled with the courier. A claim not released is a call under way, or
            # one whose run died before recording the answer.
            maybe_ordered = (
                booking.courier_order_ref or booking.outcome_unknown or booking.claim_token
            )
            if booking.provider_id._has_api() and maybe_ordered:
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
        """One click after a failure (e.g. no driver found): a new booking, new reference.
        Its document goes back to the shelter and follows the new booking."""
        self._check_can_rebook()
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
            if booking.state not in ON_ITS_WAY_STATES:
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
        errors = [
            self.env._("%(ref)s is not a draft.", ref=booking.name)
            for booking in self
            if booking.state != "draft"
        ]
        errors += self.filtered(lambda booking: booking.state == "draft")._request_errors()
        if errors:
            raise UserError("\n".join(errors))

    def _request_errors(self, limit=30):
        """What keeps these bookings from going to their courier, as messages (the
        first ``limit`` bookings concerned): the recipient's phone and address, and for
        a courier booked over an API the coordinates and the shelter's phone and
        coordinates. One query, whatever the number of bookings."""
        if not self:
            return []
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT b.id, b.shelter_id, b.provider_id, checks.*
                  FROM %(bookings)s b
                  JOIN %(providers)s p ON p.id = b.provider_id
                  JOIN %(shelters)s s ON s.id = b.shelter_id,
                       LATERAL (SELECT
                           COALESCE(b.recipient_phone, '') = '' AS no_phone,
                           COALESCE(b.street, '') = ''
                               AND (%(no_lat)s OR %(no_lng)s) AS no_address,
                           p.kind != 'manual' AND (%(no_lat)s OR %(no_lng)s) AS no_coordinates,
                           p.kind != 'manual' AND COALESCE(s.phone, '') = '' AS no_shelter_phone,
                           p.kind != 'manual'
                               AND (%(no_shelter_lat)s OR %(no_shelter_lng)s)
                               AS no_shelter_coordinates
                       ) AS checks
                 WHERE b.id = ANY(%(ids)s)
                   AND (checks.no_phone OR checks.no_address OR checks.no_coordinates
                        OR checks.no_shelter_phone OR checks.no_shelter_coordinates)
                 ORDER BY b.id
                 LIMIT %(limit)s
                """,
                bookings=SQL.identifier(self._table),
                providers=SQL.identifier(self.env["pemkab.courier.provider"]._table),
                shelters=SQL.identifier(self.env["pemkab.shelter"]._table),
                no_lat=SQL("COALESCE(b.latitude, 0) = 0"),
                no_lng=SQL("COALESCE(b.longitude, 0) = 0"),
                no_shelter_lat=SQL("COALESCE(s.latitude, 0) = 0"),
                no_shelter_lng=SQL("COALESCE(s.longitude, 0) = 0"),
                ids=self.ids,
                limit=limit,
            )
        )
        errors = []
        for booking_id, shelter_id, provider_id, *checks in rows:
            (no_phone, no_address, no_coordinates, no_shelter_phone, no_shelter_coordinates) = (
                checks
            )
            ref = self.browse(booking_id).name
            shelter = self.env["pemkab.shelter"].browse(shelter_id).display_name
            if no_phone:
                errors.append(self.env._("%(ref)s: the recipient has no phone.", ref=ref))
            if no_address:
                errors.append(
                    self.env._("%(ref)s: give the recipient's address or coordinates.", ref=ref)
                )
            if no_coordinates:
                errors.append(
                    self.env._(
                        "%(ref)s: %(courier)s needs the recipient's coordinates.",
                        ref=ref,
                        courier=self.env["pemkab.courier.provider"].browse(provider_id).name,
                    )
                )
            if no_shelter_phone:
                errors.append(
                    self.env._(
                        "%(ref)s: shelter %(shelter)s has no contact phone for the driver.",
                        ref=ref,
                        shelter=shelter,
                    )
                )
            if no_shelter_coordinates:
                errors.append(
                    self.env._(
                        "%(ref)s: shelter %(shelter)s has no coordinates.",
                        ref=ref,
                        shelter=shelter,
                    )
                )
        return errors

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

    def _check_can_rebook(self):
        errors = []
        for booking in self:
            if booking.state != "failed":
                errors.append(
                    self.env._(
                        "%(ref)s: only a failed booking can be booked again.", ref=booking.name
                    )
                )
                continue
            if booking.released:
                errors.append(
                    self.env._(
                        "%(ref)s: its document no longer waits for a courier.", ref=booking.name
                    )
                )
                continue
            record = booking._get_business_record()
            if record is None:
                continue
            if booking != record._delivery_current_bookings().get(record.id):
                errors.append(
                    self.env._(
                        "%(ref)s: %(record)s has a newer courier booking.",
                        ref=booking.name,
                        record=record.display_name,
                    )
                )
            elif record[record._delivery_state_field] not in record._delivery_returned_states():
                errors.append(
                    self.env._(
                        "%(ref)s: %(record)s is not waiting to be dispatched again.",
                        ref=booking.name,
                        record=record.display_name,
                    )
                )
            else:
                errors += record._delivery_dispatch_errors()
        if errors:
            raise UserError("\n".join(errors))

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
        self._set_state("requested", self._request_vals(), source="user")
        if any(booking.provider_id._has_api() for booking in self):
            self._hold_until_shelters_open()
            self._trigger_outbox()

    @api.model
    def _request_vals(self):
        """What a request writes besides the state: the outbox starts afresh."""
        return {"next_attempt_at": False, "attempt_count": 0, "last_error": False}

    def _do_request_inserted(self):
        """What :meth:`_do_request` does for bookings just inserted in the state
        ``requested`` (the bulk path, see ``insert_bookings_select``), in a constant
        number of queries: their history line (one ``INSERT ... SELECT``), the hold
        until their shelters open, the outbox woken. Their documents wait at the shelter:
        a booking requested has nothing to tell them."""
        insert_select(
            self.env["pemkab.delivery.booking.event"].sudo(),
            {
                "booking_id": SQL("b.id"),
                "source": SQL("%s", "user"),
                "status": SQL("%s", "requested"),
                "applied": SQL("TRUE"),
                "date": SQL("%s", fields.Datetime.now()),
            },
            SQL(
                "FROM %s b WHERE b.id = ANY(%s) ORDER BY b.id",
                SQL.identifier(self._table),
                self.ids,
            ),
        )
        self.invalidate_recordset(["event_ids"])
        if self._hold_until_shelters_open() is not None:
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
        self._workflow().write(dict(vals or {}, state=state))
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
            # records iterated out of one recordset share its prefetch: reading a field of
            # one reads it for all
            existing = {
                record.id: record
                for record in self.env[model].browse([b.res_id for b in bookings]).exists()
            }
            for booking in bookings:
                if booking.res_id in existing:
                    result[booking.id] = existing[booking.res_id]
        return result

    def _on_state_changed(self, old_state, record=False):
        """Tell the business record, and the responsible officer of a failure."""
        self.ensure_one()
        if self.state == "failed":
            self._notify_failure()
        if record is False:
            record = self._get_business_record()
        if record and hasattr(record, "_delivery_on_booking_update"):
            if not record.env.su:
                # the news moves the document with the user's own rights on it
                record.check_access("write")
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

    # ==================================================================
    # OUTBOX: CLAIM, PREPARE, CALL, RECORD, RETRY, POLL
    # ==================================================================
    # ------------------------------------------------------------------
    # Outbox (scheduled action)
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_outbox(self, batch_size=50, max_batches=100):
        """Send due bookings to their couriers (book, look up, cancel), in parallel.

        Safe to run on several servers at once: a booking is claimed with
        ``FOR UPDATE SKIP LOCKED`` and a lease that is committed before any call. A batch
        holds up to ``batch_size`` bookings of each account, called at once. Each
        answer is recorded and committed as soon as its call returns. Batches follow one
        another while the scheduler's time budget (what ``_commit_progress`` returns)
        lasts; what is still due is then reported as ``remaining``, and the scheduler
        runs the job again at once.
        """
        auto_commit = not modules.module.current_test
        done = 0
        for _batch in range(max_batches):
            jobs = self._outbox_claim(batch_size, auto_commit)
            if not jobs:
                break
            if auto_commit:
                # the claims hold; no row stays locked during the calls
                self.env["ir.cron"]._commit_progress()
            prepared = self._outbox_prepare(jobs)
            if auto_commit:
                # end the read snapshot: answers are recorded in fresh transactions that
                # see what users changed meanwhile
                self.env["ir.cron"]._commit_progress()
            time_left = float("inf")
            for job, outcome in self._outbox_run(prepared):
                recorded, time_left = self._outbox_record(job, outcome, auto_commit)
                done += recorded
            per_account = collections.Counter(job["provider_id"] for job in jobs)
            if max(per_account.values()) < batch_size or time_left <= 0:
                break
        if auto_commit:
            self.env["ir.cron"]._commit_progress(remaining=self._outbox_due_count())
        return done

    @api.model
    def _outbox_record(self, job, outcome, auto_commit, tries=3):
        """Record one answer in its own transaction, retried when a user's concurrent
        change makes PostgreSQL refuse it. Returns (whether it was recorded, seconds
        left in the scheduler's budget).

        An answer that cannot be recorded is not lost: the booking keeps its claim until
        the lease ends, then the next run takes the outcome as unknown (it looks the order
        up by our reference, or the booking waits for a person).
        """
        booking = self.browse(job["booking_id"])
        for attempt in range(1, tries + 1):
            try:
                # a conflict is expected and recorded again: not an error in the log
                with mute_logger("odoo.sql_db"):
                    booking._outbox_apply(job, outcome)
                if auto_commit:
                    return True, self.env["ir.cron"]._commit_progress(1)
                return True, float("inf")
            except CONFLICTS:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                if attempt == tries:
                    _logger.warning(
                        "Courier outbox: %s kept conflicting; left for later", job["ref"]
                    )
            except Exception:
                if not auto_commit:
                    raise
                _logger.exception("Courier outbox: could not record the answer for %s", job["ref"])
                self.env.cr.rollback()
                return False, float("inf")
        return False, float("inf")

    @api.model
    def _outbox_due_sql(self, now):
        """The bookings (alias ``b``, their provider ``p``) the outbox has to send now."""
        return SQL(
            """
                p.kind != 'manual'
            AND ((b.state = 'requested' AND b.courier_order_ref IS NULL)
                 OR (b.cancel_requested AND b.state NOT IN ('delivered', 'failed'))
                 OR b.stray_courier_refs IS NOT NULL)
            AND (b.next_attempt_at IS NULL OR b.next_attempt_at <= %(now)s)
            AND (b.claimed_until IS NULL OR b.claimed_until < %(now)s)
            AND b.review_needed IS NOT TRUE
            """,
            now=now,
        )

    @api.model
    def _outbox_due_count(self):
        self.env["pemkab.delivery.booking"].flush_model()
        self.env["pemkab.courier.provider"].flush_model(["kind"])
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*)
                  FROM pemkab_delivery_booking b
                  JOIN pemkab_courier_provider p ON p.id = b.provider_id
                 WHERE %s
                """,
                self._outbox_due_sql(fields.Datetime.now()),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _outbox_claim(self, limit, auto_commit=False, tries=CLAIM_TRIES):
        """Claim due bookings for this run, up to ``limit`` of each courier account;
        return their jobs, the accounts in turn.

        Another server's commit on a due row since this transaction's snapshot makes
        PostgreSQL refuse the lock (SerializationFailure): the claim then starts again
        in a fresh transaction instead of crashing the run.

        A job is a plain dict: ``booking_id``, ``ref``, ``action`` ('book', 'lookup',
        'cancel', 'lookup_cancel' or 'none'), ``lookup_first`` (an earlier attempt may
        have reached the courier), ``claim_token``, ``strays`` (other courier orders of
        the reference, to cancel) and ``provider_id``.
        """
        for attempt in range(1, tries + 1):
            try:
                with mute_logger("odoo.sql_db"):
                    return self._outbox_claim_once(limit)
            except psycopg2.errors.SerializationFailure:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                if attempt == tries:
                    _logger.warning("Courier outbox: the claim kept conflicting; next run")
                    return []
                time.sleep(random.uniform(0.01, 0.05 * attempt))  # noqa: S311 - jitter
        return []

    @api.model
    def _outbox_claim_once(self, limit):
        now = fields.Datetime.now()
        self.env["pemkab.delivery.booking"].flush_model()
        self.env["pemkab.courier.provider"].flush_model(
            ["kind", "max_attempts", "lookup_by_reference"]
        )
        # up to ``limit`` bookings of each account: the accounts are called at once, each
        # at its own parallel calls, and one account's backlog holds no other one back
        self.env.cr.execute(
            SQL(
                """
                SELECT b.id
                  FROM pemkab_courier_provider p
                 CROSS JOIN LATERAL (
                        SELECT b.id, b.next_attempt_at
                          FROM pemkab_delivery_booking b
                         WHERE b.provider_id = p.id AND %s
                         ORDER BY b.next_attempt_at NULLS FIRST, b.id
                         LIMIT %s
                           FOR UPDATE OF b SKIP LOCKED
                       ) b
                """,
                self._outbox_due_sql(now),
                limit,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if not ids:
            return []
        token = uuid.uuid4().hex
        # a claim still held after its lease: the run died (or could not record the
        # answer) with its call in flight; a booking call may have made the order
        self.env.cr.execute(
            SQL(
                """
                UPDATE pemkab_delivery_booking b
                   SET claimed_until = %s,
                       claim_token = %s,
                       attempt_count = b.attempt_count + 1,
                       outcome_unknown = b.outcome_unknown
                           OR (b.claim_token IS NOT NULL AND b.state = 'requested'
                               AND b.courier_order_ref IS NULL)
                  FROM pemkab_courier_provider p
                 WHERE p.id = b.provider_id AND b.id IN %s
             RETURNING b.id, b.name, b.attempt_count, b.cancel_requested, b.courier_order_ref,
                       b.state, b.outcome_unknown, b.stray_courier_refs, p.max_attempts,
                       p.lookup_by_reference, b.provider_id
                """,
                now + CLAIM_LEASE,
                token,
                tuple(ids),
            )
        )
        rows = self.env.cr.fetchall()
        self.invalidate_model(["claimed_until", "claim_token", "attempt_count"])
        jobs = []
        for row in _round_robin(rows):
            (booking_id, name, attempts, cancel, courier_ref, state, unknown, strays) = row[:8]
            max_tries, can_lookup, provider_id = row[8:]
            if cancel and courier_ref:
                action = "cancel"
            elif cancel:
                # without its number, look the order up first; a courier that cannot be
                # asked got a known answer (no order), or the booking waits for a person
                action = "lookup_cancel" if can_lookup else "review" if unknown else "cancel_local"
            elif state == "requested" and not courier_ref and unknown and not can_lookup:
                # a call may have made an order nobody can ask about: never book blindly
                action = "review"
            elif state == "requested" and not courier_ref:
                # the attempts are spent but the last call may have made the order: only
                # look it up; a booking is failed only when the courier says it has none
                action = "lookup" if unknown and attempts > max_tries else "book"
            else:
                action = "none"
            jobs.append(
                {
                    "booking_id": booking_id,
                    "ref": name,
                    "action": action,
                    "lookup_first": bool(can_lookup) and (attempts > 1 or bool(unknown)),
                    "claim_token": token,
                    "strays": split_refs(strays, exclude=courier_ref),
                    "provider_id": provider_id,
                }
            )
        return jobs

    def _outbox_shelter_closed_until(self, now, cache):
        """When the booking's shelter opens next, if it is closed at ``now``, else False
        (``cache``: {shelter id: answer}, shared by a batch)."""
        self.ensure_one()
        return self._shelter_closed_until(self.shelter_id, now, cache)

    @api.model
    def _shelter_closed_until(self, shelter, now, cache):
        """When ``shelter`` opens next, if it is closed at ``now``, else False."""
        if shelter.id not in cache:
            opens = shelter._next_open_at(now)
            cache[shelter.id] = opens if opens and opens > now else False
        return cache[shelter.id]

    def _hold_until_shelters_open(self):
        """Bookings for a closed shelter wait for its next opening: a driver sent now
        would find the counter shut. Set-based (one query, then one write for each
        closed shelter); returns None when no booking is booked over an API."""
        now = fields.Datetime.now()
        cache = {}
        held = {}
        any_api = None
        for provider, shelter, ids in self.sudo()._read_group(
            [("id", "in", self.ids)], ["provider_id", "shelter_id"], ["id:array_agg"]
        ):
            if not provider._has_api():
                continue
            any_api = True
            opens = self._shelter_closed_until(shelter, now, cache)
            if opens:
                held.setdefault(opens, []).extend(ids)
        for opens, ids in held.items():
            self.browse(ids).write({"next_attempt_at": opens})
        return any_api

    def _outbox_hold(self, opens):
        self.ensure_one()
        self.write({"next_attempt_at": opens})
        local = pytz.utc.localize(opens).astimezone(pytz.timezone(SHELTER_TZ))
        self._log_event(
            "system",
            note=self.env._(
                "Shelter %(shelter)s is closed: the courier is booked when it opens, %(when)s.",
                shelter=self.shelter_id.display_name,
                when=local.strftime("%Y-%m-%d %H:%M WIB"),
            ),
        )
        self._trigger_outbox_at(opens)
        return False

    @api.model
    def _outbox_prepare(self, jobs):
        """Add to each job, in the main thread, what the worker needs: client and payload.

        A booking whose client cannot be set up (a missing credential, a neutralised
        database, any error of the account) gets a ``setup_error``: it alone is recorded
        as failed, the rest of the run goes on.
        """
        bookings = self.browse([job["booking_id"] for job in jobs])
        bookings.fetch(["provider_id", "shelter_id", "recipient_name", "latitude"])
        prepared = []
        now = fields.Datetime.now()
        closed = {}
        rates = {}
        limiter = SharedRateLimiter(functools.partial(_limiter_cursor, self.env.cr.dbname), rates)
        for job, booking in zip(jobs, bookings, strict=True):
            if job["action"] == "book" and booking._outbox_shelter_closed_until(now, closed):
                # due (a retry, a rebooking) while its shelter is closed: no call
                job.update(client=None, closed_until=closed[booking.shelter_id.id])
                prepared.append(job)
                continue
            try:
                client = booking.provider_id._courier_client()
            except UserError as error:
                client, message = None, str(error)
            except Exception as error:  # noqa: BLE001 - one bad account must not stop the run
                _logger.warning(
                    "Courier outbox: account %s cannot be used: %s", booking.provider_id.id, error
                )
                client = None
                message = self.env._(
                    "Courier provider %(provider)s cannot be used: %(error)s",
                    provider=booking.provider_id.name,
                    error=error,
                )
            if client is None:
                job["client"] = None
                job["setup_error"] = message
                prepared.append(job)
                continue
            exchanges = []
            client.on_exchange = exchanges.append
            rate = booking.provider_id.rate_limit_per_s
            # the buckets are shared through committed rows: not inside a test's
            # never-committed transaction (tests/test_outbox_faults.py runs it for real)
            if rate and not modules.module.current_test:
                rates[booking.provider_id.id] = rate
                client.before_request = functools.partial(limiter, booking.provider_id.id)
            job.update(
                client=client,
                exchanges=exchanges,
                provider_id=booking.provider_id.id,
                max_parallel=booking.provider_id.max_parallel,
                courier_ref=booking.courier_order_ref,
                payload=booking._courier_payload() if job["action"] == "book" else None,
            )
            prepared.append(job)
        if rates:
            limiter.rates.update(rates)
            limiter.ensure_buckets()
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
        """Run the jobs' courier calls in worker threads (plain Python, no database)."""
        return run_jobs(jobs)

    def _outbox_apply(self, job, outcome):
        """Record the answer of one job (main thread, its own short transaction)."""
        self.ensure_one()
        for exchange in job.get("exchanges", []):
            self._log_event("api", note=exchange_note(exchange), payload=exchange)
        if job["action"] == "poll":
            return self._outbox_apply_poll(job, outcome)
        if not self._outbox_holds_claim(job):
            return self._outbox_late_answer(job, outcome)
        self.write({"claimed_until": False, "claim_token": False})
        self._outbox_apply_strays(job)
        if outcome is None:
            return self._outbox_apply_no_call(job)
        kind, value = outcome
        if job.get("unknown") and self.courier_order_ref:
            return self._outbox_known_by_news()
        self._outbox_update_outcome_unknown(job, kind)
        if job.get("unknown") and not self.provider_id.lookup_by_reference:
            return self._outbox_wait_for_review(value)
        if kind == "error":
            return self._outbox_apply_error(job, value)
        if kind == "not_found" and job["action"] == "lookup":
            return self._outbox_failed(
                self.env._(
                    "The courier has no order for %(ref)s after %(count)s attempts (%(error)s).",
                    ref=self.name,
                    count=self.attempt_count - 1,
                    error=self.last_error or "-",
                )
            )
        info = value
        if job["action"] in ("cancel", "lookup_cancel", "cancel_local"):
            return self._outbox_apply_cancelled(info)
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

    def _outbox_apply_no_call(self, job):
        """A job that called nobody: its shelter is closed, the booking waits for a person,
        or its account cannot be used."""
        self.ensure_one()
        if job.get("closed_until"):
            self.attempt_count -= 1
            return self._outbox_hold(job["closed_until"])
        if job["action"] == "review":
            return self._outbox_wait_for_review(
                RetryableError(
                    self.env._("the run sending it stopped before the courier's answer"),
                    code="interrupted",
                )
            )
        if job.get("setup_error"):
            return self._outbox_failed(job["setup_error"])
        return False

    def _outbox_known_by_news(self):
        """The booking call got no answer, but the courier's news (a webhook) named the
        order meanwhile: nothing is unknown, nothing is sent again."""
        self.ensure_one()
        self.write({"outcome_unknown": False, "next_attempt_at": False, "last_error": False})
        self._log_event(
            "api",
            note=self.env._(
                "No answer to the booking call, but the courier's news named its order %s: "
                "not sent again.",
                self.courier_order_ref,
            ),
        )
        if self.cancel_requested:
            self._trigger_outbox()
        return False

    def _outbox_update_outcome_unknown(self, job, kind):
        """Whether the courier may have an order we do not know of, after this job."""
        self.ensure_one()
        if job.get("unknown"):
            self.outcome_unknown = True
        elif kind == "found" or job.get("absent"):
            self.outcome_unknown = False

    def _outbox_apply_error(self, job, error):
        self.ensure_one()
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

    def _outbox_apply_cancelled(self, info):
        """The courier cancelled its order (``info`` None: it had none)."""
        self.ensure_one()
        self.write({"cancel_requested": False, "next_attempt_at": False, "outcome_unknown": False})
        if self.state == "cancelled":
            self._log_event(
                "api",
                status="cancelled",
                note=self.env._("The courier's order is cancelled too."),
                payload=info.raw if info else None,
            )
            return False
        return self._set_state("cancelled", source="api", payload=info.raw if info else None)

    def _outbox_holds_claim(self, job):
        """Whether this job's run still holds the booking's claim (row locked till commit).

        Another run claims a booking once its lease has ended; from then on, only that
        run's answer is recorded."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT claim_token FROM pemkab_delivery_booking WHERE id = %s FOR UPDATE",
                self.id,
            )
        )
        row = self.env.cr.fetchone()
        self.invalidate_recordset(["claim_token", "claimed_until"])
        return bool(row and job.get("claim_token") and row[0] == job["claim_token"])

    def _outbox_late_answer(self, job, outcome):
        """An answer after this run's claim was lost: kept in the history, not applied.
        An order it made is cancelled unless the booking turns out to have it as its own."""
        self.ensure_one()
        kind, info = outcome if outcome else (None, None)
        note = self.env._("Answer after the claim passed to another run: not applied.")
        made = info if kind == "ok" and job["action"] == "book" else None
        if made and made.courier_ref and made.courier_ref != self.courier_order_ref:
            self._add_stray_courier_refs([made.courier_ref])
            note = self.env._(
                "Answer after the claim passed to another run: not applied; its courier "
                "order %s is cancelled unless it is the booking's own.",
                made.courier_ref,
            )
        self._log_event(
            "api",
            status=made.status if made else None,
            note=note,
            payload=made.raw if made else None,
        )
        return False

    def _outbox_apply_poll(self, job, outcome):
        self.ensure_one()
        # the row first: a concurrent webhook's change of the booking then shows as a
        # conflict (recorded again in a fresh transaction), not as a clash of what both
        # add (the follower of an activity)
        self.env.cr.execute(
            SQL("SELECT id FROM pemkab_delivery_booking WHERE id = %s FOR UPDATE", self.id)
        )
        if outcome and outcome[0] == "ok":
            return self._apply_courier_update(outcome[1], "poll")
        error = job.get("setup_error") or (outcome[1].message if outcome else "-")
        self.write({"last_news_at": fields.Datetime.now()})
        self._log_event("poll", note=self.env._("Poll failed: %s", error))
        return False

    def _outbox_retry(self, error):
        self.ensure_one()
        attempts = self.attempt_count
        spent = attempts >= self.provider_id.max_attempts
        if spent and not self.outcome_unknown:
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
        if spent:
            note = self.env._(
                "Attempt %(count)s got no answer (%(error)s): the courier may have the "
                "order. It is looked up in %(delay)s s before the booking is failed.",
                count=attempts,
                error=error.message or error.code,
                delay=delay,
            )
        else:
            note = self.env._(
                "Attempt %(count)s failed (%(error)s); next try in %(delay)s s.",
                count=attempts,
                error=error.message or error.code,
                delay=delay,
            )
        self._log_event("system", note=note)
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
        """Look up bookings with no news for a while (archived accounts included: their
        live bookings still need news). The read snapshot ends before the courier calls;
        each answer is recorded in its own transaction, retried on a concurrent change
        (a webhook for the same booking), so one conflict never loses the rest."""
        auto_commit = not modules.module.current_test
        now = fields.Datetime.now()
        candidates = self.with_context(active_test=False).search(
            [
                ("state", "in", ON_ITS_WAY_STATES),
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
        prepared = self._outbox_prepare(jobs)
        if auto_commit:
            self.env["ir.cron"]._commit_progress()
        for job, outcome in self._outbox_run(prepared):
            self._outbox_record(job, outcome, auto_commit)
        return len(jobs)

    # ==================================================================
    # COURIER NEWS: BOOKING ANSWERS, WEBHOOKS, POLLS
    # ==================================================================
    def _apply_courier_update(self, info, source, event_key=None, payload=None, date=None):
        """Apply what the courier says of the order (webhook, poll, booking answer).

        Every update is kept in the history. It is applied only when it moves the booking
        forward: a duplicate changes nothing; a late "picked up" after "delivered" is
        recorded, not applied. News of a second courier order for our reference never
        replaces the booking's own.

        The news naming the order of a booking waiting for a person ends the wait: the
        booking follows that order, nobody has to check (and the person's buttons would
        move it back).

        :param info: a ``clients.base.OrderInfo``
        :return: whether the booking changed state
        """
        self.ensure_one()
        waiting = self.review_needed and self.sudo().activity_ids
        own_ref = self.courier_order_ref
        if info.courier_ref and own_ref and info.courier_ref != own_ref:
            applied = self._apply_other_order_update(info, source, event_key, payload, date)
        else:
            applied = self._apply_own_order_update(info, source, event_key, payload, date)
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

    def _apply_own_order_update(self, info, source, event_key, payload, date):
        """News of the booking's own order: applied when it moves the booking forward."""
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

    # ==================================================================
    # WAITING FOR A PERSON
    # ==================================================================
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

    # ==================================================================
    # RETENTION OF THE COURIER'S DATA
    # ==================================================================
    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _retention_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM)
        try:
            days = int(value or DEFAULT_RETENTION_DAYS)
        except ValueError:
            return DEFAULT_RETENTION_DAYS
        return days if days > 0 else DEFAULT_RETENTION_DAYS

    @api.model
    def _cron_purge_courier_data(self, batch_size=500, auto_commit=True):
        """Purge the courier data of the bookings final for longer than the retention
        period, by batches (one commit each when run as the scheduled action)."""
        limit = fields.Datetime.now() - timedelta(days=self._retention_days())
        domain = [("closed_at", "<", limit), ("purged_at", "=", False)]
        Booking = self.sudo().with_context(active_test=False)
        total = 0
        while True:
            bookings = Booking.search(domain, limit=batch_size, order="closed_at, id")
            if not bookings:
                return total
            bookings._purge_courier_data()
            total += len(bookings)
            if auto_commit:
                remaining = Booking.search_count(domain)
                if self.env["ir.cron"]._commit_progress(len(bookings), remaining=remaining) <= 0:
                    return total

    def _purge_courier_data(self):
        """Forget what the courier sent of these bookings (payloads, driver phone, proof
        photos, also on their documents); keep the outcome."""
        now = fields.Datetime.now()
        self.event_ids.sudo().write({"payload": False})
        self.sudo().write(
            {
                "driver_phone": False,
                "proof_photo": False,
                "proof_photo_url": False,
                "purged_at": now,
            }
        )
        records = self._get_business_records()
        by_model = {}
        for record in records.values():
            if "proof_photo" in record._fields:
                by_model.setdefault(record._name, set()).add(record.id)
        for model, ids in by_model.items():
            self.env[model].sudo().browse(ids).write(
                {"proof_photo": False, "proof_photo_url": False}
            )
