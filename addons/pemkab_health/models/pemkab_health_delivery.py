# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Prescription deliveries ("Gancang Aron").

A pharmacist of a hospital or Puskesmas prepares a patient's medicine, verifies the
prescription and counsels the patient; the head of the agency approves the deliveries
that an approval rule (or a controlled substance) names; the parcel is then "ready" at
the facility's shelter, which books the courier through pemkab_delivery's state trigger.
The courier's news moves the delivery on: out for delivery, delivered (with proof), or
failed (returned to the shelter, to be dispatched again).

One model, one file, in sections: fields, the workflow of the pharmacy (verification,
approval by the heads of the agency, ready at the shelter), the courier (the hooks of
``pemkab.deliverable.mixin``), the pharmacy counter's barcode scanner, and the demo
data driven through the real workflow.
"""

import math
import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.pemkab_delivery.orm.demo import demo_drive_own_fleet, demo_xmlids
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
# demo data: outcomes after "ready at the shelter" that the own fleet's driver brings about
DRIVEN = ("requested", "driver_assigned", "picked_up", "delivered", "not_home")


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
    # ==================================================================
    # FIELDS
    # ==================================================================
    _name = "pemkab.health.delivery"
    _description = "Prescription Delivery"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "pemkab.deliverable.mixin",
        "barcodes.barcode_events_mixin",
    ]
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
    # what verification and the approval saw: frozen from verification on (the medicines
    # too: pemkab.health.delivery.line refuses any change of a delivery not in draft)
    _workflow_frozen_fields = ("patient_id", "shelter_id", "fee", "fee_payer")
    _workflow_send_back_states = ("to_approve", "approved", "failed")

    name = fields.Char(help="Code written on the parcel and given to the courier.")
    state = fields.Selection(
        STATES,
        required=True,
        default="draft",
        tracking=True,
        index=True,
        copy=False,
        group_expand="_read_group_state",
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
    kecamatan_id = fields.Many2one(
        related="patient_id.kecamatan_id",
        store=True,
        index=True,
        string="Kecamatan",
        help="The patient's kecamatan: where the parcel goes (the heads' dashboard).",
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
    medicines_value = fields.Monetary(
        string="Medicines' Value",
        compute="_compute_medicines_value",
        store=True,
        help="What the medicines cost (quantity times unit cost): the declared value of the "
        "courier booking, insured with couriers that insure when the agency's threshold "
        "is reached.",
    )
    medicine_summary = fields.Char(
        compute="_compute_medicine_summary",
        string="Medicines in Short",
        help="The medicines, strength and quantity, as the head reads them before approving.",
    )
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
    receiver_partner_id = fields.Many2one(
        domain="['|', ('id', '=', patient_id), ('id', 'in', patient_proxy_ids)]",
        help="The patient or one of the patient's proxies.",
    )
    color = fields.Integer(compute="_compute_color")
    # SATUSEHAT (pemkab.health.satusehat.report): what the Ministry of Health was told
    satusehat_report_ids = fields.One2many(
        "pemkab.health.satusehat.report", "delivery_id", string="SATUSEHAT Reports"
    )
    satusehat_state = fields.Selection(
        related="satusehat_report_ids.state", string="SATUSEHAT", readonly=True
    )
    satusehat_answer = fields.Text(
        related="satusehat_report_ids.answer", string="SATUSEHAT's Answer", readonly=True
    )
    satusehat_environment = fields.Selection(
        related="satusehat_report_ids.environment", string="SATUSEHAT Environment", readonly=True
    )

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

    @api.depends("line_ids.quantity", "line_ids.unit_cost")
    def _compute_medicines_value(self):
        for delivery in self:
            delivery.medicines_value = sum(
                line.quantity * line.unit_cost for line in delivery.line_ids
            )

    @api.depends("line_ids.name", "line_ids.strength", "line_ids.quantity")
    def _compute_medicine_summary(self):
        for delivery in self:
            delivery.medicine_summary = "; ".join(
                " ".join(
                    part
                    for part in (
                        line.name,
                        line.strength,
                        line.quantity and f"× {line.quantity:g}",
                    )
                    if part
                )
                for line in delivery.line_ids
            )

    @api.model
    def _read_group_state(self, states, domain):
        """Kanban columns and groups in the order of the workflow (not alphabetical),
        only those that hold deliveries."""
        return [state for state, _label in STATES if state in states]

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
                if not other.with_env(self.env).has_access("read"):
                    # never name a delivery (nor its facility) the user may not read
                    raise ValidationError(
                        self.env._(
                            "Prescription No.: %(number)s is already on another delivery.",
                            number=other.prescription_number,
                        )
                    )
                raise ValidationError(
                    self.env._(
                        "Prescription No.: %(number)s of %(facility)s is already on delivery "
                        "%(other)s.",
                        number=other.prescription_number,
                        facility=other.shelter_id.display_name,
                        other=other.name,
                    )
                )

    def _workflow_frozen_records(self):
        """Verified, approved or beyond: what the pharmacist verified and the head
        approved (patient, facility, medicines, fee) stays as it was."""
        return self.filtered(lambda d: d.state != "draft")

    def _workflow_send_back_vals(self):
        """Back to draft, every verification and approval withdrawn."""
        return {
            "state": "draft",
            "approval_required": False,
            "approval_reason": False,
            "approved_by_id": False,
            "approved_at": False,
            "controlled_approved": False,
            "verified_by_id": False,
            "verified_at": False,
        }

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

    # ==================================================================
    # THE PHARMACY'S WORKFLOW: VERIFY, APPROVE, READY AT THE SHELTER
    # ==================================================================
    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_mark_ready(self):
        """Ready at Shelter: the parcel waits there; this requests the courier."""
        return self.action_dispatch()

    def action_verify(self):
        """The pharmacist verified the prescription: send it for approval when a rule
        asks for it, else it is approved at once."""
        self._check_can_verify()
        self._do_verify()
        return True

    def action_approve(self):
        """The head approves (in bulk from the approval queue): says how many."""
        self._check_can_approve()
        self._do_approve()
        return self._delivery_notify_done("approved")

    def action_open_reject_wizard(self):
        self._check_can_approve()
        return self._delivery_open_reason_wizard("reject")

    def action_reject(self, reason):
        """The head refuses, with a reason (the wizard calls this)."""
        self._check_can_approve()
        self._check_reason(reason)
        self._do_reject(reason)
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
        self._workflow().write(self._workflow_send_back_vals())
        return True

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
        errors += self._satusehat_line_errors()
        if errors:
            raise UserError("\n".join(errors))

    def _check_can_approve(self):
        errors = []
        user = self.env.user
        if not user.has_group("pemkab_health.group_health_head"):
            raise UserError(
                self.env._(
                    "%(user)s: only a head of a health agency approves deliveries.", user=user.name
                )
            )
        headed = user.pemkab_head_agency_ids
        for delivery in self:
            if delivery.state != "to_approve":
                errors.append(self.env._("%(ref)s is not awaiting approval.", ref=delivery.name))
            if delivery.verified_by_id == user:
                errors.append(
                    self.env._(
                        "%(ref)s: you verified it; another person, a head of its agency, "
                        "approves it (four eyes).",
                        ref=delivery.name,
                    )
                )
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
        for delivery in need._workflow():
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
            free._workflow().write(dict(common, state="approved", approval_required=False))
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
        approving = self._workflow()
        controlled = approving.filtered("controlled")
        if controlled:
            controlled.write(dict(values, controlled_approved=True))
        if approving - controlled:
            (approving - controlled).write(values)
        self._clear_approval_activities()
        self._notify_verifiers_approved()

    def _notify_verifiers_approved(self):
        """Tell each pharmacist who sent deliveries for approval that the head approved
        them (their inbox, or mail): one notice per pharmacist, whatever the number of
        deliveries, linked to the delivery when there is one."""
        for verifier, deliveries in self.grouped("verified_by_id").items():
            if not verifier or verifier == self.env.user:
                continue
            body = self.with_context(lang=verifier.lang).env._(
                "%(head)s approved %(count)s prescription deliveries you verified: %(refs)s. "
                "They may go to the shelter.",
                head=self.env.user.name,
                count=len(deliveries),
                refs=", ".join(deliveries.mapped("name")),
            )
            record = deliveries if len(deliveries) == 1 else self.env["mail.thread"]
            record.sudo().message_notify(
                body=body,
                partner_ids=verifier.partner_id.ids,
                author_id=self.env.user.partner_id.id,
            )

    def _do_reject(self, reason):
        self._workflow().write({"state": "rejected", "reject_reason": reason.strip()})
        self._clear_approval_activities()

    # ==================================================================
    # SATUSEHAT: WHAT A REPORTING FACILITY'S DELIVERIES MUST CARRY
    # ==================================================================
    def _satusehat_line_errors(self):
        """At a facility that reports to SATUSEHAT, a medicine that is not compounded
        carries its KFA code (no free text)."""
        facilities = self.env["pemkab.health.satusehat.facility"]._for_shelters(self.shelter_id)
        errors = []
        for delivery in self.filtered(lambda d: d.shelter_id.id in facilities):
            for line in delivery.line_ids.filtered(lambda ln: not (ln.kfa_id or ln.compounded)):
                errors.append(
                    self.env._(
                        "%(ref)s: KFA Code: choose the KFA code of %(medicine)s (%(facility)s "
                        "reports to SATUSEHAT), or mark it compounded (racikan).",
                        ref=delivery.name,
                        medicine=line.name or "-",
                        facility=delivery.shelter_id.display_name,
                    )
                )
        return errors

    def _delivery_on_state_entered(self, state):
        """A delivery handed over at a reporting facility queues its SATUSEHAT report;
        one that fails after being reported is corrected."""
        res = super()._delivery_on_state_entered(state)
        Report = self.env["pemkab.health.satusehat.report"]
        if state == self._delivery_delivered_state:
            Report._queue(self)
        elif state in self._delivery_returned_states():
            Report._queue_correction(self)
        return res

    # ==================================================================
    # THE COURIER (pemkab.deliverable.mixin hooks)
    # ==================================================================
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
            # the medicines' worth, never their names: the agency insures costly ones
            "declared_value": self.medicines_value,
            "responsible_user_id": (self.pharmacist_id or self.env.user).id,
        }

    # ==================================================================
    # THE PHARMACY COUNTER'S BARCODE SCANNER
    # ==================================================================
    # A scanner types the prescription's code then Enter. Into the focused Prescription
    # No. field, or anywhere on the form (Odoo's ``barcodes`` service,
    # ``on_barcode_scanned``): the number is cleaned of what the scanner adds, and a
    # number the facility already has names the delivery that holds it.
    def on_barcode_scanned(self, barcode):
        """A code scanned on the form: it is the prescription number of a draft."""
        if self.state not in (False, "draft"):
            return {
                "warning": {
                    "title": self.env._("Prescription No."),
                    "message": self.env._(
                        "%(ref)s is no longer a draft: its prescription number stays %(number)s.",
                        ref=self.name or "",
                        number=self.prescription_number or "",
                    ),
                }
            }
        number = normalize_prescription_number(barcode)
        if number == self.prescription_number:
            return self._prescription_number_warning()
        self.prescription_number = number  # its onchange warns of a number already taken
        return None

    @api.onchange("prescription_number")
    def _onchange_prescription_number(self):
        if not self.prescription_number:
            return None
        number = normalize_prescription_number(self.prescription_number)
        if number != self.prescription_number:
            self.prescription_number = number
        return self._prescription_number_warning()

    def _prescription_number_warning(self):
        """The onchange warning naming the delivery that already has this number at this
        facility (the constraint refuses saving it a second time)."""
        self.ensure_one()
        if not (self.prescription_number and self.shelter_id):
            return None
        domain = [
            ("shelter_id", "=", self.shelter_id.id),
            ("prescription_number", "=", self.prescription_number),
            ("state", "!=", "cancelled"),
        ]
        if self._origin.id:
            domain.append(("id", "!=", self._origin.id))
        existing = self.sudo().search(domain, limit=1)
        if not existing:
            return None
        labels = dict(existing._fields["state"]._description_selection(self.env))
        return {
            "warning": {
                "title": self.env._("Prescription already registered"),
                "message": self.env._(
                    "Prescription No. %(number)s of %(facility)s is already on delivery "
                    "%(other)s (%(state)s, patient %(patient)s): open that delivery instead "
                    "of registering the prescription twice.",
                    number=existing.prescription_number,
                    facility=existing.shelter_id.display_name,
                    other=existing.name,
                    state=labels.get(existing.state),
                    patient=existing.patient_id.display_name,
                ),
            }
        }

    # ==================================================================
    # DEMO DATA
    # ==================================================================
    @api.model
    def _demo_run_workflow(self, plan):
        """Demo data: move each delivery of ``plan`` ({outcome: [ids]}) to its outcome by
        the buttons of the pharmacist, the head, the officer and the dispatcher."""
        deliveries = {outcome: self.browse(ids) for outcome, ids in plan.items()}
        empty = self.browse()
        deliveries.get("cancelled", empty).action_cancel(self.env._("Patient collected it"))
        skipped = ("draft", "cancelled")
        verified = self.browse(
            [i for outcome, ids in plan.items() if outcome not in skipped for i in ids]
        )
        verified.action_verify()
        # the heads decide what a rule held back; the one left in the queue waits
        waiting = verified.filtered(lambda d: d.state == "to_approve") - deliveries.get(
            "to_approve", empty
        )
        rejected = deliveries.get("rejected", empty)
        for delivery in waiting:
            head = delivery.with_user(delivery.agency_id.head_ids[:1])
            if delivery in rejected:
                head.action_reject(self.env._("Patient admitted: dispensed on the ward"))
            else:
                head.action_approve()
        ready = self.browse(
            [i for outcome in (*DRIVEN, "confirmed") for i in plan.get(outcome, [])]
        )
        ready.action_mark_ready()
        for delivery in deliveries.get("confirmed", empty):
            proxy = delivery.patient_id.patient_proxy_ids[:1]
            delivery.write({"receiver_type": "proxy", "receiver_partner_id": proxy.id})
        deliveries.get("confirmed", empty).action_confirm_delivered()
        bookings = ready._delivery_bookings()
        by_delivery = {booking.res_id: booking for booking in bookings if not booking.released}
        for outcome in DRIVEN:
            own_fleet = bookings.browse(
                [by_delivery[i].id for i in plan.get(outcome, []) if i in by_delivery]
            ).filtered(lambda b: not b.provider_id._has_api())
            demo_drive_own_fleet(own_fleet, outcome)
        # the driver runs and their drivers too (before the bookings: an uninstallation
        # deletes the newest xmlids first, and a run holds its shelter and driver)
        demo_xmlids(bookings.fleet_run_id.driver_id, "pemkab_health", "demo_fleet_driver")
        demo_xmlids(bookings.fleet_run_id, "pemkab_health", "demo_fleet_run")
        demo_xmlids(bookings, "pemkab_health", "demo_booking")
        demo_xmlids(bookings.event_ids, "pemkab_health", "demo_booking_event")
        return True
