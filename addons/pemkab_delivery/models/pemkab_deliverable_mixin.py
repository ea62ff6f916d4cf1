# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one workflow by which a business document becomes deliverable by courier.

A document (a prescription delivery, an aid shipment, the next dinas's seeds or ID
cards) inherits ``pemkab.deliverable.mixin``, names its states in a few class
attributes and implements :meth:`_delivery_booking_values`. The mixin then does the
rest, the same way for every document and for every booking of it (the first one, a
*Book Again*, a re-dispatch):

- a state named by a delivery trigger books the courier;
- the booking's news moves the document: picked up -> out for delivery, delivered ->
  delivered (with the proof), failed -> failed or returned (with the reason), booked
  again -> back at the shelter;
- an officer confirms a delivery by hand (a live courier order is cancelled through
  the outbox), marks it failed or returned, cancels it, or dispatches it again, which
  books or says why it cannot.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .pemkab_delivery_booking import (
    BOOKING_STATES,
    FAILURE_REASONS,
    RECEIVER_TYPES,
)

# who received the parcel, and when: written by the officer before a confirmation or by
# the courier's news, frozen once the document is closed
PROOF_FIELDS = frozenset(
    {
        "receiver_type",
        "receiver_partner_id",
        "receiver_name",
        "receiver_relation",
        "delivered_at",
        "proof_photo",
    }
)


