# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class PemkabDeliveryCourierOrderWizard(models.TransientModel):
    """Asks the courier's order number of a booking waiting for a person."""

    _name = "pemkab.delivery.courier.order.wizard"
    _description = "Courier Order Number of a Booking"

    booking_id = fields.Many2one(
        "pemkab.delivery.booking", required=True, readonly=True, ondelete="cascade"
    )
    courier_order_ref = fields.Char(
        string="Courier Order",
        required=True,
        help="The order number the courier gives for our reference.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.booking_id.action_set_courier_order(self.courier_order_ref)
        return {"type": "ir.actions.act_window_close"}
