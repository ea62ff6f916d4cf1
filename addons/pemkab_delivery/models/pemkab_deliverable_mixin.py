# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .pemkab_delivery_booking import ACTIVE_STATES, BOOKING_STATES


class PemkabDeliverableMixin(models.AbstractModel):
    """Makes a business model deliverable by courier.

    Inherit it, then implement :meth:`_delivery_booking_values` (who gets what, from
    which shelter) and, to move the record on, :meth:`_delivery_on_booking_update`. When
    the record's state (``_delivery_state_field``) reaches a state named by an active
    ``pemkab.delivery.trigger``, a booking is created: requested at once, or left as a
    draft for a dispatcher. A record never has two bookings under way.
    """

    _name = "pemkab.deliverable.mixin"
    _description = "Deliverable by Courier"

    _delivery_state_field = "state"

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
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        state_field = self._delivery_state_field
        if any(state_field in vals for vals in vals_list):
            records._delivery_apply_triggers()
        return records

    def write(self, vals):
        res = super().write(vals)
        if self._delivery_state_field in vals:
            self._delivery_apply_triggers()
        return res

    # ------------------------------------------------------------------
    # Actions
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

    def _delivery_on_booking_update(self, booking, old_state):
        """Called when a booking of this record changes state. Moves the record on.

        :param booking: the ``pemkab.delivery.booking``
        :param old_state: its state before the change
        """
        if hasattr(self, "message_post") and booking.state in ("delivered", "failed", "cancelled"):
            self.message_post(
                body=self.env._(
                    "Courier booking %(ref)s: %(state)s.",
                    ref=booking.name,
                    state=dict(BOOKING_STATES)[booking.state],
                ),
                message_type="notification",
            )

    # ------------------------------------------------------------------
    # Business
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
        triggers = (
            self.env["pemkab.delivery.trigger"]
            .sudo()
            .search(
                [
                    ("model_name", "=", self._name),
                    ("state_value", "in", list(set(candidates.mapped(state_field)))),
                ]
            )
        )
        if not triggers:
            return
        busy = set(
            self.env["pemkab.delivery.booking"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", candidates.ids),
                    ("state", "in", ACTIVE_STATES),
                ]
            )
            .mapped("res_id")
        )
        by_trigger = {}
        for record in candidates:
            if record.id in busy:
                continue
            agency = record._delivery_agency()
            trigger = next(
                (
                    trigger
                    for trigger in triggers
                    if trigger.state_value == record[state_field]
                    and (not trigger.agency_ids or agency in trigger.agency_ids)
                ),
                None,
            )
            if trigger:
                by_trigger.setdefault(trigger, []).append(record.id)
        for trigger, ids in by_trigger.items():
            self.browse(ids)._delivery_create_bookings(trigger.provider_id, trigger.dispatch_mode)

    def _delivery_agency(self):
        """The agency the record belongs to (``agency_id`` by default)."""
        self.ensure_one()
        return self["agency_id"] if "agency_id" in self._fields else self.env["pemkab.agency"]

    def _delivery_active_booking(self):
        self.ensure_one()
        return (
            self.env["pemkab.delivery.booking"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("state", "in", ACTIVE_STATES),
                ],
                limit=1,
            )
        )

    def _delivery_create_bookings(self, provider, dispatch_mode="auto"):
        """Create the courier bookings of these records (one each); request them unless a
        dispatcher must. Returns the bookings (sudo: the trigger acts for the agency)."""
        if not self:
            return self.env["pemkab.delivery.booking"].sudo()
        busy = (
            self.env["pemkab.delivery.booking"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("state", "in", ACTIVE_STATES),
                ],
                limit=1,
            )
        )
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
            vals_list.append(values)
        bookings = self.env["pemkab.delivery.booking"].sudo().create(vals_list)
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
