# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier bookings: one record per courier order. One model, one file, in sections:

* **Fields** of the booking;
* **States and buttons**: the state machine, the officers' and dispatchers' buttons,
  and how the document the booking serves (``res_model``/``res_id``, a
  ``pemkab.deliverable.mixin``) hears of every change of state;
* **The exchange's door**: the user's click only records the request; the exchange
  (``pemkab.delivery.exchange``: its scheduled actions claim, call the couriers and
  settle each answer by the plain rules of ``outbox/decisions.py``) reaches the booking
  through a few named methods: what a job needs (``_courier_payload``,
  ``_exchange_closed_until``), applying a settlement (``_exchange_settle``), the
  courier's news (``_apply_courier_update``), the history (``_log_event``) and the purge
  (``_purge_courier_data``);
* **Courier news**: what the courier says of a booking's order (booking answers,
  webhooks, polls), and the other courier orders of its reference
  (``stray_courier_refs``), which the outbox cancels: a second order number never
  replaces the booking's own;
* **The agency's fallback order**: a booking whose courier found no driver or refused
  the route as out of its range goes, once, to the next account of its agency's order
  (``pemkab.agency.courier.fallback``; the rule is ``outbox/decisions.py``'s
  ``fallback``), with the reason on the new booking; its document follows the new
  booking and never hears of the failure. When every account refused, the last booking
  fails with their reasons;
* **Waiting for a person**: a booking call got no answer and the courier cannot be
  asked for an order by our reference (Grab documents no such lookup). Booking again
  blindly could make a second order; failing the booking could leave a driver riding
  for nobody. So the exchange leaves the booking alone, marked ``review_needed``, and tells
  its responsible officer, who checks with the courier, then clicks *No Order at the
  Courier* (the booking may be sent again, or is cancelled when a cancellation was
  asked) or enters the courier's order number (the booking follows it). The courier's
  news of the order (a webhook) ends the wait too;
* **Retention** of the courier's personal data (UU PDP: kept no longer than needed):
  the courier's payloads, the driver's phone number and the proof photos of a booking
  are purged a number of days after its final state (90 by default, an administrator
  sets it in Settings > Courier Deliveries), by the exchange's scheduled action *Courier
  Deliveries: purge courier data past retention*. The outcome stays: its state, dates,
  receiver, failure reason and price.

