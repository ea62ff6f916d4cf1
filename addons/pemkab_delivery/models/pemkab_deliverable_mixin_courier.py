# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The deliverable mixin's side of the courier bookings: triggers that book, the
bookings of a document, and what their news does to it."""

from odoo import fields, models
from odoo.exceptions import UserError

from ..orm.bulk import insert_rows
from .pemkab_delivery_booking import ACTIVE_STATES, CANCELLABLE_STATES, FINAL_STATES
from .pemkab_workflow_mixin import refuse_nul_characters

# the classes whose create() the bookings' bulk insert stands for, outermost first (a
# test compares them with the model's: a new override must be added to the bulk path)
BOOKING_CREATE_OVERRIDES = (
    "pemkab_delivery_booking_retention.PemkabDeliveryBooking",
    "pemkab_delivery_booking.PemkabDeliveryBooking",
    "pemkab_document_mixin.PemkabDocumentMixin",
    "pemkab_address_base_mixin.PemkabAddressBaseMixin",
    "mail_thread.MailThread",
    "pemkab_workflow_mixin.PemkabWorkflowMixin",
    "base.Base",
    "models.BaseModel",
)

# what a receiver's relation, as couriers and officers write it, says of the receiver
SELF_RELATIONS = {"self", "recipient", "patient", "head", "sendiri", "penerima", "pasien"}
FAMILY_RELATIONS = {
    "family",
    "member",
    "spouse",
    "child",
    "parent",
    "keluarga",
    "suami",
    "istri",
    "anak",
    "orang tua",
}


def insert_bookings(model, vals_list):
    """``model`` is ``pemkab.delivery.booking`` (sudo): its ``create(vals_list)`` of a
    batch, without tracking (the bulk paths' context), as one INSERT per thousand
    rows instead of the ORM's per-record work (a district's 100,000 bookings).

    It does what each ``create`` override of the bookings does (in the order of
    :data:`BOOKING_CREATE_OVERRIDES`): closed bookings dated (retention), the states
    of this transaction flushed for the partial unique index, the courier checked
    for the agencies and the documents for the user (booking), references from the
    sequence (document), phones normalised (address), no chatter message nor
    follower (mail.thread without tracking), NUL characters and workflow fields
    refused (workflow), values no column holds refused (base); then the ORM's insert
    (:func:`insert_rows`).
    """
    now = fields.Datetime.now()
    for vals in vals_list:
        if vals.get("state") in FINAL_STATES:
            vals.setdefault("closed_at", now)
    model.flush_model(["state"])
    placeholders = {"New", model.env._("New")}
    unnamed = [vals for vals in vals_list if vals.get("name") in (None, False, *placeholders)]
    for vals, name in zip(unnamed, model._next_references(len(unnamed)), strict=True):
        vals["name"] = name
    for vals in vals_list:
        model._pemkab_normalize_phone_vals(vals)
    refuse_nul_characters(model, vals_list)
    model._workflow_check_vals(vals_list, creating=True)
    model._pemkab_check_values(vals_list)
    bookings = insert_rows(model._workflow_plain(), vals_list)
    for provider, agency in {(b.provider_id, b.agency_id) for b in bookings}:
        provider._check_usable_by(agency)
    bookings._check_documents_writable()
    return bookings


class PemkabDeliverableMixin(models.AbstractModel):
    _inherit = "pemkab.deliverable.mixin"

    # ------------------------------------------------------------------
    # Bookings of the documents
    # ------------------------------------------------------------------
    def _delivery_release_bookings(self, reason, deliver_own_fleet=False):
        """The documents no longer wait for their bookings: mark them released (their
        news is kept on the booking only) and cancel what can be cancelled, through the
        outbox when the courier has the order. With ``deliver_own_fleet``, a booking of
        the regency's own fleet on its way is marked delivered instead."""
        bookings = self._delivery_active_bookings()
        if not bookings:
            return bookings
        bookings.write({"released": True})
        if deliver_own_fleet:
            own_fleet = bookings.filtered(
                lambda b: not b.provider_id._has_api()
                and b.state in ("booked", "driver_assigned", "picked_up")
            )
            by_record = {record.id: record for record in self}
            for booking in own_fleet:
                record = by_record[booking.res_id]
                booking.write(
                    {
                        "receiver_name": record.receiver_name,
                        "receiver_relation": record.receiver_relation,
                        "delivered_at": record.delivered_at,
                    }
                )
                booking._set_state("delivered", source="user", note=reason)
            bookings -= own_fleet
        cancellable = bookings.filtered(lambda b: b.state in CANCELLABLE_STATES)
        if cancellable:
            cancellable.with_context(cancel_reason=reason).action_cancel()
        return bookings

    def _delivery_bookings(self, domain=(), order=None):
        """The bookings of these documents matching ``domain`` (one query; sudo: a
        document's workflow sees its bookings whoever may read them)."""
        return (
            self.env["pemkab.delivery.booking"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "in", self.ids), *domain],
                order=order,
            )
        )

    def _delivery_active_bookings(self):
        """The bookings of these documents that are not final."""
        return self._delivery_bookings([("state", "in", ACTIVE_STATES)])

    def _delivery_active_booking(self):
        self.ensure_one()
        return self._delivery_active_bookings()[:1]

    def _delivery_current_bookings(self):
        """{document id: the booking whose news moves it}: its latest booking that it
        has not released."""
        bookings = self._delivery_bookings([("released", "=", False)], order="id desc")
        current = {}
        for booking in bookings:
            current.setdefault(booking.res_id, booking)
        return current

    # ------------------------------------------------------------------
    # Courier news (called by pemkab.delivery.booking)
    # ------------------------------------------------------------------
    def _delivery_on_booking_update(self, booking, old_state):
        """A booking of this record changed state: move the record the same way, whoever
        started the booking. News of a booking the record released, or of an older one,
        is kept on that booking only.

        :param booking: the ``pemkab.delivery.booking``
        :param old_state: its state before the change
        """
        self.ensure_one()
        vals = self._delivery_news_vals(booking)
        if vals is None:
            ready = self[self._delivery_state_field] == self._delivery_ready_state
            if ready and booking.released and booking.state in FINAL_STATES:
                # a booking being cancelled kept a re-dispatched parcel waiting
                self._delivery_apply_triggers()
            return
        if not vals and booking.state not in FINAL_STATES:
            return  # nothing to do here: spare the query below (bulk requests)
        if booking != self._delivery_current_bookings().get(self.id):
            return
        if vals:
            state = vals.pop(self._delivery_state_field)
            self._delivery_write_state(state, vals)
        if hasattr(self, "message_post") and booking.state in FINAL_STATES:
            self.message_post(
                body=self.env._(
                    "Courier booking %(ref)s: %(state)s.",
                    ref=booking.name,
                    state=dict(booking._fields["state"]._description_selection(self.env))[
                        booking.state
                    ],
                ),
                message_type="notification",
            )

    def _delivery_news_vals(self, booking):
        """What the booking's new state does to this record: the values to write (with
        the state), ``{}`` for news that changes nothing here but is this record's, or
        None when the news is not for this record."""
        if booking.released:
            return None
        state = self[self._delivery_state_field]
        ready, out = self._delivery_ready_state, self._delivery_out_state
        returned = self._delivery_returned_states()
        field = self._delivery_state_field
        news = booking.state
        if news in ("requested", "booked", "driver_assigned"):
            if state in returned:  # booked again (Book Again, a dispatcher's request)
                return {field: ready, "failure_reason": False, "failure_message": False}
            return {} if state == ready else None
        if news == "picked_up":
            return {field: out} if state in (ready, *returned) else None
        if news == "delivered":
            if state in (ready, out, *returned):
                return dict(
                    self._delivery_proof_from_booking(booking),
                    **{field: self._delivery_delivered_state},
                )
            return None
        if news in ("failed", "cancelled") and state in (ready, out):
            # a booking cancelled in Odoo carries its canceller's reason; one cancelled
            # by the courier does not
            reason = booking.failure_reason or (
                "other" if news == "failed" or booking.cancel_reason else "cancelled_by_courier"
            )
            message = booking.failure_message or (news == "cancelled" and booking.cancel_reason)
            return {
                field: self._delivery_failure_state(reason),
                "failure_reason": reason,
                "failure_message": (message or "")[:250] or False,
            }
        return None

    def _delivery_proof_from_booking(self, booking):
        """The proof of delivery the courier reported, matched to the recipient, a family
        member or a proxy of this document."""
        self.ensure_one()
        vals = {
            "receiver_name": booking.receiver_name or self.receiver_name,
            "receiver_relation": booking.receiver_relation or self.receiver_relation,
            "delivered_at": booking.delivered_at or fields.Datetime.now(),
            "proof_source": self.proof_source or "courier",
            "proof_photo_url": booking.proof_photo_url or self.proof_photo_url,
            "failure_reason": False,
            "failure_message": False,
        }
        if booking.proof_photo and not self.proof_photo:
            vals["proof_photo"] = booking.proof_photo
        if not self.receiver_type:
            vals.update(
                self._delivery_match_receiver(booking.receiver_name, booking.receiver_relation)
            )
        return vals

    def _delivery_match_receiver(self, name, relation):
        """``receiver_type`` and ``receiver_partner_id`` for the person a courier named:
        a registered recipient, family member or proxy of that name, else what the
        relation says (a stranger counts as a proxy)."""
        self.ensure_one()
        wanted = (name or "").strip().casefold()
        for candidate in self._delivery_receiver_candidates():
            known = candidate["partner"].name or candidate.get("name") or ""
            if wanted and candidate["partner"] and known.strip().casefold() == wanted:
                return {
                    "receiver_type": candidate["type"],
                    "receiver_partner_id": candidate["partner"].id,
                }
        words = (relation or "").strip().casefold()
        if words in SELF_RELATIONS:
            kind = "recipient"
        elif words in FAMILY_RELATIONS:
            kind = "family"
        elif not name and not words:
            return {}
        else:
            kind = "proxy"
        return {"receiver_type": kind}

    # ------------------------------------------------------------------
    # Triggers
    # ------------------------------------------------------------------
    def _delivery_apply_triggers(self):
        """Create (and request) the bookings that the records' new state asks for.

        Set-based: one search for triggers, one for bookings under way, one create and
        one request for the whole batch, so that a period of thousands of shipments
        reaching "packed" at once books them in seconds.
        """
        state_field = self._delivery_state_field
        candidates = self.filtered(lambda record: record[state_field])
        if not candidates:
            return
        triggers = self._delivery_triggers(set(candidates.mapped(state_field)))
        if not triggers:
            return
        busy = set(candidates._delivery_active_bookings().mapped("res_id"))
        by_trigger = {}
        for record in candidates:
            if record.id in busy:
                continue
            agency = record._delivery_agency()
            trigger = next(
                (
                    trigger
                    for trigger in triggers
                    if trigger.state_value == record[state_field] and trigger._applies_to(agency)
                ),
                None,
            )
            if trigger:
                by_trigger.setdefault(trigger, []).append(record.id)
        for trigger, ids in by_trigger.items():
            self.browse(ids)._delivery_create_bookings(trigger.provider_id, trigger.dispatch_mode)

    def _delivery_triggers(self, states):
        """The active delivery triggers of this document for these states (sudo: they
        are an administrator's settings that act for the agency)."""
        return (
            self.env["pemkab.delivery.trigger"]
            .sudo()
            .search([("model_name", "=", self._name), ("state_value", "in", list(states))])
        )

    def _delivery_create_bookings(self, provider, dispatch_mode="auto"):
        """Create the courier bookings of these records (one each); request them unless a
        dispatcher must. Returns the bookings (sudo: the trigger acts for the agency)."""
        if not self:
            return self.env["pemkab.delivery.booking"].sudo()
        busy = self._delivery_active_bookings()[:1]
        if busy:
            raise UserError(
                self.env._(
                    "%(record)s already has a courier booking under way.",
                    record=self.browse(busy.res_id).display_name,
                )
            )
        vals_list = []
        for record in self:
            values = dict(record._delivery_booking_values())
            values.update(
                res_model=self._name,
                res_id=record.id,
                provider_id=provider.id,
                responsible_user_id=values.get("responsible_user_id") or self.env.user.id,
            )
            values.setdefault("service_type", provider.service_type)
            values.setdefault("currency_id", record.currency_id.id)
            vals_list.append(values)
        Booking = self.env["pemkab.delivery.booking"].sudo()
        if len(vals_list) > 1 and self.env.context.get("tracking_disable"):
            bookings = insert_bookings(Booking, vals_list)
        else:
            bookings = Booking.create(vals_list)
        self._delivery_invalidate()
        if dispatch_mode == "auto":
            bookings.action_request()
        return bookings

    def _delivery_invalidate(self):
        """Forget the cached booking summary (bookings are found by search, not by a
        stored relation the ORM would keep up to date)."""
        self.invalidate_recordset(
            [
                "delivery_booking_ids",
                "delivery_booking_id",
                "delivery_booking_count",
                "delivery_status",
                "delivery_tracking_url",
            ]
        )
