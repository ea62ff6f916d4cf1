# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PemkabSocialPackageLine(models.Model):
    _name = "pemkab.social.package.line"
    _description = "Aid Package Content"
    _order = "package_type_id, sequence, id"

    package_type_id = fields.Many2one(
        "pemkab.social.package.type", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Item", required=True, translate=True)
    quantity = fields.Float(default=1.0, digits=(12, 2))
    uom = fields.Char(string="Unit", default="pcs")
    currency_id = fields.Many2one(related="package_type_id.currency_id")
    unit_price = fields.Monetary()
    subtotal = fields.Monetary(compute="_compute_subtotal", store=True)

    @api.depends("quantity", "unit_price")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.unit_price

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "%(item)s: Quantity must be positive, not %(value)s.",
                        item=line.name,
                        value=line.quantity,
                    )
                )
