# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class PemkabSocialPackageLine(models.Model):
    _name = "pemkab.social.package.line"
    _inherit = ["pemkab.parcel.line.mixin"]
    _description = "Aid Package Content"
    _order = "package_type_id, sequence, id"

    package_type_id = fields.Many2one(
        "pemkab.social.package.type", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(string="Item", translate=True)
    currency_id = fields.Many2one(related="package_type_id.currency_id")
    unit_price = fields.Monetary()
    subtotal = fields.Monetary(compute="_compute_subtotal", store=True)

    @api.depends("quantity", "unit_price")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.unit_price
