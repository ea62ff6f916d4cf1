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
import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.pemkab_delivery.tools.geo import haversine_km

STATES = [
    ("draft", "Draft"),
    ("to_approve", "Awaiting Approval"),
    ("approved", "Approved"),
    ("ready", "Ready at Shelter"),
    ("out_for_delivery", "Out for Delivery"),
    ("delivered", "Delivered"),
    ("failed", "Returned to Shelter"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
# states in which the parcel has been handed to (or is waiting for) a courier
DISPATCHED_STATES = ("ready", "out_for_delivery", "delivered")
# what only verification and approval write (pemkab.workflow.mixin), beside the state
APPROVAL_FIELDS = (
    "verified_by_id",
    "verified_at",
    "approval_required",
    "approval_reason",
    "approved_by_id",
    "approved_at",
    "controlled_approved",
    "reject_reason",
)


# what a barcode scanner may send around the code: the AIM symbology identifier some
# scanners put first ("]C1" for Code 128, "]Q1" for QR), control characters, the Enter
_SCANNER_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def normalize_prescription_number(value):
    """The prescription number as typed or scanned, without what a scanner adds (the AIM
    prefix, control characters, Enter) and with its spaces trimmed and collapsed."""
    text = _CONTROL_CHARACTERS.sub(" ", str(value or "")).strip()
    text = _SCANNER_PREFIX.sub("", text)
    return " ".join(text.split())


class PemkabHealthDelivery(models.Model):
    _name = "pemkab.health.delivery"
    _description = "Prescription Delivery"
    _inherit = ["mail.thread", "mail.activity.mixin", "pemkab.deliverable.mixin"]
    _order = "id desc"
    _rec_names_search = ["name", "prescription_number"]
    # pemkab.deliverable.mixin: the states the shared delivery workflow moves
    _delivery_ready_state = "ready"
    _delivery_out_state = "out_for_delivery"
    _delivery_failed_state = "failed"
    _delivery_closed_states = ("delivered", "cancelled", "rejected")
    _delivery_dispatch_from_states = ("approved",)
    _delivery_receiver_registered = True
    _workflow_protected_fields = APPROVAL_FIELDS

    name = fields.Char(help="Code written on the parcel and given to the courier.")
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
    patient_mobile = fields.Char(
        related="patient_id.patient_mobile",
        string="Patient Mobile",
        groups="pemkab_health.group_health_user",
    )
    patient_proxy_ids = fields.Many2many(
        related="patient_id.patient_proxy_ids", groups="pemkab_health.group_health_user"
    )
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
    receiver_partner_id = fields.Many2one(help="The patient or one of the patient's proxies.")
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
        colors = {
            "failed": 1,
            "rejected": 1,
            "to_approve": 3,
            "out_for_delivery": 4,
            "delivered": 10,
        }
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

    @api.constrains("fee")
    def _check_fee(self):
        # before the database's CHECK: a clear message, no failed query
        if any(delivery.fee < 0 for delivery in self):
            raise ValidationError(self.env._("Delivery Fee: the delivery fee cannot be negative."))

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
        self._pemkab_check_values(vals_list)  # before the values are used here
        for vals in vals_list:
            if vals.get("prescription_number"):
                vals["prescription_number"] = normalize_prescription_number(
                    vals["prescription_number"]
                )
        default_shelter = self._default_shelter_id()
        self._check_prescription_free(
            [
                (vals.get("shelter_id") or default_shelter.id, vals.get("prescription_number"))
                for vals in vals_list
            ]
        )
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])  # before the values are used here
        if vals.get("prescription_number"):
            vals["prescription_number"] = normalize_prescription_number(vals["prescription_number"])
        self._check_fee_editable(vals)
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

    def _check_fee_editable(self, vals):
        """The fee and its payer are what verification (and the approval) saw: a client
        changes them only on a draft."""
        if {"fee", "fee_payer"} & set(vals) and not self._workflow_is_trusted():
            self._check_draft_only(self.env._("Delivery Fee, Paid By"))

    def _check_lines_editable(self):
        self._check_draft_only(self.env._("Medicines"))

    def _check_draft_only(self, what):
        """Refuse a change of ``what`` on deliveries that are no longer drafts."""
        not_draft = self.filtered(lambda d: d.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "%(what)s of %(refs)s cannot change any more: only a draft delivery's "
                    "can be edited (reset it to draft first).",
                    what=what,
                    refs=", ".join(not_draft[:10].mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_mark_ready(self):
        """Ready at Shelter: the parcel waits there; this requests the courier."""
        return self.action_dispatch()

    # ------------------------------------------------------------------
    # Checks: every reason at once
    # ------------------------------------------------------------------
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

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    # ------------------------------------------------------------------
    # Courier (pemkab.deliverable.mixin hooks)
    # ------------------------------------------------------------------
    def _delivery_dispatch_errors(self):
        """Checked again at each dispatch, re-dispatch and Book Again: approvals as they
        stand now, counselling, and what the courier needs of the patient."""
        errors = []
        # the rules as they stand now, not the flag set at verification
        reasons = self.env["pemkab.health.approval.rule"]._approval_reasons(self)
        for delivery in self:
            if delivery.controlled and not delivery.controlled_approved:
                errors.append(
                    self.env._(
                        "%(ref)s contains a controlled substance: the head must approve it "
                        "before a courier may take it.",
                        ref=delivery.name,
                    )
                )
            if delivery.approved_by_id:
                pass
            elif reasons[delivery.id]:
                errors.append(
                    self.env._(
                        "%(ref)s needs the head's approval first: %(reasons)s.",
                        ref=delivery.name,
                        reasons="; ".join(reasons[delivery.id]),
                    )
                )
            elif delivery.approval_required:
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
        return errors

    def _delivery_receiver_candidates(self):
        """The patient, and the proxies the patient named."""
        self.ensure_one()
        patient = self.patient_id
        candidates = (
            [{"partner": patient, "type": "recipient", "relation": self.env._("patient")}]
            if patient
            else []
        )
        for proxy in patient.patient_proxy_ids:
            candidates.append(
                {
                    "partner": proxy,
                    "type": "proxy",
                    "relation": proxy.health_relation or self.env._("proxy"),
                }
            )
        return candidates

    def _delivery_partner_phone(self, partner):
        """Patients and proxies keep their mobile in ``patient_mobile``."""
        return partner.sudo().patient_mobile or partner.sudo().phone

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