class PemkabDeliverableMixin(models.AbstractModel):
    """Makes a business document deliverable by courier.

    Declare, as class attributes, the values of the document's state field:

    - ``_delivery_ready_state``: the parcel waits at the shelter for its courier (a
      delivery trigger on it books one; a re-dispatch returns here);
    - ``_delivery_out_state``: the driver has the parcel;
    - ``_delivery_delivered_state``, ``_delivery_failed_state``,
      ``_delivery_returned_state`` (a parcel back at the shelter; the failed state when
      None), ``_delivery_cancelled_state``;
    - ``_delivery_closed_states``: states after which nothing moves any more.

    Implement :meth:`_delivery_booking_values` (who gets what, from which shelter), and
    optionally :meth:`_delivery_dispatch_errors` (what must hold before a courier is
    called) and :meth:`_delivery_receiver_candidates` (who may receive the parcel).
    """

    _name = "pemkab.deliverable.mixin"
    _inherit = ["pemkab.document.mixin", "pemkab.workflow.mixin"]
    _description = "Deliverable by Courier"
    # pemkab.workflow.mixin: what the document adds to the state and the fields below,
    # which only the workflow writes (e.g. its approvals)
    _workflow_protected_fields = ()

    _delivery_state_field = "state"
    _delivery_ready_state = "ready"
    _delivery_out_state = "out_for_delivery"
    _delivery_delivered_state = "delivered"
    _delivery_failed_state = "failed"
    _delivery_returned_state = None
    _delivery_cancelled_state = "cancelled"
    _delivery_closed_states = ("delivered", "cancelled")
    # states from which a parcel is first put at the shelter (action_dispatch)
    _delivery_dispatch_from_states = ()
    # an officer's confirmation must name a registered person (a contact)
    _delivery_receiver_registered = False

    delivery_booking_ids = fields.One2many(
        "pemkab.delivery.booking",
        compute="_compute_delivery_booking_ids",
        string="Courier Bookings",
    )
    delivery_booking_id = fields.Many2one(
        "pemkab.delivery.booking",
        compute="_compute_delivery_booking_ids",
        string="Current Booking",
    )
    delivery_booking_count = fields.Integer(compute="_compute_delivery_booking_ids")
    delivery_status = fields.Selection(
        BOOKING_STATES, compute="_compute_delivery_booking_ids", string="Courier Status"
    )
    delivery_tracking_url = fields.Char(compute="_compute_delivery_booking_ids", string="Tracking")
    # proof of delivery
    receiver_type = fields.Selection(
        RECEIVER_TYPES,
        string="Received By",
        copy=False,
        tracking=True,
        help="Who took the parcel: the recipient, a family member or a named proxy.",
    )
    receiver_partner_id = fields.Many2one(
        "res.partner",
        string="Receiving Person",
        copy=False,
        tracking=True,
        help="The recipient, family member or proxy who took the parcel, when registered.",
    )
    receiver_name = fields.Char(copy=False, tracking=True)
    receiver_relation = fields.Char(
        copy=False, help="Who received, as the recipient's: self, spouse, child, neighbour..."
    )
    delivered_at = fields.Datetime(string="Delivered On", copy=False, tracking=True)
    proof_photo = fields.Image(copy=False, max_width=1024, max_height=1024, attachment=True)
    proof_photo_url = fields.Char(string="Courier's Proof Photo", copy=False, readonly=True)
    proof_source = fields.Selection(
        [("courier", "Courier"), ("officer", "Confirmed by an Officer")],
        string="Proof From",
        copy=False,
        readonly=True,
    )
    # failure, cancellation
    failure_reason = fields.Selection(
        FAILURE_REASONS, string="Why Not Delivered", copy=False, readonly=True, tracking=True
    )
    failure_message = fields.Char(
        string="Failure Details",
        copy=False,
        readonly=True,
        help="The courier's or the officer's own words.",
    )
    cancel_reason = fields.Text(copy=False, readonly=True, tracking=True)

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_delivery_booking_ids(self):
        bookings = self.env["pemkab.delivery.booking"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], order="id desc"
        )
        by_record = bookings.grouped("res_id")
        for record in self:
            mine = by_record.get(record.id, bookings.browse())
            current = mine[:1]
            record.delivery_booking_ids = mine
            record.delivery_booking_id = current
            record.delivery_booking_count = len(mine)
            record.delivery_status = current.state
            record.delivery_tracking_url = current.tracking_url

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("receiver_partner_id")
    def _check_receiver_partner_id(self):
        for record in self.filtered("receiver_partner_id"):
            allowed = [c["partner"] for c in record._delivery_receiver_candidates() if c["partner"]]
            if allowed and record.receiver_partner_id not in allowed:
                raise ValidationError(
                    self.env._(
                        "%(ref)s: Receiving Person: %(person)s is neither the recipient nor "
                        "one of the recipient's family or proxies.",
                        ref=record.display_name,
                        person=record.receiver_partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        records = super().create(vals_list)
        state_field = self._delivery_state_field
        if any(state_field in vals for vals in vals_list):
            records._delivery_apply_triggers()
        return records

    def write(self, vals):
        self._pemkab_check_values([vals])
        self._check_proof_frozen(vals)
        res = super().write(vals)
        if self._delivery_state_field in vals:
            self._workflow_plain()._delivery_apply_triggers()
        return res

    def _check_proof_frozen(self, vals):
        """Who received the parcel, and when, is the record a head signs for: once the
        document is closed (delivered, cancelled...) only the workflow writes it."""
        touched = PROOF_FIELDS.intersection(vals)
        if not touched or self._workflow_is_trusted():
            return
        closed = self.filtered(
            lambda record: record[self._delivery_state_field] in self._delivery_closed_states
        )
        if closed:
            raise UserError(
                self.env._(
                    "%(refs)s: the proof of delivery (%(fields)s) cannot change once the "
                    "document is delivered, cancelled or closed.",
                    refs=", ".join(closed[:10].mapped("display_name")),
                    fields=", ".join(
                        sorted(self._fields[name]._description_string(self.env) for name in touched)
                    ),
                )
            )

    def _workflow_guarded_fields(self):
        """The state and what the workflow records of the delivery's outcome."""
        return super()._workflow_guarded_fields() | {
            self._delivery_state_field,
            "proof_source",
            "proof_photo_url",
            "failure_reason",
            "failure_message",
            "cancel_reason",
        }

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_view_delivery_bookings(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_delivery.pemkab_delivery_booking_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        action["context"] = {}
        if len(self.delivery_booking_ids) == 1:
            action.update(
                view_mode="form", res_id=self.delivery_booking_ids.id, views=[(False, "form")]
            )
        return action

    def action_dispatch(self):
        """The parcel waits at the shelter: its delivery trigger books the courier."""
        self._check_can_dispatch()
        self._do_dispatch()
        return True

    def action_confirm_delivered(self):
        """An officer confirms by hand who received the parcel, and when. A courier
        order still live is cancelled through the outbox."""
        self._check_can_confirm_delivered()
        self._do_confirm_delivered()
        return True

    def action_redispatch(self):
        """Send a failed or returned parcel out again: books a courier, or says why not."""
        self._check_can_redispatch()
        self._do_redispatch()
        return True

    def action_mark_failed(self, reason, failure_reason="other"):
        """An officer records that the parcel did not reach the recipient (the reason
        wizard calls this); the courier order, if still live, is cancelled."""
        self._check_can_mark_failed(reason, failure_reason)
        self._do_mark_failed(reason, failure_reason)
        return True

    def action_cancel(self, reason):
        """Cancel with a reason (the reason wizard calls this), and the courier booking."""
        self._check_can_cancel()
        self._check_reason(reason)
        self._do_cancel(reason)
        return True

    def action_open_cancel_wizard(self):
        self._check_can_cancel()
        return self._delivery_open_reason_wizard("cancel")

    def action_open_failed_wizard(self):
        return self._delivery_open_reason_wizard(self.env.context.get("pemkab_reason_kind", "fail"))

    # ------------------------------------------------------------------
    # Checks: every reason at once
    # ------------------------------------------------------------------
    def _check_can_dispatch(self):
        labels = dict(self._fields[self._delivery_state_field]._description_selection(self.env))
        errors = [
            self.env._(
                "%(ref)s cannot go to the shelter from the state %(state)s.",
                ref=record.display_name,
                state=labels.get(record[self._delivery_state_field]),
            )
            for record in self
            if record[self._delivery_state_field] not in self._delivery_dispatch_from_states
        ]
        self._raise_errors(errors + self._delivery_dispatch_errors())

    def _check_can_confirm_delivered(self):
        errors = []
        for record in self:
            if record[self._delivery_state_field] not in self._delivery_live_states():
                errors.append(
                    self.env._(
                        "%(ref)s: only a parcel at the shelter or on its way can be confirmed "
                        "delivered.",
                        ref=record.display_name,
                    )
                )
            elif not (record.receiver_type or record.receiver_partner_id):
                errors.append(
                    self.env._(
                        "%(ref)s: Received By: say who received the parcel.",
                        ref=record.display_name,
                    )
                )
            elif self._delivery_receiver_registered and not record.receiver_partner_id:
                errors.append(
                    self.env._(
                        "%(ref)s: Receiving Person: choose the recipient or one of the "
                        "registered family members or proxies.",
                        ref=record.display_name,
                    )
                )
            elif not (
                record.receiver_partner_id
                or record.receiver_name
                or record.receiver_type == "recipient"
            ):
                errors.append(
                    self.env._(
                        "%(ref)s: Receiving Person: name the person who received the parcel.",
                        ref=record.display_name,
                    )
                )
        self._raise_errors(errors)

    def _check_can_redispatch(self):
        returned = self._delivery_returned_states()
        errors = [
            self.env._(
                "%(ref)s: only a parcel that failed or came back can be dispatched again.",
                ref=record.display_name,
            )
            for record in self
            if record[self._delivery_state_field] not in returned
        ]
        self._raise_errors(errors + self._delivery_dispatch_errors())

    def _check_can_mark_failed(self, reason, failure_reason):
        self._check_reason(reason)
        if failure_reason not in dict(FAILURE_REASONS):
            raise ValidationError(
                self.env._("Why Not Delivered: “%s” is not a known reason.", failure_reason)
            )
        errors = [
            self.env._(
                "%(ref)s: only a parcel at the shelter or on its way can be marked not delivered.",
                ref=record.display_name,
            )
            for record in self
            if record[self._delivery_state_field] not in self._delivery_live_states()
        ]
        self._raise_errors(errors)

    def _check_can_cancel(self):
        errors = []
        field = self._delivery_state_field
        for record in self:
            if record[field] in self._delivery_closed_states:
                errors.append(
                    self.env._(
                        "%(ref)s is delivered, cancelled or closed already.",
                        ref=record.display_name,
                    )
                )
            elif record[field] == self._delivery_out_state:
                errors.append(
                    self.env._(
                        "%(ref)s: the driver already has the parcel; ask the courier to return it.",
                        ref=record.display_name,
                    )
                )
        self._raise_errors(errors)

    def _check_reason(self, reason):
        if not (reason or "").strip():
            raise ValidationError(self.env._("Reason: give the reason."))

    def _raise_errors(self, errors, limit=30):
        """Refuse the whole call, every reason at once: a selection of many documents
        (a board's list) changes all of them or none."""
        if errors:
            more = len(errors) - limit
            lines = errors[:limit]
            if more > 0:
                lines.append(self.env._("… and %s more.", more))
            if len(self) > 1:
                lines.insert(
                    0,
                    self.env._(
                        "Nothing was changed: the %(count)s selected documents stay as they "
                        "are, because:",
                        count=len(self),
                    ),
                )
            raise UserError("\n".join(lines))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _do_confirm_delivered(self):
        now = fields.Datetime.now()
        for record in self:
            record._delivery_write_state(
                self._delivery_delivered_state,
                {
                    **record._delivery_receiver_vals(),
                    "delivered_at": record.delivered_at or now,
                    "proof_source": "officer",
                    "failure_reason": False,
                    "failure_message": False,
                },
            )
        self._delivery_release_bookings(
            self.env._("Delivered, confirmed by an officer."), deliver_own_fleet=True
        )

    def _do_dispatch(self):
        # one write for a whole batch (a period of thousands of parcels)
        self.with_context(tracking_disable=len(self) > 1)._delivery_dispatch()

    def _do_redispatch(self):
        self._delivery_dispatch()

    def _do_mark_failed(self, reason, failure_reason):
        # the state first: a booking cancelled at once must not find its parcel still
        # waiting at the shelter (that would book a new courier)
        reason = reason.strip()
        for record in self:
            record._delivery_write_state(
                record._delivery_failure_state(failure_reason),
                {"failure_reason": failure_reason, "failure_message": reason[:250]},
            )
        self._delivery_release_bookings(reason)

    def _do_cancel(self, reason):
        reason = reason.strip()
        self._delivery_write_state(self._delivery_cancelled_state, {"cancel_reason": reason})
        self._delivery_release_bookings(reason)

    def _delivery_dispatch(self):
        """Put the parcels at the shelter (the ready state): its trigger books the
        couriers. Every parcel gets a booking, or waits for a booking being cancelled, or
        the whole call is refused saying why, before anything changes: it never silently
        does nothing."""
        waiting = self._delivery_check_bookable()
        self._delivery_write_state(
            self._delivery_ready_state, {"failure_reason": False, "failure_message": False}
        )
        for booking in waiting:
            record = self.browse(booking.res_id)
            if hasattr(record, "message_post"):
                record.message_post(
                    body=self.env._(
                        "The courier is still cancelling booking %(ref)s: a new courier is "
                        "booked as soon as that cancellation is confirmed.",
                        ref=booking.name,
                    ),
                    message_type="notification",
                )

    def _delivery_check_bookable(self):
        """Refuse when a delivery trigger would book no courier for a parcel put at the
        shelter; return the bookings still under way (being cancelled) that parcels will
        wait for."""
        active = self._delivery_active_bookings()
        # a parcel that waits for a booking being cancelled still needs a trigger then
        busy = {booking.res_id for booking in active if not booking.released}
        triggers = self._delivery_triggers([self._delivery_ready_state])
        missing = self.filtered(
            lambda record: record.id not in busy
            and not any(trigger._applies_to(record._delivery_agency()) for trigger in triggers)
        )
        if missing:
            labels = dict(self._fields[self._delivery_state_field]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "No courier booking could be made for %(refs)s: no delivery trigger books "
                    "a courier when a %(document)s becomes “%(state)s” for its agency. An "
                    "administrator adds one in Settings > Courier Deliveries > Delivery "
                    "Triggers.",
                    refs=", ".join(missing[:10].mapped("display_name")),
                    document=self._description,
                    state=labels.get(self._delivery_ready_state, self._delivery_ready_state),
                )
            )
        return active.filtered("released")

    def _delivery_receiver_vals(self):
        """Name, relation and contact of the receiver an officer gave: completed from the
        registered recipient, family members and proxies."""
        self.ensure_one()
        candidates = self._delivery_receiver_candidates()
        person = self.receiver_partner_id
        match = next((c for c in candidates if person and c["partner"] == person), None)
        if not match and not person and self.receiver_type == "recipient":
            match = next((c for c in candidates if c["type"] == "recipient"), None)
        vals = {}
        if match:
            vals["receiver_partner_id"] = match["partner"].id
            vals["receiver_type"] = self.receiver_type or match["type"]
            vals["receiver_relation"] = self.receiver_relation or match.get("relation") or False
        vals["receiver_name"] = (
            self.receiver_name
            or (match and (match["partner"].name or match.get("name")))
            or person.name
        )
        return vals

    def _delivery_write_state(self, state, vals=None):
        """The workflow's own write of the document's state."""
        if self:
            self._workflow().write(dict(vals or {}, **{self._delivery_state_field: state}))

    def _delivery_open_reason_wizard(self, kind):
        wizard = self.env["pemkab.delivery.reason.wizard"]
        return {
            "type": "ir.actions.act_window",
            "name": dict(wizard._fields["kind"]._description_selection(self.env))[kind],
            "res_model": wizard._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_kind": kind,
                "default_res_model": self._name,
                "default_res_ids": self.ids,
            },
        }

    def _delivery_failure_state(self, failure_reason):
        if failure_reason == "returned" and self._delivery_returned_state:
            return self._delivery_returned_state
        return self._delivery_failed_state

    @api.model
    def _delivery_live_states(self):
        """States in which the parcel is with (or waits for) a courier."""
        return (self._delivery_ready_state, self._delivery_out_state)

    @api.model
    def _delivery_returned_states(self):
        """States of a parcel that failed or came back: it may be dispatched again."""
        return tuple({self._delivery_failed_state, self._delivery_returned_state} - {None})

    # ------------------------------------------------------------------
    # Hooks for the business model
    # ------------------------------------------------------------------
    def _delivery_booking_values(self):
        """Values of the booking for this record.

        Must return at least ``agency_id``, ``shelter_id``, ``recipient_name``,
        ``recipient_phone``, ``package_code``, and the address (``street``,
        ``kecamatan_id``, ``desa_id``, ``latitude``, ``longitude``). ``package_description``
        goes to the courier: never put medicine names or other sensitive data in it.
        """
        raise NotImplementedError(f"{self._name} must implement _delivery_booking_values()")

    def _delivery_dispatch_errors(self):
        """What keeps these documents from being handed to a courier now, as a list of
        messages (empty: they may go). Re-checked at every dispatch and re-dispatch."""
        return []

    def _delivery_receiver_candidates(self):
        """Who may receive this document's parcel: a list of dicts with ``partner`` (a
        ``res.partner``, possibly empty), ``name``, ``type`` (a ``RECEIVER_TYPES`` value:
        recipient, family, proxy) and ``relation``."""
        return []

    def _delivery_agency(self):
        """The agency the record belongs to (``agency_id`` by default)."""
        self.ensure_one()
        return self["agency_id"] if "agency_id" in self._fields else self.env["pemkab.agency"]
