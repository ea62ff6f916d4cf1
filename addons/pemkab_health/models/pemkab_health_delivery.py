# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Prescription deliveries ("Gancang Aron").

A pharmacist of a hospital or Puskesmas prepares a patient's medicine, verifies the
prescription and counsels the patient; the head of the agency approves the deliveries
that an approval rule (or a controlled substance) names; the parcel is then "ready" at
the facility's shelter, which books the courier through pemkab_delivery's state trigger.
The courier's news moves the delivery on: out for delivery, delivered (with proof), or
failed (returned to the shelter, to be dispatched again).
"""

import math

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

STATES = [
    ("draft", "Draft"),
    ("to_approve", "Awaiting Approval"),
    ("approved", "Approved"),
    ("ready", "Ready at Shelter"),
    ("out", "Out for Delivery"),
    ("delivered", "Delivered"),
    ("failed", "Returned to Shelter"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
# states in which the parcel has been handed to (or is waiting for) a courier
DISPATCHED_STATES = ("ready", "out", "delivered")
# approval fields only the approval itself may write
APPROVAL_FIELDS = {"controlled_approved", "approved_by_id", "approved_at"}
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lng1, lat2, lng2):
    """Great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class PemkabHealthDelivery(models.Model):
    _name = "pemkab.health.delivery"
    _description = "Prescription Delivery"
    _inherit = ["mail.thread", "mail.activity.mixin", "pemkab.deliverable.mixin"]
    _order = "id desc"
    _rec_names_search = ["name", "prescription_number"]

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: self.env._("New"),
        help="Code written on the parcel and given to the courier.",
    )
    state = fields.Selection(
        STATES, required=True, default="draft", tracking=True, index=True, copy=False
    )
    shelter_id = fields.Many2one(
        "pemkab.shelter",
        string="Issuing Facility",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        domain="[('kind', 'in', ('hospital', 'puskesmas'))]",
        default=lambda self: self._default_shelter_id(),
        help="Hospital or Puskesmas that issues the medicine; its shelter is the pickup point.",
    )
    agency_id = fields.Many2one(
        related="shelter_id.agency_id", store=True, index=True, string="Agency"
    )
    patient_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        domain="[('is_patient', '=', True)]",
    )
    patient_mobile = fields.Char(related="patient_id.patient_mobile", string="Patient Mobile")
    patient_proxy_ids = fields.Many2many(related="patient_id.patient_proxy_ids")
    prescription_number = fields.Char(
        string="Prescription No.",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        help="Number of the prescription in the facility's system (scan its barcode).",
    )
    prescriber_name = fields.Char(string="Prescriber", help="Doctor who wrote the prescription.")
    prescription_date = fields.Date(required=True, default=fields.Date.context_today)
    line_ids = fields.One2many(
        "pemkab.health.delivery.line", "delivery_id", string="Medicines", copy=True
    )
    line_count = fields.Integer(compute="_compute_line_count", string="Number of Medicines")
    controlled = fields.Boolean(
        string="Controlled Substance",
        compute="_compute_line_flags",
        store=True,
        help="At least one medicine is a narkotika or psikotropika.",
    )
    cold_chain = fields.Boolean(compute="_compute_line_flags", store=True)
    pharmacist_id = fields.Many2one(
        "res.users",
        tracking=True,
        default=lambda self: self.env.user,
        help="Pharmacist who prepared the medicine and counselled the patient.",
    )
    counselled = fields.Boolean(
        string="Patient Counselled", help="The pharmacist explained the medicine to the patient."
    )
    recipient_note = fields.Char(
        string="Note for the Courier", help="Landmark or directions; never the medicines."
    )
    # fee
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.IDR", raise_if_not_found=False)
    )
    distance_km = fields.Float(
        string="Distance (km)",
        digits=(6, 1),
        compute="_compute_distance_km",
        store=True,
        help="Straight-line distance from the facility to the patient.",
    )
    fee = fields.Monetary(
        string="Delivery Fee",
        compute="_compute_fee",
        store=True,
        readonly=False,
        tracking=True,
        help="Computed from the distance while the delivery is a draft; can be changed.",
    )
    fee_payer = fields.Selection(
        [("subsidy", "Regency Subsidy"), ("patient", "Patient")],
        string="Paid By",
        compute="_compute_fee_payer",
        store=True,
        readonly=False,
        tracking=True,
        help="The regency pays for BPJS patients and poor households; other patients pay "
        "by distance.",
    )
    # verification and approval
    verified_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    verified_at = fields.Datetime(string="Verified On", readonly=True, copy=False)
    approval_required = fields.Boolean(readonly=True, copy=False)
    approval_reason = fields.Char(string="Why Approval", readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    approved_at = fields.Datetime(string="Approved On", readonly=True, copy=False)
    controlled_approved = fields.Boolean(
        string="Controlled Substance Approved",
        readonly=True,
        copy=False,
        tracking=True,
        help="The head approved handing this delivery's controlled substances to a courier.",
    )
    reject_reason = fields.Text(readonly=True, copy=False, tracking=True)
    cancel_reason = fields.Text(readonly=True, copy=False, tracking=True)
    failure_reason = fields.Char(string="Why Returned", readonly=True, copy=False, tracking=True)
    # proof of delivery
    receiver_partner_id = fields.Many2one(
        "res.partner",
        string="Received By",
        copy=False,
        tracking=True,
        help="The patient or one of the patient's proxies.",
    )
    receiver_name = fields.Char(copy=False, tracking=True)
    receiver_relation = fields.Char(copy=False)
    delivered_at = fields.Datetime(string="Delivered On", copy=False, tracking=True)
    proof_source = fields.Selection(
        [("courier", "Courier"), ("manual", "Confirmed by a Pharmacist")],
        string="Proof From",
        readonly=True,
        copy=False,
    )
    color = fields.Integer(compute="_compute_color")

    _prescription_uniq = models.UniqueIndex(
        "(shelter_id, prescription_number) WHERE state != 'cancelled'",
        "This facility already has a delivery for this prescription number.",
    )
    _fee_positive = models.Constraint("CHECK(fee >= 0)", "The delivery fee cannot be negative.")

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.model
    def _default_shelter_id(self):
        return self.env.user.pemkab_shelter_ids.filtered(
            lambda s: s.kind in ("hospital", "puskesmas")
        )[:1]

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("line_ids")
    def _compute_line_count(self):
        for delivery in self:
            delivery.line_count = len(delivery.line_ids)

    @api.depends("line_ids.controlled_type", "line_ids.cold_chain")
    def _compute_line_flags(self):
        for delivery in self:
            delivery.controlled = any(delivery.line_ids.mapped("controlled_type"))
            delivery.cold_chain = any(delivery.line_ids.mapped("cold_chain"))

    @api.depends(
        "shelter_id.latitude",
        "shelter_id.longitude",
        "patient_id.partner_latitude",
        "patient_id.partner_longitude",
    )
    def _compute_distance_km(self):
        for delivery in self:
            shelter, patient = delivery.shelter_id, delivery.patient_id
            if (
                shelter.latitude
                and shelter.longitude
                and patient.partner_latitude
                and patient.partner_longitude
            ):
                delivery.distance_km = haversine_km(
                    shelter.latitude,
                    shelter.longitude,
                    patient.partner_latitude,
                    patient.partner_longitude,
                )
            else:
                delivery.distance_km = 0.0

    @api.depends("distance_km")
    def _compute_fee(self):
        params = self.env["ir.config_parameter"].sudo()
        base = float(params.get_param("pemkab_health.fee_base", 10000))
        per_km = float(params.get_param("pemkab_health.fee_per_km", 2500))
        for delivery in self:
            if delivery.state not in (False, "draft"):
                continue  # the fee of a verified delivery is what was approved
            delivery.fee = base + per_km * math.ceil(delivery.distance_km)

    @api.depends("patient_id")
    def _compute_fee_payer(self):
        for delivery in self:
            if delivery.state not in (False, "draft"):
                continue
            if not delivery.patient_id:
                delivery.fee_payer = "patient"
            else:
                subsidised = delivery.patient_id._health_subsidised()
                delivery.fee_payer = "subsidy" if subsidised else "patient"

    @api.depends("state", "controlled")
    def _compute_color(self):
        colors = {"failed": 1, "rejected": 1, "to_approve": 3, "out": 4, "delivered": 10}
        for delivery in self:
            delivery.color = colors.get(delivery.state, 0)

    @api.depends("name", "patient_id")
    def _compute_display_name(self):
        for delivery in self:
            delivery.display_name = delivery.name or ""

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("state", "controlled", "controlled_approved", "approval_required")
    def _check_approved_before_dispatch(self):
        """The last guard: no controlled substance reaches a courier without an approval
        that says so, and no delivery needing approval moves on without one."""
        for delivery in self:
            if delivery.state not in ("approved", *DISPATCHED_STATES, "failed"):
                continue
            if delivery.controlled and not delivery.controlled_approved:
                raise ValidationError(
                    self.env._(
                        "%(ref)s contains a controlled substance (narkotika/psikotropika): it "
                        "cannot be approved or handed to a courier without the head's approval "
                        "of the controlled substance.",
                        ref=delivery.name,
                    )
                )
            if delivery.approval_required and not delivery.approved_by_id:
                raise ValidationError(
                    self.env._("%(ref)s needs the head's approval first.", ref=delivery.name)
                )

    @api.constrains("receiver_partner_id", "patient_id")
    def _check_receiver_partner_id(self):
        for delivery in self:
            receiver = delivery.receiver_partner_id
            allowed = delivery.patient_id | delivery.patient_id.patient_proxy_ids
            if receiver and receiver not in allowed:
                raise ValidationError(
                    self.env._(
                        "Received By: %(receiver)s is neither the patient %(patient)s nor one "
                        "of the patient's proxies.",
                        receiver=receiver.display_name,
                        patient=delivery.patient_id.display_name,
                    )
                )

    @api.constrains("patient_id")
    def _check_patient_id(self):
        for delivery in self:
            if not delivery.patient_id.is_patient:
                raise ValidationError(
                    self.env._(
                        "Patient: %(contact)s is not registered as a patient.",
                        contact=delivery.patient_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("prescription_number"):
                vals["prescription_number"] = vals["prescription_number"].strip()
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = sequence.next_by_code("pemkab.health.delivery")
        self._check_approval_fields_write(vals_list)
        default_shelter = self._default_shelter_id()
        self._check_prescription_free(
            [
                (vals.get("shelter_id") or default_shelter.id, vals.get("prescription_number"))
                for vals in vals_list
            ]
        )
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("prescription_number"):
            vals["prescription_number"] = vals["prescription_number"].strip()
        self._check_approval_fields_write([vals])
        if vals.get("prescription_number") or vals.get("shelter_id"):
            self._check_prescription_free(
                [
                    (
                        vals.get("shelter_id") or delivery.shelter_id.id,
                        vals.get("prescription_number") or delivery.prescription_number,
                    )
                    for delivery in self
                ],
                exclude=self,
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(delivery.state not in ("draft", "cancelled") for delivery in self):
            raise UserError(
                self.env._("Only draft or cancelled deliveries can be deleted; cancel it first.")
            )

    def _check_prescription_free(self, pairs, exclude=None):
        """A prescription is delivered once per facility (cancelled ones aside); names the
        delivery that has it. The unique index stays as the last guard."""
        pairs = [(shelter, number) for shelter, number in pairs if shelter and number]
        if not pairs:
            return
        seen = set()
        for pair in pairs:
            if pair in seen:
                raise ValidationError(
                    self.env._("Prescription No.: %(number)s is entered twice.", number=pair[1])
                )
            seen.add(pair)
        domain = [
            ("prescription_number", "in", [number for _shelter, number in pairs]),
            ("shelter_id", "in", [shelter for shelter, _number in pairs]),
            ("state", "!=", "cancelled"),
        ]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        for other in self.sudo().search(domain):
            if (other.shelter_id.id, other.prescription_number) in seen:
                raise ValidationError(
                    self.env._(
                        "Prescription No.: %(number)s of %(facility)s is already on delivery "
                        "%(other)s.",
                        number=other.prescription_number,
                        facility=other.shelter_id.display_name,
                        other=other.name,
                    )
                )

    def _check_approval_fields_write(self, vals_list):
        """Only an approval (or the system) sets the approval fields."""
        if self.env.su or self.env.context.get("pemkab_health_approving"):
            return
        for vals in vals_list:
            if APPROVAL_FIELDS & set(vals):
                raise UserError(
                    self.env._("Approval: only the head's Approve button records an approval.")
                )

    def _check_lines_editable(self):
        not_draft = self.filtered(lambda d: d.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "Medicines of %(refs)s cannot change any more: only a draft delivery's "
                    "medicines can be edited (reset it to draft first).",
                    refs=", ".join(not_draft.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_verify(self):
        """The pharmacist verified the prescription: send it for approval when a rule
        asks for it, else it is approved at once."""
        self._check_can_verify()
        self._do_verify()
        return True

    def action_approve(self):
        """The head approves (in bulk from the approval queue)."""
        self._check_can_approve()
        self._do_approve()
        return True

    def action_open_reject_wizard(self):
        self._check_can_approve()
        return self._open_reason_wizard("reject")

    def action_reject(self, reason):
        """The head refuses, with a reason (the wizard calls this)."""
        self._check_can_approve()
        self._check_reason(reason)
        self._do_reject(reason)
        return True

    def action_mark_ready(self):
        """The parcel waits at the shelter: this requests the courier (state trigger)."""
        self._check_can_mark_ready()
        self._do_mark_ready()
        return True

    def action_redispatch(self):
        """Send a returned parcel out again: a new courier booking."""
        wrong = self.filtered(lambda d: d.state != "failed")
        if wrong:
            raise UserError(
                self.env._(
                    "%(refs)s: only a delivery returned to the shelter can be dispatched again.",
                    refs=", ".join(wrong.mapped("name")),
                )
            )
        self._check_can_mark_ready(states=("failed",))
        self._do_mark_ready()
        return True

    def action_confirm_delivered(self):
        """A pharmacist confirms by hand who received the parcel, and when."""
        self._check_can_confirm_delivered()
        self._do_confirm_delivered()
        return True

    def action_open_cancel_wizard(self):
        self._check_can_cancel()
        return self._open_reason_wizard("cancel")

    def action_cancel(self, reason):
        """Cancel with a reason (the wizard calls this); cancels the courier booking too."""
        self._check_can_cancel()
        self._check_reason(reason)
        self._do_cancel(reason)
        return True

    def action_reset_to_draft(self):
        wrong = self.filtered(lambda d: d.state not in ("rejected", "cancelled", "to_approve"))
        if wrong:
            raise UserError(
                self.env._(
                    "%(refs)s: only a rejected, cancelled or waiting delivery goes back to draft.",
                    refs=", ".join(wrong.mapped("name")),
                )
            )
        self.with_context(pemkab_health_approving=True).write(
            {
                "state": "draft",
                "approval_required": False,
                "approval_reason": False,
                "approved_by_id": False,
                "approved_at": False,
                "controlled_approved": False,
                "verified_by_id": False,
                "verified_at": False,
            }
        )
        return True

    # ------------------------------------------------------------------
    # Checks: every reason at once
    # ------------------------------------------------------------------
    def _check_can_verify(self):
        errors = []
        for delivery in self:
            if delivery.state != "draft":
                errors.append(self.env._("%(ref)s is not a draft.", ref=delivery.name))
                continue
            if not delivery.line_ids:
                errors.append(self.env._("%(ref)s: add the medicines.", ref=delivery.name))
            if not delivery.pharmacist_id:
                errors.append(
                    self.env._("%(ref)s: name the pharmacist who prepared it.", ref=delivery.name)
                )
            errors += delivery._address_errors()
        if errors:
            raise UserError("\n".join(errors))

    def _address_errors(self):
        self.ensure_one()
        patient = self.patient_id
        errors = []
        if not patient.patient_mobile:
            errors.append(
                self.env._(
                    "%(ref)s: patient %(patient)s has no mobile phone for the courier.",
                    ref=self.name,
                    patient=patient.display_name,
                )
            )
        if not (patient.partner_latitude and patient.partner_longitude):
            errors.append(
                self.env._(
                    "%(ref)s: patient %(patient)s has no coordinates for the courier.",
                    ref=self.name,
                    patient=patient.display_name,
                )
            )
        return errors

    def _check_can_approve(self):
        errors = []
        headed = self.env.user.pemkab_head_agency_ids
        for delivery in self:
            if delivery.state != "to_approve":
                errors.append(self.env._("%(ref)s is not awaiting approval.", ref=delivery.name))
            if delivery.agency_id not in headed:
                errors.append(
                    self.env._(
                        "%(ref)s: only a head of %(agency)s can decide on it.",
                        ref=delivery.name,
                        agency=delivery.agency_id.display_name,
                    )
                )
        if errors:
            raise UserError("\n".join(errors))

    def _check_can_mark_ready(self, states=("approved",)):
        errors = []
        for delivery in self:
            if delivery.state not in states:
                errors.append(
                    self.env._(
                        "%(ref)s: only an approved delivery can be made ready.", ref=delivery.name
                    )
                )
            if delivery.controlled and not delivery.controlled_approved:
                errors.append(
                    self.env._(
                        "%(ref)s contains a controlled substance: the head must approve it "
                        "before a courier may take it.",
                        ref=delivery.name,
                    )
                )
            if delivery.approval_required and not delivery.approved_by_id:
                errors.append(
                    self.env._("%(ref)s needs the head's approval first.", ref=delivery.name)
                )
            if not delivery.counselled:
                errors.append(
                    self.env._(
                        "%(ref)s: the pharmacist must counsel the patient before dispatch.",
                        ref=delivery.name,
                    )
                )
            errors += delivery._address_errors()
        if errors:
            raise UserError("\n".join(errors))

    def _check_can_confirm_delivered(self):
        errors = []
        for delivery in self:
            if delivery.state not in ("ready", "out"):
                errors.append(
                    self.env._(
                        "%(ref)s: only a delivery at the shelter or on its way can be confirmed "
                        "delivered.",
                        ref=delivery.name,
                    )
                )
            if not delivery.receiver_partner_id:
                errors.append(
                    self.env._(
                        "%(ref)s: Received By: say who received the parcel (the patient or a "
                        "named proxy).",
                        ref=delivery.name,
                    )
                )
        if errors:
            raise UserError("\n".join(errors))

    def _check_can_cancel(self):
        errors = []
        for delivery in self:
            if delivery.state in ("delivered", "cancelled"):
                errors.append(
                    self.env._("%(ref)s is delivered or cancelled already.", ref=delivery.name)
                )
            elif delivery._delivery_active_booking().state == "picked_up":
                errors.append(
                    self.env._(
                        "%(ref)s: the driver already has the parcel; ask the courier to return it.",
                        ref=delivery.name,
                    )
                )
        if errors:
            raise UserError("\n".join(errors))

    def _check_reason(self, reason):
        if not (reason or "").strip():
            raise ValidationError(self.env._("Reason: give the reason."))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _do_verify(self):
        # the fee and its payer are computed while the delivery is a draft: settle them now
        self.mapped("fee")
        self.mapped("fee_payer")
        reasons = self.env["pemkab.health.approval.rule"]._approval_reasons(self)
        now = fields.Datetime.now()
        common = {"verified_by_id": self.env.user.id, "verified_at": now}
        need = self.filtered(lambda d: reasons[d.id])
        for delivery in need:
            delivery.write(
                dict(
                    common,
                    state="to_approve",
                    approval_required=True,
                    approval_reason="; ".join(reasons[delivery.id])[:250],
                )
            )
        free = self - need
        if free:
            free.write(dict(common, state="approved", approval_required=False))
        need._schedule_approval_activities()

    def _schedule_approval_activities(self):
        """Tell the heads of each delivery's agency that it awaits their decision."""
        for delivery in self:
            for head in delivery.agency_id.head_ids:
                delivery.activity_schedule(
                    "pemkab_health.mail_activity_type_approval",
                    user_id=head.id,
                    note=delivery.approval_reason,
                )

    def _clear_approval_activities(self):
        """The decision is taken: one query for the whole batch, whoever took it."""
        activity_type = self.env.ref(
            "pemkab_health.mail_activity_type_approval", raise_if_not_found=False
        )
        if activity_type:
            self.env["mail.activity"].sudo().search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ).unlink()

    def _do_approve(self):
        values = {
            "state": "approved",
            "approved_by_id": self.env.user.id,
            "approved_at": fields.Datetime.now(),
        }
        approving = self.with_context(pemkab_health_approving=True)
        controlled = approving.filtered("controlled")
        if controlled:
            controlled.write(dict(values, controlled_approved=True))
        if approving - controlled:
            (approving - controlled).write(values)
        self._clear_approval_activities()

    def _do_reject(self, reason):
        self.write({"state": "rejected", "reject_reason": reason.strip()})
        self._clear_approval_activities()

    def _do_mark_ready(self):
        # writing the state "ready" books the courier through the state trigger
        self.write({"state": "ready", "failure_reason": False})

    def _do_confirm_delivered(self):
        now = fields.Datetime.now()
        for delivery in self:
            receiver = delivery.receiver_partner_id
            is_patient = receiver == delivery.patient_id
            relation = (
                self.env._("patient")
                if is_patient
                else (receiver.health_relation or self.env._("proxy"))
            )
            delivery.write(
                {
                    "receiver_name": receiver.name,
                    "receiver_relation": relation,
                    "delivered_at": delivery.delivered_at or now,
                    "proof_source": "manual",
                }
            )
            booking = delivery._delivery_active_booking().sudo()
            if booking.state in ("booked", "driver_assigned", "picked_up"):
                booking.write({"receiver_name": receiver.name, "receiver_relation": relation})
                booking.action_mark_delivered()  # tells us back through the hook
            if delivery.state != "delivered":
                delivery.write({"state": "delivered"})
            if booking.state in ("draft", "requested"):
                # handed over before a courier came: the booking is not needed any more
                booking.with_context(
                    cancel_reason=self.env._("Handed over at the facility.")
                ).action_cancel()

    def _do_cancel(self, reason):
        reason = reason.strip()
        bookings = self.env["pemkab.delivery.booking"].sudo()
        for delivery in self:
            bookings |= delivery._delivery_active_booking()
        # cancelled first, so that the booking's cancellation does not mark it returned
        self.write({"state": "cancelled", "cancel_reason": reason})
        if bookings:
            bookings.with_context(cancel_reason=reason).action_cancel()

    def _open_reason_wizard(self, action):
        titles = {
            "reject": self.env._("Reject Deliveries"),
            "cancel": self.env._("Cancel Deliveries"),
        }
        return {
            "type": "ir.actions.act_window",
            "name": titles[action],
            "res_model": "pemkab.health.reason.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_action": action,
                "default_delivery_ids": [fields.Command.set(self.ids)],
            },
        }

    # ------------------------------------------------------------------
    # Courier (pemkab.deliverable.mixin hooks)
    # ------------------------------------------------------------------
    def _delivery_booking_values(self):
        """What the courier booking says: who, where, which parcel; never the medicines."""
        self.ensure_one()
        if self.controlled and not self.controlled_approved:
            raise UserError(
                self.env._(
                    "%(ref)s contains a controlled substance: no courier without the head's "
                    "approval.",
                    ref=self.name,
                )
            )
        patient = self.patient_id.sudo()
        description = (
            self.env._("Health parcel (keep cool, hand over directly)")
            if self.cold_chain
            else self.env._("Health parcel")
        )
        return {
            "agency_id": self.agency_id.id,
            "shelter_id": self.shelter_id.id,
            "recipient_name": patient.name,
            "recipient_phone": patient.patient_mobile,
            "street": ", ".join(p for p in (patient.street, patient.street2) if p) or False,
            "kecamatan_id": patient.kecamatan_id.id,
            "desa_id": patient.desa_id.id,
            "latitude": patient.partner_latitude,
            "longitude": patient.partner_longitude,
            "recipient_note": self.recipient_note or False,
            "package_code": self.name,
            "package_description": description,
            "responsible_user_id": (self.pharmacist_id or self.env.user).id,
        }

    def _delivery_on_booking_update(self, booking, old_state):
        """Move the delivery with its courier booking."""
        res = super()._delivery_on_booking_update(booking, old_state)
        if self.state not in ("ready", "out"):
            return res  # cancelled, or confirmed by hand already
        if booking.state == "picked_up" and self.state == "ready":
            self.write({"state": "out"})
        elif booking.state == "delivered":
            self.write(
                {
                    "state": "delivered",
                    "receiver_name": booking.receiver_name or self.receiver_name,
                    "receiver_relation": booking.receiver_relation or self.receiver_relation,
                    "receiver_partner_id": (
                        self.receiver_partner_id.id or self._match_receiver(booking.receiver_name)
                    ),
                    "delivered_at": booking.delivered_at or fields.Datetime.now(),
                    "proof_source": self.proof_source or "courier",
                }
            )
        elif booking.state in ("failed", "cancelled"):
            reasons = dict(booking._fields["failure_reason"]._description_selection(self.env))
            reason = (
                reasons.get(booking.failure_reason)
                or booking.cancel_reason
                or self.env._("Courier booking %s ended", booking.name)
            )
            if booking.failure_message:
                reason = f"{reason}: {booking.failure_message}"
            self.write({"state": "failed", "failure_reason": reason[:250]})
        return res

    def _match_receiver(self, name):
        """The patient or proxy whose name the courier reported, if any."""
        self.ensure_one()
        wanted = (name or "").strip().casefold()
        for person in self.patient_id | self.patient_id.patient_proxy_ids:
            if wanted and (person.name or "").strip().casefold() == wanted:
                return person.id
        return False
