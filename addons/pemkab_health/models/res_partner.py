# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import date

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from odoo.addons.pemkab_delivery.tools.geo import osm_urls

HEALTH_USER_GROUP = "pemkab_health.group_health_user"
# context of the fields that choose a patient (the delivery's patient, the Patients
# list): the display name tells two namesakes apart, the search finds NIK, No. RM, mobile
PATIENT_DISPLAY_CONTEXT = "pemkab_patient_display"


def nik_birth_year(nik, today=None):
    """The year of birth a NIK holds (digits 7-12: DDMMYY, a woman's day + 40), or 0.
    A two-digit year after this year's is of the last century."""
    if not nik or len(nik) != 16 or not nik.isdigit():
        return 0
    yy = int(nik[10:12])
    this_year = (today or date.today()).year
    year = 2000 + yy
    return year if year <= this_year else year - 100


class ResPartner(models.Model):
    """Patients are contacts with what a pharmacy needs and no more: the NIK (from
    pemkab_delivery), the BPJS card number, a mobile phone for the courier, the address
    with kecamatan, desa/kelurahan and coordinates, and the proxies who may receive."""

    _inherit = "res.partner"

    # health data (UU PDP): read and searched by health staff only
    is_patient = fields.Boolean(
        string="Patient",
        index="btree_not_null",
        groups=HEALTH_USER_GROUP,
        help="Receives prescriptions by courier.",
    )
    patient_mobile = fields.Char(
        string="Mobile",
        groups=HEALTH_USER_GROUP,
        help="Mobile phone the courier calls (normalised to +62).",
    )
    bpjs_number = fields.Char(
        string="BPJS Card No.",
        copy=False,
        groups=HEALTH_USER_GROUP,
        help="13-digit BPJS Kesehatan (JKN-KIS) card number. Health data: only health staff "
        "see it.",
    )
    health_poor = fields.Boolean(
        string="Poor Household (DTKS)",
        groups=HEALTH_USER_GROUP,
        help="Registered in the social welfare data (DTKS): the regency pays the delivery.",
    )
    patient_proxy_ids = fields.Many2many(
        "res.partner",
        "pemkab_health_patient_proxy_rel",
        "patient_id",
        "proxy_id",
        string="Proxies",
        groups=HEALTH_USER_GROUP,
        help="Family members or others who may receive the patient's medicine.",
    )
    health_relation = fields.Char(
        string="Relation to Patient",
        groups=HEALTH_USER_GROUP,
        help="For a proxy: how the proxy is related to the patient (child, spouse...).",
    )
    medical_record_number = fields.Char(
        string="Medical Record No.",
        index="btree_not_null",
        copy=False,
        groups=HEALTH_USER_GROUP,
        help="Nomor Rekam Medis: the patient's number in the facility's medical records.",
    )
    health_ihs_number = fields.Char(
        string="IHS Number",
        copy=False,
        readonly=True,
        groups=HEALTH_USER_GROUP,
        help="The person's number in SATUSEHAT (Patient or Practitioner), found by the NIK "
        "the first time a delivery is reported and kept here.",
    )
    patient_birth_year = fields.Integer(
        string="Year of Birth",
        compute="_compute_patient_birth_year",
        groups=HEALTH_USER_GROUP,
        help="From the NIK (its date of birth).",
    )
    patient_map_preview = fields.Html(
        string="Map",
        compute="_compute_patient_map_preview",
        sanitize=False,
        groups=HEALTH_USER_GROUP,
        help="The patient's coordinates on OpenStreetMap.",
    )

    _bpjs_number_uniq = models.UniqueIndex(
        "(bpjs_number) WHERE bpjs_number IS NOT NULL",
        "Another contact already has this BPJS card number.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("nik")
    def _compute_patient_birth_year(self):
        for partner in self:
            partner.patient_birth_year = nik_birth_year(partner.sudo().nik)

    @api.depends("partner_latitude", "partner_longitude")
    def _compute_patient_map_preview(self):
        for partner in self:
            lat, lng = partner.partner_latitude, partner.partner_longitude
            if not (lat and lng):
                partner.patient_map_preview = False
                continue
            # built from two floats only: nothing a user typed reaches the markup
            embed, view = osm_urls(lat, lng)
            partner.patient_map_preview = Markup(
                '<iframe src="%s" title="%s" class="w-100 border" style="height: 260px;" '
                'loading="lazy" referrerpolicy="no-referrer"></iframe>'
                '<a href="%s" target="_blank" rel="noopener noreferrer">%s</a>'
            ) % (embed, self.env._("Map"), view, self.env._("Open in OpenStreetMap"))

    @api.depends_context(PATIENT_DISPLAY_CONTEXT, "uid")
    def _compute_display_name(self):
        """Where a patient is chosen, the name with the desa and the year of birth
        (``Siti Aminah · Sobo · 1975``), for health staff only."""
        super()._compute_display_name()
        if not self.env.context.get(PATIENT_DISPLAY_CONTEXT):
            return
        if not self.env.user.has_group(HEALTH_USER_GROUP):
            return
        for partner in self:
            details = [partner.sudo().desa_id.name, partner.patient_birth_year]
            details = [str(detail) for detail in details if detail]
            if details:
                partner.display_name = " · ".join([partner.display_name, *details])

    @api.model
    def _search_display_name(self, operator, value):
        """Where a patient is chosen, health staff find the patient by name, NIK,
        No. Rekam Medis or mobile phone (typed as 0812..., stored as +62812...)."""
        domain = super()._search_display_name(operator, value)
        if (
            not self.env.context.get(PATIENT_DISPLAY_CONTEXT)
            or operator not in ("ilike", "=")
            or not isinstance(value, str)
            or not value.strip()
            or not self.env.user.has_group(HEALTH_USER_GROUP)
        ):
            return domain
        text = value.strip()
        extra = [
            Domain("nik", "=", re.sub(r"[\s.\-]", "", text)),
            Domain("medical_record_number", "=ilike", text),
        ]
        digits = re.sub(r"[\s.\-()+]", "", text)
        if digits.isdigit() and len(digits) >= 4:
            # 0812..., 62812... and 812... all end in the stored +62812...
            local = digits.removeprefix("62") if digits.startswith("62") else digits.lstrip("0")
            extra.append(Domain("patient_mobile", "like", local))
        return Domain.OR([domain, *extra])

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("patient_proxy_ids")
    def _check_patient_proxy_ids(self):
        for partner in self:
            if partner in partner.patient_proxy_ids:
                raise ValidationError(
                    self.env._(
                        "Proxies: %(patient)s cannot be their own proxy.",
                        patient=partner.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        self._check_ihs_number_untouched(vals_list)
        for vals in vals_list:
            if "bpjs_number" in vals and not vals["bpjs_number"]:
                vals["bpjs_number"] = False  # no card, not an empty number (it is unique)
            if vals.get("bpjs_number"):
                vals["bpjs_number"] = self._pemkab_clean_bpjs(vals["bpjs_number"])
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
        self._check_ihs_number_untouched([vals])
        if "bpjs_number" in vals and not vals["bpjs_number"]:
            vals["bpjs_number"] = False
        if vals.get("bpjs_number"):
            vals["bpjs_number"] = self._pemkab_clean_bpjs(vals["bpjs_number"])
        res = super().write(vals)
        if "nik" in vals:
            # another NIK, another person for SATUSEHAT: looked up again at the next report
            self.sudo().filtered("health_ihs_number").write({"health_ihs_number": False})
        return res

    def _check_ihs_number_untouched(self, vals_list):
        """The IHS number is SATUSEHAT's answer to the NIK (the exchange keeps it): no
        user writes it."""
        if not self.env.su and any("health_ihs_number" in vals for vals in vals_list):
            raise UserError(
                self.env._(
                    "IHS Number: it is SATUSEHAT's number for the NIK, kept when a delivery "
                    "is reported; correct the NIK instead."
                )
            )

    def _pemkab_normalize_phone_vals(self, vals):
        # cooperative: other addons may normalise other phone fields of contacts
        res = super()._pemkab_normalize_phone_vals(vals)
        if vals.get("patient_mobile"):
            label = self._fields["patient_mobile"]._description_string(self.env)
            vals["patient_mobile"] = self._pemkab_normalize_phone(
                vals["patient_mobile"], label, mobile=True
            )
        return res

    # ------------------------------------------------------------------
    # Business helpers
    # ------------------------------------------------------------------
    @api.model
    def _pemkab_clean_bpjs(self, value):
        """Return the BPJS card number as 13 digits, or raise a ValidationError saying
        what is wrong."""
        number = re.sub(r"[\s.\-]", "", str(value))
        if not number.isdigit():
            reason = self.env._("it must contain digits only")
        elif len(number) != 13:
            reason = self.env._("it must have 13 digits, not %s", len(number))
        else:
            return number
        raise ValidationError(
            self.env._(
                "BPJS card number “%(value)s” is not valid: %(reason)s.",
                value=value,
                reason=reason,
            )
        )

    def _health_subsidised(self):
        """Whether the regency pays this patient's deliveries (BPJS or poor household)."""
        self.ensure_one()
        partner = self.sudo()
        return bool(partner.bpjs_number or partner.health_poor)

    def _pemkab_data_request_sections(self):
        sections = super()._pemkab_data_request_sections()
        fnames = ["is_patient", "medical_record_number", "patient_mobile", "bpjs_number"]
        fnames += ["health_poor"]
        fnames += ["health_relation", "patient_proxy_ids"]
        sections.append({"title": self.env._("Health"), "rows": self._pemkab_data_rows(fnames)})
        return sections

    def _pemkab_data_request_documents(self):
        deliveries = (
            self.env["pemkab.health.delivery"].sudo().search([("patient_id", "=", self.id)])
        )
        return super()._pemkab_data_request_documents() + list(deliveries)
