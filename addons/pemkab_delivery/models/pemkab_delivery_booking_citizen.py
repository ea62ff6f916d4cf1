# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the citizen's messages say of a booking: the document's citizen link (the
notification templates are on the booking, which every deliverable document has)."""

from odoo import fields, models


class PemkabDeliveryBooking(models.Model):
    _inherit = "pemkab.delivery.booking"

    citizen_tracking_url = fields.Char(
        string="Citizen Link",
        compute="_compute_citizen_tracking_url",
        help="The public page of the document on which the recipient follows the parcel.",
    )

    def _compute_citizen_tracking_url(self):
        records = self._get_business_records()
        for booking in self:
            record = records.get(booking.id)
            url = False
            if record is not None and "delivery_citizen_url" in record._fields:
                url = record.sudo().delivery_citizen_url
            booking.citizen_tracking_url = url