The vocabulary (states, failure reasons, board stages) is in ``const.py``.
"""

import base64
import json
import logging
from datetime import datetime, timezone

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..clients import STATUS_RANK, CourierTermsPlanner, Location, Package, Terms, pickup_window
from ..const import (
    BOARD_STAGE_OF_STATE,
    BOARD_STAGES,
    BOOKING_STATES,
    FAILURE_REASONS,
    FINAL_STATES,
    ON_ITS_WAY_STATES,
    WAITING_AT_SHELTER_STATES,
)
from ..orm.bulk import CHANGE_COLUMNS, ids_in, insert_rows, insert_select, log_changes
from ..outbox import decisions
from ..outbox.runner import exchange_note
from ..tools.geo import EARTH_RADIUS_KM
from .pemkab_shelter import SHELTER_TZ

_logger = logging.getLogger(__name__)


# what a driver run writes on its own-fleet bookings, and nobody else
FLEET_DRIVER_FIELDS = frozenset({"driver_name", "driver_phone", "driver_plate"})


def state_rank(state):
    """Order of the booking states, for refusing news that would move a booking back."""
    if state == "draft":
        return -1
    return STATUS_RANK.get(state, 0)


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
    _workflow_protected_fields = ("state", "released", "fleet_run_id", "fleet_driver_id")
    # an own-fleet booking's driver comes from its driver run (the courier's news brings
    # the driver of the others): see _check_fleet_driver_vals
    _pemkab_phone_fields = {"recipient_phone": True, "driver_phone": False}

    # no plain index besides the unique one (_name_uniq): every index is written for each
    # of a district's 100,000 bookings inserted at once
    name = fields.Char(
        index=False,
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
    # found with its record (res_id's index); a few models only: no index of its own
    res_model = fields.Char(string="Related Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Related Record", model_field="res_model", index=True, readonly=True
    )
    res_name = fields.Char(compute="_compute_res_name", string="For")
    rebooked_from_id = fields.Many2one(
        "pemkab.delivery.booking", string="Rebooking Of", readonly=True, copy=False
    )
    fallback_from_id = fields.Many2one(
        "pemkab.delivery.booking",
        string="Fallback Of",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The booking whose courier found no driver or refused the route: this one "
        "went to the next account of the agency's fallback order.",
    )
    fallback_reason = fields.Char(
        string="Why This Courier",
        readonly=True,
        copy=False,
        help="Why the booking went to this account of the agency's fallback order.",
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
    weight_kg = fields.Float(
        string="Parcel Weight (kg)",
        help="Told to the courier; a courier that takes lighter parcels only (GoSend "
        "Instant: 20 kg) is refused before it is booked. Empty: 1 kg.",
    )
    declared_value = fields.Monetary(
        readonly=True,
        help="What the parcel is worth, from its document (a prescription's medicines): "
        "told to the courier as the goods' value; the agency insures the costly ones.",
    )
    # what the courier is asked for, planned when the booking is requested (issue 19)
    vehicle = fields.Selection(
        [("bike", "Motorbike"), ("car", "Car")],
        readonly=True,
        copy=False,
        help="Chosen by the parcel's weight: a motorbike while it carries it, else the "
        "account's car service.",
    )
    pickup_from = fields.Datetime(
        string="Pickup Window From",
        readonly=True,
        copy=False,
        help="The courier comes in this window (the agency's pickup hour, at couriers "
        "that take a window: GrabExpress). Empty: at once.",
    )
    pickup_until = fields.Datetime(string="Pickup Window Until", readonly=True, copy=False)
    insured = fields.Boolean(
        readonly=True,
        copy=False,
        help="The declared value is insured with the courier (GoSend), as the agency "
        "decides for costly parcels.",
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
    driver_photo = fields.Image(copy=False, max_width=512, max_height=512, attachment=True)
    driver_photo_url = fields.Char(
        string="Courier's Driver Photo",
        copy=False,
        readonly=True,
        help="The courier's link the driver's photo was downloaded from (Grab's expire "
        "after 3 hours): kept as provenance.",
    )
    # where the driver is (Grab's webhook driver.currentLat/currentLng, its details
    # courier.coordinates; GoSend tells none): on the citizen page while on the way
    driver_latitude = fields.Float(digits=(10, 7), copy=False)
    driver_longitude = fields.Float(digits=(10, 7), copy=False)
    driver_position_at = fields.Datetime(string="Driver Position Time", copy=False)
    # own fleet: the driver run that takes the parcel, and its driver
    fleet_run_id = fields.Many2one(
        "pemkab.fleet.run",
        string="Driver Run",
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
    )
    fleet_driver_id = fields.Many2one(
        "pemkab.fleet.driver",
        string="Own-Fleet Driver",
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    # proof of delivery
    receiver_name = fields.Char(copy=False, tracking=True)
    receiver_relation = fields.Char(
        copy=False, help="Who received, as the recipient's: self, family, neighbour..."
    )
    proof_photo = fields.Image(copy=False, max_width=1024, max_height=1024, attachment=True)
    proof_photo_url = fields.Char(
        copy=False,
        help="The courier's link the proof photo was downloaded from (Grab's expire after "
        "2 hours): kept as provenance.",
    )
    photo_fetch_at = fields.Datetime(
        string="Photos Due",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The courier's photos are downloaded into the booking then.",
    )
    photo_attempts = fields.Integer(readonly=True, copy=False)
    delivered_at = fields.Datetime(copy=False, tracking=True)
    # failure / cancellation
    failure_reason = fields.Selection(FAILURE_REASONS, copy=False, tracking=True)
    failure_message = fields.Char(
        string="Failure Details", copy=False, help="The courier's own words."
    )
    courier_reason = fields.Char(
        string="Courier's Reason",
        readonly=True,
        copy=False,
        help="The courier's own words on why the delivery ended: GrabExpress's "
        "failedReason, GoSend's cancelled_by.",
    )
    courier_reason_label = fields.Char(
        string="Why the Courier Ended It",
        compute="_compute_courier_reason_label",
        help="The courier's reason in the user's language.",
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
    # the night wait: the parcel waits at a closed shelter
    shelter_opens_at = fields.Datetime(
        compute="_compute_shelter_opens_at",
        string="Shelter Opens",
        help="The shelter is closed now: when it opens (couriers are called then).",
    )
    shelter_wait_label = fields.Char(
        compute="_compute_shelter_opens_at",
        string="Shelter Closed",
        help="When the closed shelter opens, in words.",
    )
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

    @api.depends("state", "shelter_id")
    @api.depends_context("lang")
    def _compute_shelter_opens_at(self):
        """While the parcel waits for its driver (before the pickup), when its closed
        shelter opens: a booking is not sent to the courier before."""
        now = fields.Datetime.now()
        cache = {}
        Shelter = self.env["pemkab.shelter"]
        for booking in self:
            opens = False
            if booking.state in WAITING_AT_SHELTER_STATES:
                opens = booking.shelter_id.sudo()._closed_until(now, cache)
            booking.shelter_opens_at = opens
            booking.shelter_wait_label = Shelter._opening_label(opens, now)

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
        self._check_workflow_made()
        self._pemkab_check_values(vals_list)
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("state") in FINAL_STATES:
                vals.setdefault("closed_at", now)
        # the partial unique index (one booking under way per document) reads the state
        # the database holds: let it see the states changed in this transaction
        self.flush_model(["state"])
        bookings = super().create(vals_list)
        if not self._workflow_is_trusted() and any(
            FLEET_DRIVER_FIELDS.intersection(vals) for vals in vals_list
        ):
            bookings._check_fleet_driver_vals(set().union(*vals_list))
        for provider, agency in {(b.provider_id, b.agency_id) for b in bookings}:
            provider._check_usable_by(agency)
        bookings._check_documents_writable()
        return bookings

    def write(self, vals):
        self._pemkab_check_values([vals])
        self._check_fleet_driver_vals(vals)
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
        if vals.get("courier_order_ref"):
            # the courier's events that outran this number (kept by the webhook) are
            # the booking's now
            self.env["pemkab.delivery.webhook.inbox"].sudo()._adopt(self)
        return res

    def unlink(self):
        self._check_workflow_made()
        return super().unlink()

    def _check_workflow_made(self):
        """A booking is made, copied and deleted by its document's workflow only (its
        dispatch, *Book Again*, the purge), whatever the client sends: a hand-made booking
        could reach a courier for a document that awaits its approval, or none."""
        if not self._workflow_is_trusted():
            raise AccessError(
                self.env._(
                    "Courier Booking: bookings are made and removed by their document's "
                    "buttons (Dispatch, Dispatch Again, Book Again), never by hand."
                )
            )

    def _workflow_guarded_fields(self):
        """Every field: the document's values, the courier's news and the buttons write
        them; what a person adds is a note in the chatter."""
        chatter = set(self.env["mail.thread"]._fields) | set(
            self.env["mail.activity.mixin"]._fields
        )
        return set(self._fields) - chatter

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

    def _check_fleet_driver_vals(self, fnames):
        """An own-fleet booking's driver is its driver run's, chosen from the agency's
        drivers: nobody types it on the booking."""
        touched = FLEET_DRIVER_FIELDS.intersection(fnames)
        if not touched or self._workflow_is_trusted():
            return
        own_fleet = self.filtered(lambda booking: not booking.provider_id._has_api())
        if own_fleet:
            raise UserError(
                self.env._(
                    "%(fields)s: the driver of an own-fleet parcel comes from its driver run "
                    "(Assign to a Driver Run); it cannot be typed on the booking.",
                    fields=", ".join(
                        sorted(self._fields[name]._description_string(self.env) for name in touched)
                    ),
                )
            )

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
        """Record the request to book a courier; the outbox sends it. What the courier
        is told is the document's, as it is now (it may have changed since the booking
        was made)."""
        self._check_can_request()
        self._check_can_request_documents()
        self._do_refresh_from_documents()
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
                booking._workflow().write(
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
            new = booking._do_copy_for_rebooking()
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
        self._check_can_retry_now()
        self.filtered(lambda b: b.state == "requested")._workflow().write(
            {"next_attempt_at": False}
        )
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
            vals = {"delivered_at": booking.delivered_at or fields.Datetime.now()}
            record = booking._get_business_record()
            if not booking.receiver_name and record is not None and record.receiver_name:
                # who received is said on the document, whose proof its workflow keeps
                vals.update(
                    receiver_name=record.receiver_name,
                    receiver_relation=record.receiver_relation or False,
                )
            if not vals.get("receiver_name", booking.receiver_name):
                raise ValidationError(
                    self.env._(
                        "Receiver: say who received the parcel of %(ref)s before marking it "
                        "delivered.",
                        ref=booking.name,
                    )
                )
            booking._set_state("delivered", vals, source="user")
        return True

    def action_mark_failed(self):
        self._check_manual(("requested", "booked", "driver_assigned", "picked_up"))
        reason = self.env.context.get("failure_reason", "returned")
        for booking in self:
            booking._set_state("failed", {"failure_reason": reason}, source="user")
        return True

    def action_open_fleet_assign_wizard(self):
        """Give these own-fleet parcels to a driver run (a new one or a draft one)."""
        return self.env["pemkab.fleet.assign.wizard"]._open_for(self)

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

    def _request_errors(self, limit=30, verdicts=None):
        """What keeps these bookings from going to their courier, as messages (the
        first ``limit`` bookings concerned): the recipient's phone and address, and for
        a courier booked over an API the coordinates and the shelter's phone and
        coordinates, and the routes refused (:meth:`_route_errors`, of ``verdicts``
        when the caller has them). A constant number of queries, whatever the number of
        bookings."""
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
        if len(errors) < limit:
            errors += self._route_errors(limit=limit - len(errors), verdicts=verdicts)
        return errors

    def _route_errors(self, limit=None, verdicts=None):
        """The routes the courier would refuse, checked before it is booked, that no
        account of the agency's fallback order takes either: longer than the courier's
        limit (GrabExpress 35 km by default, GoSend Instant 40 km) or heavier (GoSend
        Instant 20 kg), as its client class declares them (``route_problem``). The
        distance is the shelter's to the recipient as the crow flies: a road is longer,
        so a refusal here is certain. A route another account of the order takes is no
        error: :meth:`_do_route_fallback` moves the booking there when it is requested.
        The verdicts of :meth:`_route_verdicts_sql` (``verdicts``: the caller's, which
        then moves the bookings with the same, :meth:`_do_route_fallback`), whatever the
        number of bookings; the messages of the first ``limit`` bookings refused (all:
        None)."""
        if verdicts is None:
            verdicts = self._route_verdicts_sql()
        ids = set(self.ids)
        refused = self.browse(
            [
                booking_id
                for booking_id, verdict in sorted(verdicts.items())
                if booking_id in ids and not verdict["account_id"]
            ][:limit]
        )
        errors = []
        for booking in refused:
            verdict = verdicts[booking.id]
            what, limit = verdict["problem"]
            if what == "distance":
                errors.append(
                    self.env._(
                        "%(ref)s: %(courier)s takes routes of at most %(limit)s km; the "
                        "recipient is %(distance)s km from shelter %(shelter)s as the crow "
                        "flies. Choose another courier or the own fleet.",
                        ref=booking.name,
                        courier=booking.provider_id.name,
                        limit=f"{limit:g}",
                        distance=f"{verdict['km']:.1f}",
                        shelter=booking.shelter_id.display_name,
                    )
                )
            else:
                errors.append(
                    self.env._(
                        "%(ref)s: %(courier)s takes parcels of at most %(limit)s kg; this one "
                        "weighs %(weight)s kg. Choose another courier or the own fleet.",
                        ref=booking.name,
                        courier=booking.provider_id.name,
                        limit=f"{limit:g}",
                        weight=f"{verdict['kg']:g}",
                    )
                )
        return errors

    def _route_verdicts_sql(self):
        """The bookings whose own courier account would refuse the route before it is
        booked, and where the agency's fallback order sends them, in a constant number
        of queries whatever the number of bookings (the single request and the bulk
        paths share it): one for the bookings refused, and only when some are, one for
        their agencies' fallback orders and one for the chains they already went along.

        The distance is computed in SQL (haversine, the radius of ``tools/geo.py``) from
        the shelter's and the recipient's coordinates; each courier account's limits
        (its client class's ``MAX_DISTANCE_KM`` / ``MAX_WEIGHT_KG`` per service type, the
        ones ``route_problem`` applies) are passed as values; a booking without
        coordinates is not judged here (``_request_errors`` names what is missing). For
        each booking refused, the accounts that would refuse its route too are the ones
        whose ``route_problem`` says so, and the rule is ``outbox/decisions.py``'s
        ``route_fallback``: the accounts of its agency's order (active, open to the
        agency) after its own, each once (the accounts its chain of fallbacks already
        went to are skipped), the first that takes the route.

        The first query is a plain join without sub-plans: PostgreSQL's cost of it stays
        under its JIT threshold (compiling took 1.2 s of 1.4 s at 100,000 bookings when
        the fallback orders were sub-plans of the same query).

        :return: ``{booking id: {"km", "kg", "problem", "account_id", "why", "courier",
            "movable"}}`` of the bookings refused by their own account only: ``problem``
            is its ``route_problem`` (``(what, limit)``), ``account_id`` the account of
            the fallback order that takes the route or None (the route is refused),
            ``why`` a ``decisions.FALLBACK_*``, ``courier`` the own account's name,
            ``movable`` whether no courier may have an order for the booking yet (a draft,
            or a booking just requested: no courier order number, no unknown outcome)
        """
        if not self:
            return {}
        Provider = self.env["pemkab.courier.provider"].sudo().with_context(active_test=False)
        classes, names, cars, limits = {}, {}, {}, []
        for provider in Provider.search([("kind", "!=", "manual")]):
            client_class = classes[provider.id] = provider._courier_client_class()
            names[provider.id] = provider.name
            cars[provider.id] = car = provider.car_service
            services = set(client_class.MAX_DISTANCE_KM) | set(client_class.MAX_WEIGHT_KG)
            limits += [
                (
                    provider.id,
                    service,
                    client_class.MAX_DISTANCE_KM.get(service) or None,
                    # a parcel too heavy for the motorbike goes by car where the account
                    # has the courier's car (``route_problem``'s ``car``; no weight limit
                    # is known for a car: None)
                    client_class.CAR_MAX_WEIGHT_KG.get(service)
                    if car and service in client_class.CAR_MAX_WEIGHT_KG
                    else client_class.MAX_WEIGHT_KG.get(service) or None,
                )
                for service in sorted(services)
            ]
        if not limits:
            return {}
        self.env.flush_all()
        refused = self.env.execute_query(
            SQL(
                """
                SELECT b.id, b.provider_id, b.agency_id, b.service_type,
                       b.fallback_from_id, route.km, route.kg,
                       b.state IN ('draft', 'requested')
                           AND b.courier_order_ref IS NULL
                           AND NOT COALESCE(b.outcome_unknown, FALSE) AS movable
                  FROM %(bookings)s b
                  JOIN %(shelters)s s ON s.id = b.shelter_id
                       CROSS JOIN LATERAL (SELECT
                           2 * %(radius)s * asin(sqrt(
                               power(sin(radians(b.latitude - s.latitude) / 2), 2)
                               + cos(radians(s.latitude)) * cos(radians(b.latitude))
                                 * power(sin(radians(b.longitude - s.longitude) / 2), 2)
                           )) AS km,
                           COALESCE(b.weight_kg, 0) AS kg
                       ) AS route
                  JOIN unnest(%(l_ids)s::int[], %(l_services)s::varchar[],
                              %(l_km)s::float8[], %(l_kg)s::float8[])
                       AS l(provider_id, service_type, max_km, max_kg)
                    ON l.provider_id = b.provider_id AND l.service_type = b.service_type
                 WHERE b.id = ANY(%(ids)s)
                   AND COALESCE(s.latitude, 0) != 0 AND COALESCE(s.longitude, 0) != 0
                   AND COALESCE(b.latitude, 0) != 0 AND COALESCE(b.longitude, 0) != 0
                   AND (route.km > l.max_km OR route.kg > l.max_kg)
                 ORDER BY b.id
                """,
                l_ids=[row[0] for row in limits],
                l_services=[row[1] for row in limits],
                l_km=[row[2] for row in limits],
                l_kg=[row[3] for row in limits],
                radius=EARTH_RADIUS_KM,
                bookings=SQL.identifier(self._table),
                shelters=SQL.identifier(self.env["pemkab.shelter"]._table),
                ids=self.ids,
            )
        )
        if not refused:
            return {}
        orders = self._route_fallback_orders({row[2] for row in refused})
        tried = self._route_fallback_chains({row[0]: row[4] for row in refused if row[4]})
        verdicts = {}
        for booking_id, provider_id, agency_id, service, from_id, km, kg, movable in refused:
            weight = kg or None
            refusing = [
                account_id
                for account_id, client_class in classes.items()
                if client_class.route_problem(service, km, weight, cars[account_id])
            ]
            account_id, why = decisions.route_fallback(
                provider_id,
                orders.get(agency_id, []),
                tried.get(booking_id, [provider_id]) if from_id else [provider_id],
                refusing,
            )
            verdicts[booking_id] = {
                "km": km,
                "kg": kg,
                "problem": classes[provider_id].route_problem(
                    service, km, weight, cars[provider_id]
                ),
                "account_id": None if account_id == provider_id else account_id,
                "why": why,
                "courier": names[provider_id],
                "movable": movable,
            }
        return verdicts

    def _route_fallback_orders(self, agency_ids):
        """``{agency id: [account ids]}``: each agency's fallback order of courier
        accounts, first first, of the accounts active and open to the agency (one query
        for all the agencies)."""
        Provider = self.env["pemkab.courier.provider"]
        agencies = Provider._fields["agency_ids"]
        return dict(
            self.env.execute_query(
                SQL(
                    """
                    SELECT f.agency_id, array_agg(f.provider_id ORDER BY f.sequence, f.id)
                      FROM %(fallbacks)s f
                      JOIN %(providers)s p ON p.id = f.provider_id
                     WHERE f.agency_id = ANY(%(agency_ids)s) AND p.active
                       AND (NOT EXISTS (SELECT 1 FROM %(open_to)s o
                                         WHERE o.%(open_provider)s = p.id)
                            OR EXISTS (SELECT 1 FROM %(open_to)s o
                                        WHERE o.%(open_provider)s = p.id
                                          AND o.%(open_agency)s = f.agency_id))
                     GROUP BY f.agency_id
                    """,
                    fallbacks=SQL.identifier(self.env["pemkab.agency.courier.fallback"]._table),
                    providers=SQL.identifier(Provider._table),
                    open_to=SQL.identifier(agencies.relation),
                    open_provider=SQL.identifier(agencies.column1),
                    open_agency=SQL.identifier(agencies.column2),
                    agency_ids=sorted(agency_ids),
                )
            )
        )

    def _route_fallback_chains(self, fallen_from):
        """``{booking id: [account ids]}``: the accounts each booking's chain of
        fallbacks already went to, its own included, for ``fallen_from`` ``{booking id:
        the booking it fell back from}`` (one recursive query for all; none when
        empty)."""
        if not fallen_from:
            return {}
        return dict(
            self.env.execute_query(
                SQL(
                    """
                    WITH RECURSIVE chain(root, provider_id, from_id, depth) AS (
                        SELECT b.id, b.provider_id, b.fallback_from_id, 0
                          FROM %(bookings)s b WHERE b.id = ANY(%(ids)s)
                         UNION ALL
                        SELECT c.root, b.provider_id, b.fallback_from_id, c.depth + 1
                          FROM chain c JOIN %(bookings)s b ON b.id = c.from_id
                         WHERE c.depth < 100
                    )
                    SELECT root, array_agg(provider_id ORDER BY depth) FROM chain GROUP BY root
                    """,
                    bookings=SQL.identifier(self._table),
                    ids=sorted(fallen_from),
                )
            )
        )

    def _do_route_fallback(self, verdicts=None):
        """Move the bookings whose own courier account would refuse the route (too far,
        too heavy) to the account of the agency's fallback order that takes it, once,
        with the reason on the booking (``fallback_reason``) and in its history; before
        anything is sent to a courier. A constant number of queries whatever the number
        of bookings (the bulk request path uses it): the verdicts
        (:meth:`_route_verdicts_sql`, or ``verdicts``: the ones the request was checked
        with), one ``UPDATE``, one history insert per account.
        Bookings no account takes are left as they are: :meth:`_route_errors` refuses
        them."""
        # never a booking a courier may already have an order for (a request is of
        # drafts, or of bookings just inserted as requested)
        if verdicts is None:
            verdicts = self._route_verdicts_sql()
        ids = set(self.ids)
        verdicts = {
            booking_id: verdict
            for booking_id, verdict in verdicts.items()
            if booking_id in ids and verdict["account_id"] and verdict["movable"]
        }
        moved = self.browse(sorted(verdicts))
        if not moved:
            return self.browse()
        accounts = (
            self.env["pemkab.courier.provider"]
            .sudo()
            .browse(sorted({verdicts[booking_id]["account_id"] for booking_id in moved.ids}))
        )
        reasons = []
        for booking_id in moved.ids:
            verdict = verdicts[booking_id]
            what, limit = verdict["problem"]
            if what == "distance":
                reason = self.env._(
                    "%(courier)s takes routes of at most %(limit)s km; %(distance)s km as the "
                    "crow flies: booked with the next account of the agency's fallback order.",
                    courier=verdict["courier"],
                    limit=f"{limit:g}",
                    distance=f"{verdict['km']:.1f}",
                )
            else:
                reason = self.env._(
                    "%(courier)s takes parcels of at most %(limit)s kg; %(weight)s kg: booked "
                    "with the next account of the agency's fallback order.",
                    courier=verdict["courier"],
                    limit=f"{limit:g}",
                    weight=f"{verdict['kg']:g}",
                )
            reasons.append(reason[:250])
        self.env.execute_query(
            SQL(
                """
                UPDATE %(bookings)s b
                   SET provider_id = v.provider_id, fallback_reason = v.reason,
                       write_uid = %(uid)s, write_date = %(now)s
                  FROM unnest(%(ids)s::int[], %(accounts)s::int[], %(reasons)s::varchar[])
                       AS v(id, provider_id, reason)
                 WHERE b.id = v.id
                """,
                bookings=SQL.identifier(self._table),
                uid=self.env.uid,
                now=fields.Datetime.now(),
                ids=moved.ids,
                accounts=[verdicts[booking_id]["account_id"] for booking_id in moved.ids],
                reasons=reasons,
            )
        )
        changed = ["provider_id", "fallback_reason", "write_uid", "write_date"]
        moved.invalidate_recordset(changed)
        moved.modified(changed)
        for account in accounts:
            moved.filtered(
                lambda booking, account=account: verdicts[booking.id]["account_id"] == account.id
            )._log_events_sql(
                source="system",
                applied=False,
                note=self.env._(
                    "Out of the first courier's range: booked with %(courier)s (the agency's "
                    "fallback order).",
                    courier=account.name,
                )[:250],
            )
        return moved

    def _check_can_request_documents(self):
        """A booking's document still waits for this courier and may go now: the
        document's own dispatch rules (approvals, counselling...), as they stand now,
        one call per document model."""
        errors = []
        records = self._get_business_records()
        by_model = {}
        for booking in self:
            record = records.get(booking.id)
            if record is None:
                continue
            waiting = (record._delivery_ready_state, *record._delivery_returned_states())
            if booking.released:
                errors.append(
                    self.env._(
                        "%(ref)s: its document no longer waits for a courier.", ref=booking.name
                    )
                )
            elif record[record._delivery_state_field] not in waiting:
                errors.append(
                    self.env._(
                        "%(ref)s: %(record)s is not waiting for a courier.",
                        ref=booking.name,
                        record=record.display_name,
                    )
                )
            else:
                by_model.setdefault(record._name, set()).add(record.id)
        for model, ids in by_model.items():
            errors += self.env[model].browse(ids)._delivery_dispatch_errors()
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

    def _check_can_retry_now(self):
        """No courier is called for a closed shelter: a retry waits for its opening."""
        closed = self.filtered(lambda b: b.state == "requested" and b.shelter_opens_at)
        if closed:
            raise UserError(
                "\n".join(
                    self.env._(
                        "%(ref)s: %(opens)s. The shelter is closed now: the courier is "
                        "booked when it opens, not before.",
                        ref=booking.name,
                        opens=booking.shelter_wait_label,
                    )
                    for booking in closed[:30]
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
        self._do_route_fallback()
        # the vehicle and insurance follow the account the route went to
        self._do_plan_courier_terms()
        self._set_state("requested", self._request_vals(), source="user")
        if any(booking.provider_id._has_api() for booking in self):
            self._hold_until_shelters_open()
            self._trigger_outbox()

    def _do_plan_courier_terms(self):
        """Plan what each booking's courier is asked for, as its account offers it
        (:meth:`_courier_terms_planner`). A parcel no vehicle takes was refused before
        (``_route_errors``). The bookings' values are read in one query and written with
        one ``UPDATE`` per set of equal terms, whatever the number of bookings (the bulk
        paths plan them in their ``INSERT`` instead, :meth:`_courier_terms_join_sql`,
        and here only the bookings their route moved to another account)."""
        if not self:
            return
        self.flush_recordset(
            ["provider_id", "agency_id", "service_type", "weight_kg", "declared_value"]
        )
        rows = self.env.execute_query(
            SQL(
                "SELECT id, provider_id, agency_id, service_type, weight_kg, declared_value"
                " FROM %s WHERE id = ANY(%s)",
                SQL.identifier(self._table),
                self.ids,
            )
        )
        planner = self._courier_terms_planner({row[1] for row in rows}, {row[2] for row in rows})
        groups = {}
        for booking_id, provider_id, agency_id, service, weight, value in rows:
            terms = planner.plan(provider_id, agency_id, service, weight, value)
            groups.setdefault(terms, []).append(booking_id)
        for (vehicle, pickup_from, pickup_until, insured), ids in groups.items():
            self.env.execute_query(
                SQL(
                    """UPDATE %s SET vehicle = %s, pickup_from = %s, pickup_until = %s,
                              insured = %s, write_uid = %s,
                              write_date = (now() AT TIME ZONE 'UTC')
                        WHERE id = ANY(%s)""",
                    SQL.identifier(self._table),
                    vehicle,
                    pickup_from,
                    pickup_until,
                    insured,
                    self.env.uid,
                    ids,
                )
            )
        fnames = ["vehicle", "pickup_from", "pickup_until", "insured", "write_uid", "write_date"]
        self.invalidate_recordset(fnames)
        self.modified(fnames[:4])

    @api.model
    def _courier_terms_planner(self, provider_ids, agency_ids):
        """What a courier is asked for, as its account offers it, for bookings of
        these accounts and agencies: the vehicle by the parcel's weight
        (``vehicle_for``: a motorbike while it carries it, else the account's car
        service), the agency's pickup window (``pickup_window``, at couriers that take
        one) and insurance of a declared value from the agency's threshold (at couriers
        that insure). Reads the accounts and agencies (their caches); the rules are
        :class:`~..clients.CourierTermsPlanner`'s."""
        providers = self.env["pemkab.courier.provider"].sudo().browse(provider_ids)
        agencies = self.env["pemkab.agency"].sudo().browse(agency_ids)
        clients = {
            provider.id: (
                provider._courier_client_class() if provider._has_api() else None,
                provider.car_service,
            )
            for provider in providers
        }
        now = datetime.now(timezone.utc)
        windows, insure_from = {}, {}
        for agency in agencies:
            insure_from[agency.id] = agency.courier_insure_from
            if agency.courier_pickup_hour:
                start, end = pickup_window(
                    now, agency.courier_pickup_hour, pytz.timezone(SHELTER_TZ)
                )
                windows[agency.id] = (
                    start.replace(tzinfo=None, microsecond=0),
                    end.replace(tzinfo=None, microsecond=0),
                )
        return CourierTermsPlanner(clients, windows, insure_from)

    @api.model
    def _courier_terms_join_sql(self, provider, documents, columns):
        """The courier terms of the bookings of ``documents`` with ``provider``, planned
        as :meth:`_do_plan_courier_terms` plans them, for their ``INSERT ... SELECT``
        (``insert_bookings_select``; ``columns``: the booking's columns as SQL over the
        documents' rows, alias ``d``): ``(join, columns)``, a join to the terms of each
        (service type, weight, agency) of these documents (one query reads which there
        are: a period has few) and the SQL of the booking's terms columns."""
        service = columns["service_type"]
        weight = SQL("COALESCE(%s, 0)::float8", columns.get("weight_kg", SQL("NULL")))
        agency = columns["agency_id"]
        value = SQL("COALESCE(%s, 0)", columns.get("declared_value", SQL("NULL")))
        kinds = self.env.execute_query(
            SQL(
                "SELECT DISTINCT %s, %s, %s FROM %s d WHERE d.id = ANY(%s)",
                service,
                weight,
                agency,
                SQL.identifier(documents._table),
                documents.ids,
            )
        )
        planner = self._courier_terms_planner(provider.ids, {row[2] for row in kinds})
        terms = [
            (
                row,
                planner.plan(provider.id, row[2], row[0], row[1], 0),
                planner.insure_from(provider.id, row[2]),
            )
            for row in kinds
        ]
        join = SQL(
            """
            LEFT JOIN unnest(%s::varchar[], %s::float8[], %s::int[], %s::varchar[],
                             %s::timestamp[], %s::timestamp[], %s::float8[])
                      AS terms(service_type, weight_kg, agency_id, vehicle, pickup_from,
                               pickup_until, insure_from)
                   ON terms.service_type = %s AND terms.weight_kg = %s
                      AND terms.agency_id = %s
            """,
            [row[0] for row, _plan, _threshold in terms],
            [row[1] for row, _plan, _threshold in terms],
            [row[2] for row, _plan, _threshold in terms],
            [plan[0] for _row, plan, _threshold in terms],
            [plan[1] for _row, plan, _threshold in terms],
            [plan[2] for _row, plan, _threshold in terms],
            [threshold for _row, _plan, threshold in terms],
            service,
            weight,
            agency,
        )
        return join, {
            "vehicle": SQL("terms.vehicle"),
            "pickup_from": SQL("terms.pickup_from"),
            "pickup_until": SQL("terms.pickup_until"),
            # CourierTermsPlanner.plan's rule, of each document's declared value
            "insured": SQL("COALESCE(%s >= terms.insure_from, FALSE)", value),
        }

    def _courier_terms(self):
        """The :class:`~..clients.Terms` of this booking as planned: a window already
        open or past is dropped (the courier comes at once)."""
        self.ensure_one()
        window = self.pickup_from and self.pickup_from > fields.Datetime.now()
        return Terms(
            vehicle=self.vehicle or "bike",
            pickup_from=self.pickup_from.replace(tzinfo=timezone.utc) if window else None,
            pickup_until=self.pickup_until.replace(tzinfo=timezone.utc) if window else None,
            insured=self.insured,
            insurance_fee=self.insured and self.provider_id.sudo().insurance_fee or 0,
        )

    @api.model
    def _request_vals(self):
        """What a request writes besides the state: the outbox starts afresh."""
        return {"next_attempt_at": False, "attempt_count": 0, "last_error": False}

    def _do_request_inserted(self, verdicts=None):
        """What :meth:`_do_request` does for bookings just inserted in the state
        ``requested`` with their courier terms planned (the bulk path, see
        ``insert_bookings_select``), in a constant number of queries: the routes their
        account would refuse moved to the fallback account (``verdicts``: the ones their
        request was checked with), their history line (one ``INSERT ... SELECT``), the
        hold until their shelters open, the outbox woken. Their documents wait at the
        shelter: a booking requested has nothing to tell them."""
        moved = self._do_route_fallback(verdicts)
        # the vehicle and insurance follow the account the route went to
        moved._do_plan_courier_terms()
        self._log_events_sql(source="user", status="requested", applied=True)
        if self._hold_until_shelters_open() is not None:
            self._trigger_outbox()

    def _do_copy_for_rebooking(self):
        """The booking's successor, with a new reference: what the courier is told comes
        from its document now (its ``_delivery_booking_values``, with the document's own
        checks), the courier account from this booking."""
        self.ensure_one()
        values = {"rebooked_from_id": self.id, "state": "draft"}
        record = self._get_business_record()
        if record is not None:
            values.update(record._delivery_booking_values())
        return self.sudo().copy(values).with_env(self.env)

    def _do_refresh_from_documents(self):
        """Copy the documents' current booking values onto these draft bookings."""
        records = self._get_business_records()
        for booking in self:
            record = records.get(booking.id)
            if record is not None and booking.state == "draft":
                values = dict(record._delivery_booking_values())
                values.pop("responsible_user_id", None)
                booking._workflow().write(values)

    @api.depends("courier_reason")
    @api.depends_context("lang")
    def _compute_courier_reason_label(self):
        for booking in self:
            booking.courier_reason_label = booking._courier_reason_words()

    def _courier_reason_words(self):
        """The courier's reason, in the user's language: GrabExpress's ``failedReason``
        codes ("Get Delivery Details": 2, 5, 6), GoSend's ``cancelled_by`` (who
        cancelled); other words are shown as the courier wrote them."""
        self.ensure_one()
        text = (self.courier_reason or "").strip()
        if not text:
            return False
        code, _sep, _rest = text.partition("|")
        key = code.strip().lower() if _sep else text.lower()
        words = {
            "2": self.env._(
                "The driver cancelled: the courier took the sender or order for a fake"
            ),
            "5": self.env._("Cancelled by a GrabExpress operator"),
            "6": self.env._("The courier found no driver"),
            "driver": self.env._("Cancelled by the driver"),
            "customer": self.env._("Cancelled by the customer (us)"),
            "merchant": self.env._("Cancelled by the customer (us)"),
            "cs": self.env._("Cancelled by the courier's customer service"),
            "system": self.env._("Cancelled by the courier's system"),
        }
        return words.get(key) or self.env._("The courier says: %s", text)

    def _get_business_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return None
        record = self.env[self.res_model].browse(self.res_id)
        return record if record.exists() else None

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

    def _log_events(self, vals_list):
        """Lines of these bookings' history by one INSERT (the set-based form of
        :meth:`_log_event`): each dict has ``booking_id`` and the other arguments of
        :meth:`_log_event` (``source``, ``status``, ``note``, ``payload``, ``date``...)."""
        if not vals_list:
            return
        now = fields.Datetime.now()
        rows = []
        for vals in vals_list:
            payload = vals.get("payload")
            if payload is not None and not isinstance(payload, str):
                payload = json.dumps(payload, indent=1, sort_keys=True, default=str)
            rows.append(
                dict({"applied": False}, **vals)
                | {"payload": payload, "date": vals.get("date") or now}
            )
        Event = self.env["pemkab.delivery.booking.event"].sudo()
        Event._pemkab_check_values(rows)
        insert_rows(Event, rows)
        self.browse({row["booking_id"] for row in rows}).invalidate_recordset(["event_ids"])

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
        """Tell the business record, and the responsible officer of a failure. A failure
        the agency's fallback order answers is told to nobody: the next account has the
        parcel."""
        self.ensure_one()
        if self.state == "failed":
            if self._do_fallback(record):
                return
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
    # OWN FLEET: DRIVER RUNS (pemkab.fleet.run moves its parcels by these)
    # ==================================================================
    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _fleet_errors(self, states):
        """Why these bookings are not own-fleet parcels in one of ``states``: one line
        each (the bookings the user reads)."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        errors = []
        for booking in self:
            if booking.provider_id._has_api():
                errors.append(
                    self.env._(
                        "%(ref)s is booked with %(courier)s, not with the own fleet.",
                        ref=booking.name,
                        courier=booking.provider_id.name,
                    )
                )
            elif booking.state not in states:
                errors.append(
                    self.env._(
                        "%(ref)s: not possible in state %(state)s.",
                        ref=booking.name,
                        state=labels[booking.state],
                    )
                )
        return errors

    def _check_can_fleet_assign(self, run):
        """These parcels may join ``run``: own fleet, waiting for a driver, at the run's
        shelter, in no other run, and the run has not left."""
        run.ensure_one()
        errors = self._fleet_errors(("requested", "booked"))
        if run.state != "draft":
            errors.append(
                self.env._("%(run)s has left the shelter: start a new run.", run=run.name)
            )
        for booking in self:
            if booking.fleet_run_id and booking.fleet_run_id != run:
                errors.append(
                    self.env._(
                        "%(ref)s is in driver run %(run)s already.",
                        ref=booking.name,
                        run=booking.fleet_run_id.name,
                    )
                )
            if booking.shelter_id != run.shelter_id:
                errors.append(
                    self.env._(
                        "%(ref)s waits at %(shelter)s, not at the run's shelter %(run_shelter)s.",
                        ref=booking.name,
                        shelter=booking.shelter_id.display_name,
                        run_shelter=run.shelter_id.display_name,
                    )
                )
        if not self:
            errors.append(self.env._("Choose the parcels to give to the driver run."))
        if errors:
            raise UserError("\n".join(errors))

    def _check_can_fleet_deliver(self, receivers):
        """``receivers``: {booking id: who received the parcel}."""
        errors = self._fleet_errors(("picked_up",))
        for booking in self:
            if not (receivers.get(booking.id) or "").strip():
                errors.append(
                    self.env._(
                        "%(ref)s: Received By: say who received the parcel.", ref=booking.name
                    )
                )
        if errors:
            raise UserError("\n".join(errors))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _do_fleet_assign(self, run):
        """The run's driver takes these parcels: the driver's name, phone and plate
        go on each (the citizen's page and message show them), then Driver Assigned."""
        driver = run.driver_id.sudo()
        self._workflow().write(
            {
                "fleet_run_id": run.id,
                "fleet_driver_id": driver.id,
                "driver_name": driver.name,
                "driver_phone": driver.phone,
                "driver_plate": driver.plate or False,
            }
        )
        self._set_state(
            "driver_assigned",
            source="user",
            note=self.env._("Driver run %(run)s: %(driver)s.", run=run.name, driver=driver.name),
        )

    def _do_fleet_pick_up(self):
        self._set_state("picked_up", source="user")

    def _do_fleet_deliver(self, receivers, delivered_at):
        """Delivered, received by ``receivers[booking.id]`` (one name: the document
        matches it to the recipient, a family member or a proxy)."""
        for booking in self:
            booking._set_state(
                "delivered",
                {
                    "receiver_name": receivers[booking.id].strip(),
                    "receiver_relation": False,
                    "delivered_at": delivered_at,
                },
                source="user",
            )

    def _do_fleet_return(self, failure_reason, message=False):
        """The driver brought the parcels back (``failure_reason``: why)."""
        self._set_state(
            "failed",
            {"failure_reason": failure_reason, "failure_message": message or False},
            source="user",
            note=message or None,
        )

    # ==================================================================
    # THE EXCHANGE'S DOOR: WHAT A JOB NEEDS, HOW A SETTLEMENT IS APPLIED
    # ==================================================================
    # The exchange (``pemkab.delivery.exchange``) claims, calls and settles
    # (``outbox/decisions.py``); the booking applies: these methods, with
    # ``_apply_courier_update``, ``_log_event`` and ``_purge_courier_data``, are all the
    # exchange calls.
    @api.model
    def _trigger_outbox(self):
        self.env["pemkab.delivery.exchange"]._trigger_send()

    @api.model
    def _trigger_outbox_at(self, when):
        if when:
            self.env["pemkab.delivery.exchange"]._trigger_send(when)

    def _exchange_closed_until(self, now, cache):
        """When the booking's shelter opens next, if it is closed at ``now``, else False
        (``cache``: {shelter id: answer}, shared by a batch)."""
        self.ensure_one()
        return self._shelter_closed_until(self.shelter_id, now, cache)

    @api.model
    def _shelter_closed_until(self, shelter, now, cache):
        """When ``shelter`` opens next, if it is closed at ``now``, else False."""
        return shelter._closed_until(now, cache)

    def _hold_until_shelters_open(self):
        """Bookings for a closed shelter wait for its next opening: a driver sent now
        would find the counter shut. Set-based (one query, then one write for each
        closed shelter); returns None when no booking is booked over an API."""
        now = fields.Datetime.now()
        cache = {}
        held = {}
        any_api = None
        for provider, shelter, ids in self.sudo()._read_group(
            ids_in(self.ids), ["provider_id", "shelter_id"], ["id:array_agg"]
        ):
            if not provider._has_api():
                continue
            any_api = True
            opens = self._shelter_closed_until(shelter, now, cache)
            if opens:
                held.setdefault((opens, shelter), []).extend(ids)
        for (opens, _shelter), ids in held.items():
            self.browse(ids)._hold_until(opens)
        return any_api

    def _hold_until(self, opens):
        """Hold these bookings (of one shelter) until it opens at ``opens``."""
        self._workflow().write({"next_attempt_at": opens})
        self._hold_note(opens)
        self._trigger_outbox_at(opens)

    def _hold_note(self, opens):
        """One line in the history of each of these bookings (of one shelter): closed
        until ``opens``. One ``INSERT ... SELECT`` whatever their number (a district
        packed at night)."""
        if not self:
            return
        local = pytz.utc.localize(opens).astimezone(pytz.timezone(SHELTER_TZ))
        note = self.env._(
            "Shelter %(shelter)s is closed: the courier is booked when it opens, %(when)s.",
            shelter=self[:1].shelter_id.display_name,
            when=local.strftime("%Y-%m-%d %H:%M WIB"),
        )
        self._log_events_sql(source="system", applied=False, note=note)

    def _log_events_sql(self, **values):
        """One line in the history of each of these bookings, ``values`` (column: plain
        value) and the time now, by one ``INSERT ... SELECT`` whatever their number
        (the set-based form of :meth:`_log_event`)."""
        self.flush_recordset()
        columns = {"booking_id": SQL("b.id"), "date": SQL("%s", fields.Datetime.now())}
        columns.update((name, SQL("%s", value)) for name, value in values.items())
        insert_select(
            self.env["pemkab.delivery.booking.event"].sudo(),
            columns,
            SQL(
                "FROM %s b WHERE b.id = ANY(%s) ORDER BY b.id",
                SQL.identifier(self._table),
                self.ids,
            ),
        )
        self.invalidate_recordset(["event_ids"])

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
                sms_enabled=self.agency_id.courier_recipient_sms,
            ),
            "package": Package(
                code=self.package_code,
                description=self.package_description or "",
                weight_kg=self.weight_kg or 1.0,
                value=self.declared_value or 0,
            ),
            "service_type": self.service_type,
            "terms": self._courier_terms(),
        }

    def _exchange_settle(self, job, settlement):
        """Apply a settlement of the exchange (``outbox/decisions.py``) to this booking:
        write its columns, move the state, keep the history, tell who must know.

        :param job: the job whose answer was settled (its stray orders' results)
        :param settlement: a ``decisions.Settlement``
        :return: whether the booking changed state through the courier's news
        """
        self.ensure_one()
        verdict, vals = settlement.verdict, dict(settlement.vals)
        if job["action"] == decisions.POLL:
            if settlement.info is not None:
                return self._apply_courier_update(settlement.info, "poll")
            self._workflow().write(vals)
            error = job.get("setup_error") or settlement.params["error"]
            self._log_event("poll", note=self.env._("Poll failed: %s", error))
            return False
        if verdict == decisions.LATE:
            return self._exchange_late(settlement)
        self._exchange_strays(job)
        if verdict in (decisions.FAIL, decisions.CANCEL_FAILED):
            message = self._exchange_failure_message(settlement)
            vals["last_error"] = message
            if verdict == decisions.CANCEL_FAILED:
                self._workflow().write(vals)
                self.message_post(
                    body=self.env._("The courier could not cancel the order: %s", message)
                )
                return False
            vals["failure_message"] = message
            self._set_state("failed", vals, source="system", note=message)
            return False
        self._workflow().write(vals)
        if verdict in (decisions.BOOKED, decisions.FOUND, decisions.SECOND_ORDER):
            return self._exchange_booked(settlement)
        self._exchange_note(settlement)
        self._exchange_next(settlement)
        return False

    def _exchange_note(self, settlement):
        """What a settlement that brings no news says, to the history and to people."""
        verdict = settlement.verdict
        if verdict == decisions.HOLD:
            # its next attempt and the outbox's run at that time: the settlement's
            self._hold_note(settlement.retry_at)
        elif verdict == decisions.REVIEW_NEEDED:
            self._exchange_wait_for_review(settlement.params["error"])
        elif verdict == decisions.KNOWN_BY_NEWS:
            self._log_event(
                "api",
                note=self.env._(
                    "No answer to the booking call, but the courier's news named its order "
                    "%s: not sent again.",
                    self.courier_order_ref,
                ),
            )
        elif verdict == decisions.RETRY:
            self._exchange_retry_note(settlement.params)
        elif verdict == decisions.CANCEL_REFUSED:
            error = settlement.params["error"]
            self._log_event("api", note=self.env._("Cancellation refused: %s", error))
            self.message_post(body=self.env._("The courier refused the cancellation: %s", error))
        elif verdict == decisions.CANCELLED:
            payload = settlement.info.raw if settlement.info else None
            if settlement.state:
                self._set_state(settlement.state, source="api", payload=payload)
            else:
                self._log_event(
                    "api",
                    status="cancelled",
                    note=self.env._("The courier's order is cancelled too."),
                    payload=payload,
                )
        elif verdict == decisions.BOOKED_WHILE_CANCELLED:
            self._log_event("api", note=self.env._("Booked while being cancelled: cancelling it."))
        elif verdict == decisions.VOIDED:
            payload = settlement.info.raw if settlement.info else None
            self._log_event(
                "api",
                note=self.env._(
                    "The booking call got no answer: every courier order of this reference "
                    "is cancelled, the booking is sent again."
                )
                if settlement.next_action == decisions.NEXT_SEND
                else self.env._(
                    "Every courier order of this reference is cancelled, the one the "
                    "courier's news named too: its news follows."
                ),
                payload=payload,
            )

    def _exchange_booked(self, settlement):
        """The courier has the order (booked, found, or another one of our reference):
        its answer is applied as the courier's news."""
        if settlement.verdict == decisions.FOUND:
            self._log_event(
                "api",
                note=self.env._("Found the order made by an earlier attempt: not booked again."),
            )
        if settlement.stray_refs:
            self._add_stray_courier_refs(settlement.stray_refs)
        applied = self._apply_courier_update(settlement.info, "api")
        self._exchange_next(settlement)
        return applied

    def _exchange_next(self, settlement):
        if settlement.next_action == decisions.NEXT_SEND:
            self._trigger_outbox()
        elif settlement.next_action == decisions.NEXT_SEND_AT:
            self._trigger_outbox_at(settlement.retry_at)

    def _exchange_failure_message(self, settlement):
        """Why the booking failed (or could not be cancelled), in the user's words."""
        params = settlement.params
        if settlement.reason == decisions.FAIL_SPENT:
            return self.env._(
                "%(error)s (after %(count)s attempts)", error=params["error"], count=params["count"]
            )
        if settlement.reason == decisions.FAIL_NO_ORDER:
            return self.env._(
                "The courier has no order for %(ref)s after %(count)s attempts (%(error)s).",
                ref=self.name,
                count=params["count"],
                error=params["error"],
            )
        return params["message"]

    def _exchange_retry_note(self, params):
        if params["spent"]:
            note = self.env._(
                "Attempt %(count)s got no answer (%(error)s): the courier may have the "
                "order. It is looked up in %(delay)s s before the booking is failed.",
                count=params["count"],
                error=params["error"],
                delay=params["delay"],
            )
        else:
            note = self.env._(
                "Attempt %(count)s failed (%(error)s); next try in %(delay)s s.",
                count=params["count"],
                error=params["error"],
                delay=params["delay"],
            )
        self._log_event("system", note=note)

    def _exchange_late(self, settlement):
        """An answer after this run's claim was lost: kept in the history, not applied.
        An order it made is cancelled unless the booking turns out to have it as its own."""
        made = settlement.info
        note = self.env._("Answer after the claim passed to another run: not applied.")
        if settlement.stray_refs:
            self._add_stray_courier_refs(settlement.stray_refs)
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

    def _exchange_strays(self, job):
        """Record the cancellation of the reference's other courier orders."""
        self.ensure_one()
        if not self.stray_courier_refs:
            return
        cancelled, refused, left = decisions.settle_strays(
            self.stray_courier_refs, self.courier_order_ref, job.get("stray_results") or {}
        )
        for courier_ref in cancelled:
            self._log_event(
                "api",
                status="cancelled",
                note=self.env._("Extra courier order %s cancelled.", courier_ref),
            )
        for courier_ref, error in refused:
            message = self.env._(
                "The courier refused to cancel the extra order %(courier_ref)s of this "
                "booking: %(error)s. Ask the courier to cancel it.",
                courier_ref=courier_ref,
                error=error.message,
            )
            self._log_event("api", note=message[:250])
            self.message_post(body=message)
        self._workflow().write({"stray_courier_refs": ",".join(left) or False})

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
            self._workflow().write(dict(self._review_done_vals(), last_error=False))
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
        applied, note, vals = self._own_order_news(info)
        self._log_event(
            source,
            status=info.status,
            courier_status=info.courier_status,
            event_key=event_key,
            applied=applied,
            note=note,
            payload=payload if payload is not None else info.raw,
            date=date,
        )
        old_state = self.state
        self._workflow().write(vals)
        if "photo_fetch_at" in vals:
            self.env["pemkab.delivery.exchange"]._trigger_photos()
        if applied:
            self._on_state_changed(old_state)
        return applied

    def _own_order_news(self, info):
        """What news of the booking's own order does: (whether it moves the booking,
        the note of its history line, the values to write). Applied when it moves the
        booking forward; the same status refreshes the details; any news is news."""
        self.ensure_one()
        new_state = info.status
        details = self._courier_details_vals(info)
        vals = {"last_news_at": fields.Datetime.now()}
        if not new_state:
            return False, self.env._("Unknown courier status: recorded only."), vals
        if self.state in FINAL_STATES:
            return False, self.env._("Ignored: the booking is already final."), vals
        if new_state == self.state:
            return False, self.env._("Same status: details refreshed."), dict(details, **vals)
        if state_rank(new_state) < state_rank(self.state):
            return False, self.env._("Ignored: it would move the booking backwards."), vals
        vals.update(details, state=new_state)
        if new_state == "failed":
            vals["failure_reason"] = courier_failure_reason(info.failure_reason)
            vals["failure_message"] = info.failure_reason or False
        if new_state == "delivered" and not details.get("delivered_at"):
            vals["delivered_at"] = fields.Datetime.now()
        return True, None, vals

    def _apply_courier_news(self, news, source):
        """Apply many bookings' news at once (the webhook inbox's batch) as
        :meth:`_apply_courier_update` applies each event, with the same outcome, history
        and business records told, in fewer statements.

        ``news`` is a list of ``(booking, info, event_key, payload, date)`` in the order
        of arrival. It is applied in rounds, the n-th event of every booking in round n:
        their history lines by one INSERT, the bookings' changes by one write per set of
        equal values (flushed together), then the business records told of each change
        of state, as one event at a time would. An event that needs more (news of another
        courier order for our reference, a booking waiting for a person) is applied by
        :meth:`_apply_courier_update` in its round.
        """
        queues = {}
        for booking, info, event_key, payload, date in news:
            queues.setdefault(booking.id, []).append((info, event_key, payload, date))
        bookings = self.browse(list(queues))
        for step in range(max(map(len, queues.values()), default=0)):
            lines, writes, moved = [], {}, {}
            for booking in bookings:
                if step >= len(queues[booking.id]):
                    continue
                info, event_key, payload, date = queues[booking.id][step]
                own_ref = booking.courier_order_ref
                other_order = info.courier_ref and own_ref and info.courier_ref != own_ref
                if booking.review_needed or other_order:
                    booking._apply_courier_update(
                        info, source, event_key=event_key, payload=payload, date=date
                    )
                    continue
                applied, note, vals = booking._own_order_news(info)
                lines.append(
                    {
                        "booking_id": booking.id,
                        "source": source,
                        "status": info.status,
                        "courier_status": info.courier_status,
                        "event_key": event_key,
                        "applied": applied,
                        "note": note,
                        "payload": payload if payload is not None else info.raw,
                        "date": date,
                    }
                )
                writes.setdefault(tuple(sorted(vals.items())), []).append(booking.id)
                if applied:
                    moved[booking.id] = booking.state
            bookings._log_events(lines)
            old_values = {}
            for vals, ids in writes.items():
                self.browse(ids)._write_news(dict(vals), old_values)
            log_changes(self.browse(list(old_values)), old_values)
            if any("photo_fetch_at" in dict(vals) for vals in writes):
                # once, not once a booking (each wakes the job after the commit)
                self.env["pemkab.delivery.exchange"]._trigger_photos()
            changed = self.browse(list(moved))
            records = changed._get_business_records()
            for booking in changed:
                booking._on_state_changed(moved[booking.id], records.get(booking.id))

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

    def _write_news(self, vals, old_values):
        """Write ``vals`` (the courier's news) on these bookings; the changes of the
        chatter's tracked fields are left to :func:`~..orm.bulk.log_changes` (one
        statement for a batch of bookings, not one message a booking): their values
        before are added to ``old_values``. A tracked field it cannot log is tracked by
        the ORM."""
        tracked = {fname for fname in vals if getattr(self._fields[fname], "tracking", None)}
        if any(self._fields[fname].type not in CHANGE_COLUMNS for fname in tracked):
            self._workflow().write(vals)
            return
        for booking in self:
            old_values.setdefault(booking.id, {}).update(
                (fname, booking[fname]) for fname in tracked
            )
        self.with_context(mail_notrack=True)._workflow().write(vals)

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
        if info.courier_reason and info.courier_reason != self.courier_reason:
            vals["courier_reason"] = info.courier_reason
        if info.driver_latitude is not None and info.driver_longitude is not None:
            vals.update(
                driver_latitude=info.driver_latitude,
                driver_longitude=info.driver_longitude,
                driver_position_at=fields.Datetime.now(),
            )
        vals.update(self._courier_photo_vals(info, vals))
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

    def _courier_photo_vals(self, info, vals):
        """The courier's photo links to download (``photo_fetch_at``: the exchange's
        photo job, :meth:`_exchange_photos`): the proof once, the driver's once per
        driver. A link arrives with each event (Grab signs a new one each time): one
        already downloaded is not fetched again."""
        booking = self.with_context(bin_size=True)
        photo_vals = {}
        new_driver = "driver_name" in vals and bool(self.driver_name)
        if info.driver_photo_url and (new_driver or not booking.driver_photo):
            if info.driver_photo_url != self.driver_photo_url:
                photo_vals["driver_photo_url"] = info.driver_photo_url
                if new_driver:
                    photo_vals["driver_photo"] = False
        if "proof_photo_url" in vals and booking.proof_photo:
            del vals["proof_photo_url"]  # the proof is kept already
        if photo_vals or "proof_photo_url" in vals:
            # the caller wakes the photo job once its values are written
            photo_vals.update(photo_fetch_at=fields.Datetime.now(), photo_attempts=0)
        return photo_vals

    def _exchange_photos_wanted(self):
        """{field: courier's link} of the photos still to download."""
        self.ensure_one()
        booking = self.with_context(bin_size=True)
        wanted = {}
        if self.proof_photo_url and not booking.proof_photo:
            wanted["proof_photo"] = self.proof_photo_url
        if self.driver_photo_url and not booking.driver_photo:
            wanted["driver_photo"] = self.driver_photo_url
        return wanted

    def _exchange_photos(self, job, outcome):
        """Store the photos the exchange downloaded (``outbox/decisions.settle_photos``),
        the links kept as provenance; the proof also on the documents that have none."""
        self.ensure_one()
        for exchange in job.get("exchanges", []):
            self._log_event("api", note=exchange_note(exchange))
        now = fields.Datetime.now()
        if outcome is None:
            error = job.get("setup_error") or "-"
            results = {field: UserError(error) for field in job["photos"]}
        else:
            results = outcome[1]
        stored, lost, retry_at = decisions.settle_photos(results, self.photo_attempts, now)
        vals = {field: base64.b64encode(content) for field, content in stored.items()}
        vals["photo_fetch_at"] = retry_at or False
        self._workflow().write(vals)
        labels = {
            "proof_photo": self.env._("The proof photo"),
            "driver_photo": self.env._("The driver's photo"),
        }
        for field in stored:
            self._log_event("api", note=self.env._("%s is kept in the booking.", labels[field]))
        for field, error in lost.items():
            self._log_event(
                "api",
                note=self.env._(
                    "%(photo)s could not be kept: %(error)s",
                    photo=labels[field],
                    error=getattr(error, "message", None) or str(error),
                )[:250],
            )
        if "proof_photo" in stored:
            for record in self._get_business_records().values():
                if (
                    "proof_photo" in record._fields
                    and not record.with_context(bin_size=True).proof_photo
                ):
                    record.sudo()._workflow().write({"proof_photo": vals["proof_photo"]})
        if retry_at:
            self.env["pemkab.delivery.exchange"]._trigger_photos(retry_at)

    def _add_stray_courier_refs(self, courier_refs):
        self.ensure_one()
        refs = decisions.split_refs(self.stray_courier_refs)
        refs += [ref for ref in courier_refs if ref not in refs]
        self._workflow().write({"stray_courier_refs": ",".join(refs) or False})
        self._trigger_outbox()

    # ==================================================================
    # THE AGENCY'S FALLBACK ORDER OF COURIER ACCOUNTS
    # ==================================================================
    def _fallback_chain(self):
        """This booking and the ones it fell back from, newest first."""
        self.ensure_one()
        chain = self
        while chain[-1:].fallback_from_id and chain[-1].fallback_from_id not in chain:
            chain |= chain[-1].fallback_from_id
        return chain

    def _fallback_failure_text(self):
        """``<account>: <reason> (<courier's words>)`` of this failed booking."""
        self.ensure_one()
        reason = dict(self._fields["failure_reason"]._description_selection(self.env)).get(
            self.failure_reason, ""
        )
        if self.failure_message and self.failure_message != self.failure_reason:
            reason = f"{reason} ({self.failure_message})"
        return f"{self.provider_id.name}: {reason}"

    def _do_fallback(self, record=False):
        """This booking just failed: book the next account of its agency's fallback order,
        once, when the courier found no driver or refused the route. Returns whether it
        did; when every account was tried, the failure message lists their reasons."""
        self.ensure_one()
        if self.released or self.cancel_requested:
            return False
        order_ids = self.agency_id.sudo().courier_fallback_ids.provider_id.filtered("active").ids
        chain = self._fallback_chain()
        next_id, why = decisions.fallback(
            self.failure_reason,
            self.provider_id.id,
            order_ids,
            set(chain.provider_id.ids),
            order_may_live=bool(self.outcome_unknown or self.stray_courier_refs),
        )
        if why == decisions.FALLBACK_EXHAUSTED and len(chain) > 1:
            message = self.env._(
                "Every courier account of the agency's fallback order refused: %s",
                "; ".join(booking._fallback_failure_text() for booking in reversed(chain)),
            )
            self._workflow().write({"failure_message": message[:250]})
            self._log_event("system", note=message[:250])
            return False
        if not next_id or self.search_count([("fallback_from_id", "=", self.id)], limit=1):
            return False
        if record is False:
            record = self._get_business_record()
        if record is not None and record._delivery_dispatch_errors():
            return False  # the document may not go now: an officer decides
        provider = self.env["pemkab.courier.provider"].browse(next_id)
        reason = self.env._(
            "%(failure)s; booked with the next account of the agency's fallback order.",
            failure=self._fallback_failure_text(),
        )
        try:
            with self.env.cr.savepoint():
                successor = self._do_copy_for_fallback(provider, reason)
                successor._check_can_request()
                successor._do_request()
        except (UserError, ValidationError) as error:
            self._log_event(
                "system",
                note=self.env._(
                    "Not booked with %(courier)s (the agency's fallback order): %(error)s",
                    courier=provider.name,
                    error=str(error),
                )[:250],
            )
            return False
        note = self.env._(
            "%(failure)s: booked again with %(courier)s as %(ref)s (the agency's fallback order).",
            failure=self._fallback_failure_text(),
            courier=provider.name,
            ref=successor.name,
        )
        self._log_event("system", note=note[:250])
        target = record if record is not None and hasattr(record, "message_post") else self
        target.sudo().message_post(body=note, message_type="notification")
        return True

    def _do_copy_for_fallback(self, provider, reason):
        """The booking's successor at ``provider``: a new reference, what the courier is
        told from its document now, the reason it exists."""
        self.ensure_one()
        values = {
            "fallback_from_id": self.id,
            "rebooked_from_id": self.id,
            "provider_id": provider.id,
            "fallback_reason": reason[:250],
            "state": "draft",
        }
        record = self._get_business_record()
        if record is not None:
            values.update(record._delivery_booking_values())
            values["provider_id"] = provider.id
        return self.sudo().copy(values).with_env(self.env)

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
            booking._workflow().write(
                dict(booking._review_done_vals(), attempt_count=0, last_error=False)
            )
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

    def _exchange_wait_for_review(self, error):
        """The call got no answer and the courier cannot be asked: a person checks with
        the courier (the settlement marked the booking ``review_needed``)."""
        self.ensure_one()
        message = self.env._(
            "Courier booking %(ref)s got no answer (%(error)s) and %(courier)s cannot be "
            "asked for an order by our reference. Check with the courier: if it has an "
            "order for %(ref)s, enter its number; if not, confirm that it has none.",
            ref=self.name,
            error=error,
            courier=self.provider_id.name,
        )
        self._log_event("system", note=message[:250])
        user = self.responsible_user_id or self.create_uid
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Check the courier order"),
            note=message,
            user_id=user.id,
        )

    # ==================================================================
    # RETENTION OF THE COURIER'S DATA
    # ==================================================================
    def _purge_courier_data(self):
        """Forget what the courier sent of these bookings (payloads, driver phone, proof
        photos, also on their documents); keep the outcome."""
        now = fields.Datetime.now()
        self.event_ids.sudo().write({"payload": False})
        self.sudo().write(
            {
                "driver_phone": False,
                "driver_photo": False,
                "driver_photo_url": False,
                "driver_latitude": False,
                "driver_longitude": False,
                "driver_position_at": False,
                "proof_photo": False,
                "proof_photo_url": False,
                "photo_fetch_at": False,
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
