# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

HEALTH_USER_GROUP = "pemkab_health.group_health_user"


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

    _bpjs_number_uniq = models.UniqueIndex(
        "(bpjs_number) WHERE bpjs_number IS NOT NULL",
        "Another contact already has this BPJS card number.",
    )

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
        for vals in vals_list:
            if "bpjs_number" in vals and not vals["bpjs_number"]:
                vals["bpjs_number"] = False  # no card, not an empty number (it is unique)
            if vals.get("bpjs_number"):
                vals["bpjs_number"] = self._pemkab_clean_bpjs(vals["bpjs_number"])
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
        if "bpjs_number" in vals and not vals["bpjs_number"]:
            vals["bpjs_number"] = False
        if vals.get("bpjs_number"):
            vals["bpjs_number"] = self._pemkab_clean_bpjs(vals["bpjs_number"])
        return super().write(vals)

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
        fnames = ["is_patient", "patient_mobile", "bpjs_number", "health_poor"]
        fnames += ["health_relation", "patient_proxy_ids"]
        sections.append({"title": self.env._("Health"), "rows": self._pemkab_data_rows(fnames)})
        return sections

    def _pemkab_data_request_documents(self):
        deliveries = (
            self.env["pemkab.health.delivery"].sudo().search([("patient_id", "=", self.id)])
        )
        return super()._pemkab_data_request_documents() + list(deliveries)
