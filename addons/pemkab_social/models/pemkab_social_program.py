# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from .pemkab_social_household import VULNERABILITY_FLAGS


class PemkabSocialProgram(models.Model):
    """An aid program of the Dinas Sosial (sembako, disaster relief...): what is sent
    (package types), to whom (eligibility) and when (periods)."""

    _name = "pemkab.social.program"
    _description = "Social Aid Program"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True, translate=True)
    code = fields.Char(required=True, tracking=True, help="Short code, e.g. SEMBAKO.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(
        [
            ("food", "Food Package (Sembako)"),
            ("hygiene", "Hygiene Kit"),
            ("assistive", "Assistive Device"),
            ("disaster", "Disaster Relief"),
            ("other", "Other"),
        ],
        required=True,
        default="food",
        tracking=True,
    )
    periodicity = fields.Selection(
        [("monthly", "Monthly"), ("one_off", "One-off")],
        required=True,
        default="monthly",
        tracking=True,
    )
    agency_id = fields.Many2one(
        "pemkab.agency",
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.ref(
            "pemkab_delivery.agency_dinsos", raise_if_not_found=False
        ),
    )
    package_type_ids = fields.One2many(
        "pemkab.social.package.type", "program_id", string="Package Types"
    )
    period_ids = fields.One2many("pemkab.social.period", "program_id", string="Periods")
    # eligibility
    max_decile = fields.Integer(
        string="Up to Decile",
        default=4,
        tracking=True,
        help="Households of this welfare decile or poorer are eligible (1 = poorest).",
    )
    kecamatan_ids = fields.Many2many(
        "pemkab.area",
        domain="[('level', '=', 'kecamatan')]",
        help="Only households of these kecamatan. Empty: the whole regency.",
    )
    require_elderly = fields.Boolean(string="Elderly")
    require_disability = fields.Boolean(string="Disability")
    require_pregnant = fields.Boolean(string="Pregnant")
    require_child_under_five = fields.Boolean(string="Child Under Five")
    note = fields.Html(string="Eligibility Notes")

    _code_uniq = models.Constraint("UNIQUE(code)", "Another aid program already has this code.")

    @api.constrains("max_decile")
    def _check_max_decile(self):
        for program in self:
            if not 1 <= program.max_decile <= 10:
                raise ValidationError(
                    self.env._(
                        "%(program)s: Up to Decile must be between 1 and 10, not %(value)s.",
                        program=program.display_name,
                        value=program.max_decile,
                    )
                )

    def _eligibility_domain(self):
        """Domain on ``pemkab.social.household`` of the households this program serves:
        decile up to ``max_decile``, in its kecamatan, and with at least one of the
        required vulnerability flags (when some are required)."""
        self.ensure_one()
        domain = Domain([("decile", ">=", 1), ("decile", "<=", self.max_decile)])
        if self.kecamatan_ids:
            domain &= Domain("kecamatan_id", "in", self.kecamatan_ids.ids)
        flags = [flag for flag in VULNERABILITY_FLAGS if self[f"require_{flag}"]]
        if flags:
            domain &= Domain.OR(Domain(f"has_{flag}", "=", True) for flag in flags)
        return domain
