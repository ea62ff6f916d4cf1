# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

CONTROLLED_TYPES = [
    ("narkotika", "Narkotika"),
    ("psikotropika", "Psikotropika"),
]


class PemkabHealthDeliveryLine(models.Model):
    """One medicine of a prescription delivery. Health data: only the health staff of
    the issuing facility and the heads of its agency see it; it never goes to a courier."""

    _name = "pemkab.health.delivery.line"
    _inherit = ["pemkab.parcel.line.mixin"]
    _description = "Prescription Delivery Medicine"
    _order = "delivery_id, sequence, id"

    delivery_id = fields.Many2one(
        "pemkab.health.delivery", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(string="Medicine")
    strength = fields.Char(help="e.g. 500 mg, 5 mg/ml.")
    quantity = fields.Float(digits=(10, 2))
    uom = fields.Char(default=lambda self: self.env._("tablet"))
    instructions = fields.Char(help="Signa: how and when to take it, e.g. 3x1 after meals.")
    cold_chain = fields.Boolean(help="Keep between 2 and 8 °C.")
    kfa_id = fields.Many2one(
        "pemkab.health.kfa",
        string="KFA Code",
        ondelete="restrict",
        help="The medicine in the Kamus Farmasi dan Alat Kesehatan: what SATUSEHAT is told. "
        "Search it by name. Required, where the facility reports to SATUSEHAT, for every "
        "medicine that is not compounded.",
    )
    compounded = fields.Boolean(
        string="Compounded (Racikan)",
        help="Compounded by the pharmacy (puyer, racikan): it has no KFA code of its own.",
    )
    currency_id = fields.Many2one(related="delivery_id.currency_id")
    unit_cost = fields.Monetary(
        help="What one unit of the medicine costs the facility: the prescription's "
        "Medicines' Value, told to the courier as the parcel's worth (never the medicine), "
        "is insured where the agency decides.",
    )
    subtotal = fields.Monetary(compute="_compute_subtotal", string="Cost")
    controlled_type = fields.Selection(
        CONTROLLED_TYPES,
        string="Controlled Substance",
        help="Narkotika and psikotropika are never handed to a courier without the "
        "head's approval.",
    )

    @api.depends("quantity", "unit_cost")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.unit_cost

    @api.constrains("unit_cost")
    def _check_unit_cost(self):
        if any(line.unit_cost < 0 for line in self):
            raise ValidationError(self.env._("Unit Cost: a medicine's cost cannot be negative."))

    @api.onchange("kfa_id")
    def _onchange_kfa_id(self):
        if self.kfa_id and not self.name:
            self.name = self.kfa_id.name

    # ------------------------------------------------------------------
    # ORM overrides: medicines change only while the delivery is a draft
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        deliveries = self.env["pemkab.health.delivery"].browse(
            {vals["delivery_id"] for vals in vals_list if vals.get("delivery_id")}
        )
        deliveries._check_lines_editable()
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
        self.delivery_id._check_lines_editable()
        if vals.get("delivery_id"):
            self.env["pemkab.health.delivery"].browse(vals["delivery_id"])._check_lines_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        self.delivery_id._check_lines_editable()
