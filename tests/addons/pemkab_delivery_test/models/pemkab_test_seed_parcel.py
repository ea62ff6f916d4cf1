# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The next dinas, as small as it gets: the Dinas Pertanian sends seed parcels to
farmers. Everything about couriers comes from ``pemkab.deliverable.mixin``, its buttons
and form parts too; the document declares its states and what the courier is told."""

from odoo import fields, models


class PemkabTestSeedParcel(models.Model):
    _name = "pemkab.test.seed.parcel"
    _description = "Seed Parcel"
    _inherit = ["mail.thread", "pemkab.deliverable.mixin"]

    # the values of ``state`` that the shared workflow moves (the mixin's defaults,
    # spelled out for the reader)
    _delivery_ready_state = "ready"
    _delivery_out_state = "out_for_delivery"
    _delivery_delivered_state = "delivered"
    _delivery_failed_state = "failed"
    _delivery_cancelled_state = "cancelled"
    # a draft parcel is put at the shelter by the mixin's own button (action_dispatch)
    _delivery_dispatch_from_states = ("draft",)

    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("ready", "Ready at Shelter"),
            ("out_for_delivery", "Out for Delivery"),
            ("delivered", "Delivered"),
            ("failed", "Not Delivered"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
    )
    agency_id = fields.Many2one("pemkab.agency", required=True)
    shelter_id = fields.Many2one("pemkab.shelter", required=True)
    farmer_id = fields.Many2one("res.partner", required=True)
    farmer_phone = fields.Char(required=True)
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))

    def _delivery_booking_values(self):
        self.ensure_one()
        return {
            "agency_id": self.agency_id.id,
            "shelter_id": self.shelter_id.id,
            "recipient_name": self.farmer_id.name,
            "recipient_phone": self.farmer_phone,
            "street": self.farmer_id.street,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "package_code": self.name,
            "package_description": self.env._("Parcel"),
        }

    def _delivery_receiver_candidates(self):
        return [{"partner": self.farmer_id, "type": "recipient", "relation": "self"}]
