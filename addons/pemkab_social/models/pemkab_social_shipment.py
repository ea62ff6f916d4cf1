# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

SHIPMENT_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("packed", "Packed"),
    ("out_for_delivery", "Out for Delivery"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("returned", "Returned"),
    ("cancelled", "Cancelled"),
]
UNDER_WAY = ("packed", "out_for_delivery")
# the beneficiary data copied from the registry at generation: frozen once approved
SNAPSHOT_FIELDS = (
    "household_id",
    "period_id",
    "recipient_name",
    "recipient_phone",
    "street",
    "kecamatan_id",
    "desa_id",
    "latitude",
    "longitude",
    "decile",
    "priority",
    "dtsen_id",
)
SELF_RELATIONS = {"self", "head", "sendiri", "penerima"}
FAMILY_RELATIONS = {"family", "member", "keluarga", "spouse", "child", "parent"}


class PemkabSocialShipment(models.Model):
    """One aid parcel for one beneficiary household in one program period.

    Draft -> submitted -> approved (by the head, period by period) -> packed (the courier
    is requested through the delivery trigger) -> out for delivery -> delivered; or
    failed / returned (back on the worklist) / cancelled, with a reason.
    """

    _name = "pemkab.social.shipment"
    _description = "Social Aid Shipment"
    _inherit = [
        "pemkab.address.mixin",
        "pemkab.deliverable.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "period_id desc, priority desc, id"
    _rec_names_search = ["name", "recipient_name", "dtsen_id"]
    _pemkab_phone_fields = {"recipient_phone": True}

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        index=True,
        default=lambda self: self.env._("New"),
    )
    period_id = fields.Many2one(
        "pemkab.social.period", required=True, ondelete="restrict", index=True, tracking=True
    )
    period_state = fields.Selection(related="period_id.state", string="Period Status")
    program_id = fields.Many2one(
        related="period_id.program_id", store=True, index=True, string="Program"
    )
    agency_id = fields.Many2one(related="period_id.agency_id", store=True, string="Agency")
    household_id = fields.Many2one(
        "pemkab.social.household",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
    )
    state = fields.Selection(
        SHIPMENT_STATES, required=True, default="draft", tracking=True, index=True, copy=False
    )
    shelter_id = fields.Many2one(
        "pemkab.shelter", string="Warehouse / Shelter", ondelete="restrict", tracking=True
    )
    package_type_id = fields.Many2one(
        "pemkab.social.package.type", ondelete="restrict"
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.IDR", raise_if_not_found=False)
    )
    package_cost = fields.Monetary(aggregator="sum")
    courier_cost = fields.Monetary(aggregator="sum", readonly=True, copy=False)
    # frozen beneficiary data (copied from the registry at generation)
    recipient_name = fields.Char(required=True, string="Recipient")
    recipient_phone = fields.Char()
    street = fields.Char(string="Address")
    decile = fields.Integer(string="Welfare Decile", aggregator=False)
    priority = fields.Integer(aggregator=False)
    dtsen_id = fields.Char(string="DTSEN/DTKS ID")
    # approval
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    # proof of delivery
    receiver_type = fields.Selection(
        [
            ("head", "Head of Household"),
            ("member", "Household Member"),
            ("proxy", "Named Proxy"),
        ],
        string="Received By",
        copy=False,
        tracking=True,
    )
    receiver_member_id = fields.Many2one(
        "res.partner",
        string="Receiving Member",
        copy=False,
        domain="[('pemkab_social_household_id', '=', household_id)]",
    )
    receiver_name = fields.Char(copy=False, tracking=True)
    received_at = fields.Datetime(string="Received On", copy=False, tracking=True)
    proof_source = fields.Selection(
        [("courier", "Courier"), ("officer", "Officer")], copy=False, readonly=True
    )
    proof_photo_url = fields.Char(copy=False, readonly=True)
    # failure / cancellation
    failure_reason = fields.Char(copy=False, tracking=True)
    cancel_reason = fields.Char(copy=False, tracking=True)

    _household_period_uniq = models.Constraint(
        "UNIQUE(period_id, household_id)",
        "This household already has a shipment in this period.",
    )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("receiver_type", "receiver_member_id", "household_id")
    def _check_receiver_member(self):
        for shipment in self:
            member = shipment.receiver_member_id
            if member and member.pemkab_social_household_id != shipment.household_id:
                raise ValidationError(
                    self.env._(
                        "%(ref)s: Receiving Member %(member)s is not a member of household "
                        "%(household)s.",
                        ref=shipment.name,
                        member=member.display_name,
                        household=shipment.household_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_no_duplicate(vals_list)
        periods = self.env["pemkab.social.period"].browse(
            {vals["period_id"] for vals in vals_list if vals.get("period_id")}
        )
        frozen = periods.filtered(lambda p: p.state != "draft")
        if frozen:
            raise UserError(
                self.env._(
                    "%(periods)s: the beneficiary list of an approved period is frozen; no "
                    "shipment can be added.",
                    periods=", ".join(frozen.mapped("display_name")),
                )
            )
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("pemkab.social.shipment")
        return super().create(vals_list)

    def write(self, vals):
        frozen_fields = [fname for fname in SNAPSHOT_FIELDS if fname in vals]
        if frozen_fields and not self.env.context.get("pemkab_social_allow_snapshot"):
            frozen = self.filtered(lambda s: s.period_id.state != "draft")
            if frozen:
                labels = ", ".join(
                    self._fields[fname]._description_string(self.env) for fname in frozen_fields
                )
                raise UserError(
                    self.env._(
                        "%(refs)s: %(fields)s cannot change: the period is approved and its "
                        "beneficiary list is frozen.",
                        refs=", ".join(frozen[:5].mapped("name")),
                        fields=labels,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        locked = self.filtered(lambda s: s.state != "draft" or s.period_id.state != "draft")
        if locked:
            raise UserError(
                self.env._(
                    "%(refs)s: only draft shipments of a draft period can be deleted; cancel "
                    "them instead.",
                    refs=", ".join(locked[:5].mapped("name")),
                )
            )

    def _check_no_duplicate(self, vals_list):
        """Refuse a second shipment of a household in a period, naming the existing one
        (one query for the whole batch; the UNIQUE constraint is the last guard)."""
        pairs = [
            (vals.get("period_id"), vals.get("household_id"))
            for vals in vals_list
            if vals.get("period_id") and vals.get("household_id")
        ]
        if not pairs:
            return
        if len(set(pairs)) != len(pairs):
            seen = set()
            for pair in pairs:
                if pair in seen:
                    raise ValidationError(
                        self.env._(
                            "Household %(household)s is given two shipments of the same period "
                            "at once.",
                            household=self.env["pemkab.social.household"]
                            .browse(pair[1])
                            .sudo()
                            .display_name,
                        )
                    )
                seen.add(pair)
        self.env.cr.execute(
            """
            SELECT s.id
              FROM pemkab_social_shipment s
              JOIN unnest(%s::int[], %s::int[]) AS p(period_id, household_id)
                ON p.period_id = s.period_id AND p.household_id = s.household_id
             LIMIT 1
            """,
            ([p for p, _h in pairs], [h for _p, h in pairs]),
        )
        row = self.env.cr.fetchone()
        if row:
            existing = self.sudo().browse(row[0])
            raise ValidationError(
                self.env._(
                    "Household %(household)s already has shipment %(ref)s in period %(period)s.",
                    household=existing.household_id.display_name,
                    ref=existing.name,
                    period=existing.period_id.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_submit(self):
        self._check_can_submit()
        self._do_submit()
        return True

    def action_approve(self):
        self._check_can_approve()
        self._do_approve()
        return True

    def action_pack(self):
        """Mark the parcels packed: the delivery trigger on "packed" books the courier."""
        self._check_can_pack()
        self._do_pack()
        return True

    def action_out_for_delivery(self):
        self._check_state(("packed",), self.env._("marked out for delivery"))
        self.write({"state": "out_for_delivery"})
        return True

    def action_deliver(self):
        """Officer-entered proof of delivery (own fleet, or a courier's app that failed)."""
        self._check_can_deliver()
        self._do_deliver()
        return True

    def action_retry(self):
        """Put failed or returned shipments back to approved, to be packed again."""
        self._check_state(("failed", "returned"), self.env._("sent again"))
        not_open = self.filtered(lambda s: s.period_id.state != "approved")
        if not_open:
            raise UserError(
                self.env._(
                    "%(refs)s: the period is no longer open.",
                    refs=", ".join(not_open[:5].mapped("name")),
                )
            )
        self.write({"state": "approved", "failure_reason": False})
        return True

    def action_open_reason_wizard(self):
        kind = self.env.context.get("pemkab_social_reason_kind", "cancel")
        return {
            "type": "ir.actions.act_window",
            "name": dict(
                self.env["pemkab.social.reason.wizard"]
                ._fields["kind"]
                ._description_selection(self.env)
            )[kind],
            "res_model": "pemkab.social.reason.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_kind": kind, "default_shipment_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_state(self, states, what):
        wrong = self.filtered(lambda s: s.state not in states)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                "\n".join(
                    self.env._(
                        "%(ref)s cannot be %(what)s in state %(state)s.",
                        ref=shipment.name,
                        what=what,
                        state=labels[shipment.state],
                    )
                    for shipment in wrong[:20]
                )
            )

    def _check_can_submit(self):
        errors = []
        for shipment in self:
            if shipment.state != "draft":
                errors.append(self.env._("%(ref)s is not a draft.", ref=shipment.name))
            if shipment.period_id.state != "draft":
                errors.append(self.env._("%(ref)s: its period is not a draft.", ref=shipment.name))
        if errors:
            raise UserError("\n".join(errors[:20]))

    def _check_can_approve(self):
        errors = []
        if not self.env.user.has_group("pemkab_social.group_social_head"):
            errors.append(self.env._("Only the head of the Dinas Sosial approves shipments."))
        for shipment in self:
            if shipment.state != "submitted":
                errors.append(self.env._("%(ref)s is not submitted.", ref=shipment.name))
            if shipment.period_id.state != "approved":
                errors.append(
                    self.env._(
                        "%(ref)s: period %(period)s must be approved first.",
                        ref=shipment.name,
                        period=shipment.period_id.display_name,
                    )
                )
        if errors:
            raise UserError("\n".join(errors[:20]))

    def _check_can_pack(self):
        errors = []
        for shipment in self:
            ref = shipment.name
            if shipment.state != "approved":
                errors.append(self.env._("%(ref)s is not approved.", ref=ref))
            if not shipment.shelter_id:
                errors.append(self.env._("%(ref)s: choose the warehouse/shelter.", ref=ref))
            if not shipment.recipient_phone:
                errors.append(self.env._("%(ref)s: the household has no phone.", ref=ref))
            if not (shipment.latitude and shipment.longitude):
                errors.append(self.env._("%(ref)s: the household has no coordinates.", ref=ref))
            if len(errors) > 30:
                break
        for shelter in self.shelter_id:
            if not shelter.phone:
                errors.append(
                    self.env._(
                        "Shelter %(shelter)s has no contact phone for the driver.",
                        shelter=shelter.display_name,
                    )
                )
            if not (shelter.latitude and shelter.longitude):
                errors.append(
                    self.env._(
                        "Shelter %(shelter)s has no coordinates.", shelter=shelter.display_name
                    )
                )
        if errors:
            raise UserError("\n".join(errors[:30]))

    def _check_can_deliver(self):
        errors = []
        for shipment in self:
            ref = shipment.name
            if shipment.state not in UNDER_WAY:
                errors.append(self.env._("%(ref)s is not on its way.", ref=ref))
            if not shipment.receiver_type:
                errors.append(self.env._("%(ref)s: say who received the parcel.", ref=ref))
            elif shipment.receiver_type == "member" and not shipment.receiver_member_id:
                errors.append(self.env._("%(ref)s: choose the receiving member.", ref=ref))
            elif shipment.receiver_type == "proxy" and not shipment.receiver_name:
                errors.append(self.env._("%(ref)s: give the proxy's name.", ref=ref))
        if errors:
            raise UserError("\n".join(errors[:20]))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _do_submit(self):
        self.with_context(tracking_disable=len(self) > 1).write({"state": "submitted"})

    def _do_approve(self):
        self.with_context(tracking_disable=len(self) > 1).write(
            {
                "state": "approved",
                "approved_by_id": self.env.uid,
                "approved_date": fields.Datetime.now(),
            }
        )

    def _do_pack(self):
        # one write for the whole batch; the deliverable mixin books the couriers
        self.with_context(tracking_disable=len(self) > 1).write({"state": "packed"})

    def _do_deliver(self):
        for shipment in self:
            vals = {
                "state": "delivered",
                "proof_source": "officer",
                "received_at": shipment.received_at or fields.Datetime.now(),
            }
            if shipment.receiver_type == "head":
                vals["receiver_name"] = shipment.receiver_name or shipment.recipient_name
            elif shipment.receiver_type == "member":
                vals["receiver_name"] = shipment.receiver_member_id.name
            shipment.write(vals)
        # the courier, if any, has nothing more to do
        self._cancel_active_bookings(self.env._("Delivered, confirmed by an officer"))

    def _do_cancel(self, reason):
        self._check_state(("draft", "submitted", "approved", "packed"), self.env._("cancelled"))
        self._cancel_active_bookings(reason)
        self.write({"state": "cancelled", "cancel_reason": reason})

    def _do_fail(self, reason, returned=False):
        self._check_state(UNDER_WAY, self.env._("marked undelivered"))
        self._cancel_active_bookings(reason)
        self.write({"state": "returned" if returned else "failed", "failure_reason": reason})

    def _cancel_active_bookings(self, reason):
        bookings = (
            self.env["pemkab.delivery.booking"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("state", "in", ("draft", "requested", "booked", "driver_assigned")),
                ]
            )
        )
        if bookings:
            bookings.with_context(
                cancel_reason=reason, pemkab_social_no_feedback=True
            ).action_cancel()

    # ------------------------------------------------------------------
    # Courier connector hooks (pemkab.deliverable.mixin)
    # ------------------------------------------------------------------
    def _delivery_booking_values(self):
        """Only name, phone and address go to the courier: no NIK, decile or program."""
        self.ensure_one()
        return {
            "agency_id": self.agency_id.id,
            "shelter_id": self.shelter_id.id,
            "recipient_name": self.recipient_name,
            "recipient_phone": self.recipient_phone,
            "street": self.street,
            "kecamatan_id": self.kecamatan_id.id,
            "desa_id": self.desa_id.id,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "recipient_note": False,
            "package_code": self.name,
            "package_description": self.env._("Parcel"),
            "responsible_user_id": self.approved_by_id.id or self.env.uid,
            "currency_id": self.currency_id.id,
        }

    def _delivery_on_booking_update(self, booking, old_state):
        if self.env.context.get("pemkab_social_no_feedback"):
            return
        shipment = self.sudo()
        if booking.state == "picked_up" and shipment.state == "packed":
            shipment.write({"state": "out_for_delivery"})
        elif booking.state == "delivered" and shipment.state in UNDER_WAY:
            shipment.write(shipment._proof_from_booking(booking))
        elif booking.state == "failed" and shipment.state in UNDER_WAY:
            reason = dict(booking._fields["failure_reason"]._description_selection(self.env)).get(
                booking.failure_reason, ""
            )
            shipment.write(
                {
                    "state": "returned" if booking.failure_reason == "returned" else "failed",
                    "failure_reason": " ".join(
                        part for part in (reason, booking.failure_message) if part
                    ),
                }
            )
        elif booking.state == "cancelled" and shipment.state in UNDER_WAY:
            shipment.write(
                {
                    "state": "failed",
                    "failure_reason": booking.cancel_reason
                    or self.env._("The courier booking was cancelled."),
                }
            )
        return super()._delivery_on_booking_update(booking, old_state)

    def _proof_from_booking(self, booking):
        self.ensure_one()
        relation = (booking.receiver_relation or "").strip().lower()
        name = booking.receiver_name or ""
        vals = {
            "state": "delivered",
            "proof_source": "courier",
            "receiver_name": name or self.recipient_name,
            "received_at": booking.delivered_at or fields.Datetime.now(),
            "proof_photo_url": booking.proof_photo_url,
            "courier_cost": booking.final_price or booking.quoted_price,
        }
        if relation in SELF_RELATIONS or (name and name == self.recipient_name):
            vals["receiver_type"] = "head"
        elif relation in FAMILY_RELATIONS:
            vals["receiver_type"] = "member"
            member = self.household_id.member_ids.filtered(
                lambda m: name and m.name.lower() == name.lower()
            )[:1]
            vals["receiver_member_id"] = member.id
        else:
            vals["receiver_type"] = "proxy"
        return vals
