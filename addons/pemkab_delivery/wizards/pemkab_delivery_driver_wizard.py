# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class PemkabDeliveryDriverWizard(models.TransientModel):
    """Asks the driver of the regency's own fleet who takes a booking's parcel (the
    booking itself is written by its buttons only)."""

    _name = "pemkab.delivery.driver.wizard"
    _description = "Driver of an Own-Fleet Booking"

    booking_id = fields.Many2one(
        "pemkab.delivery.booking", required=True, readonly=True, ondelete="cascade"
    )
    driver_name = fields.Char(required=True)
    driver_phone = fields.Char(required=True)
    driver_plate = fields.Char(string="Vehicle Plate")

    def action_confirm(self):
        self.ensure_one()
        self.booking_id.action_set_driver(self.driver_name, self.driver_phone, self.driver_plate)
        return {"type": "ir.actions.act_window_close"}
