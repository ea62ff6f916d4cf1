# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class PemkabSocialPackageType(models.Model):
    """A kind of parcel of a program (e.g. "Paket Sembako 10 kg") and what is in it."""

    _name = "pemkab.social.package.type"
    _description = "Aid Package Type"
    _order = "program_id, sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Printed on the parcel and sent to the courier (never the contents).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    program_id = fields.Many2one(
        "pemkab.social.program", required=True, ondelete="cascade", index=True
    )
    line_ids = fields.One2many("pemkab.social.package.line", "package_type_id", string="Contents")
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.IDR", raise_if_not_found=False)
    )
    unit_cost = fields.Monetary(
        compute="_compute_unit_cost",
        store=True,
        readonly=False,
        help="Cost of one parcel; by default the sum of its contents.",
    )
    weight_kg = fields.Float(string="Weight (kg)")

    _code_uniq = models.Constraint(
        "UNIQUE(program_id, code)", "This program already has a package type with this code."
    )

    @api.depends("line_ids.subtotal")
    def _compute_unit_cost(self):
        for package in self:
            package.unit_cost = sum(package.line_ids.mapped("subtotal"))
