# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PemkabParcelLineMixin(models.AbstractModel):
    """One thing a parcel holds (a medicine, an item of an aid package): what it is, how
    many, in which unit. It stays with the document: the courier never sees it."""

    _name = "pemkab.parcel.line.mixin"
    _description = "Parcel Content Line"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    quantity = fields.Float(digits=(12, 2), default=1.0, required=True)
    uom = fields.Char(string="Unit", default="pcs")

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "Quantity of %(item)s: it must be more than zero, not %(value)s.",
                        item=line.name,
                        value=line.quantity,
                    )
                )
