# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier bookings: one record per courier order, with its state machine and buttons.

The booking row exists (and is committed) before any courier is called: the outbox
(``pemkab_delivery_booking_outbox.py``) sends it. The document the booking serves
(``res_model``/``res_id``, a ``pemkab.deliverable.mixin``) hears of every change of
state.
"""

import json

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..clients import FINAL_STATUSES, STATUS_RANK

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
# not final: the booking is under way (a document has at most one)
ACTIVE_STATES = ("draft", "requested", "booked", "driver_assigned", "picked_up")
# live: may still be cancelled (with the courier once it has the order); after these
# the driver has the parcel
CANCELLABLE_STATES = ("draft", "requested", "booked", "driver_assigned")
# why a parcel did not arrive: one vocabulary for bookings and documents (the courier's
# or officer's own words are kept beside it)
FAILURE_REASONS = [
    ("no_driver", "No driver found"),
    ("rejected", "Rejected by the courier"),
    ("cancelled_by_courier", "Cancelled by the courier"),
    ("returned", "Returned to the shelter"),
    ("not_home", "Nobody at the address"),
    ("wrong_address", "Address not found"),
    ("refused", "Refused by the recipient"),
    ("damaged", "Parcel damaged or lost"),
    ("error", "Could not be booked"),
    ("other", "Other reason"),
]
# a parcel's column on a shelter's board of the day, by its booking's state (a booking
# its document released after a cancellation is on none)
BOARD_STAGES = [
    ("ready", "Ready"),
    ("waiting", "Waiting for a Driver"),
    ("picked_up", "Picked Up"),
    ("failed", "Failed"),
]
BOARD_STAGE_OF_STATE = {
    "draft": "ready",
    "requested": "ready",
    "booked": "waiting",
    "driver_assigned": "waiting",
    "picked_up": "picked_up",
    "delivered": "picked_up",
    "failed": "failed",
    "cancelled": "failed",
}
# who took the parcel
RECEIVER_TYPES = [
    ("recipient", "Recipient"),
    ("family", "Family Member"),
    ("proxy", "Named Proxy"),
]


def state_rank(state):
    """Order of the booking states, for refusing news that would move a booking back."""
    if state == "draft":
        return -1
    return STATUS_RANK.get(state, 0)


class PemkabDeliveryBooking(models.Model):
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
        self._set_state(
            "requested",
            {"next_attempt_at": False, "attempt_count": 0, "last_error": False},
            source="user",
        )
        if any(booking.provider_id._has_api() for booking in self):
            self._hold_until_shelters_open()
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
