# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shelter's hand-over sheet (surat jalan): the parcels one courier's driver collects
at one shelter, one sheet each, with the parcels' codes as barcodes and the signatures
of the shelter's officer and the driver."""

from odoo import api, fields, models


class ReportPemkabDeliveryHandover(models.AbstractModel):
    _name = "report.pemkab_delivery.report_handover"
    _description = "Hand-over Sheet (Surat Jalan)"

    @api.model
    def _get_report_values(self, docids, data=None):
        bookings = self.env["pemkab.delivery.booking"].browse(docids)
        bookings.check_access("read")
        groups = {}
        for booking in bookings.sorted(lambda b: (b.shelter_id.id, b.provider_id.id, b.name)):
            key = (booking.shelter_id, booking.provider_id, booking.driver_name or "")
            groups.setdefault(key, self.env["pemkab.delivery.booking"])
            groups[key] |= booking
        sheets = [
            {
                "shelter": shelter,
                "provider": provider,
                "driver_name": driver,
                "driver_plate": next((b.driver_plate for b in group if b.driver_plate), ""),
                "bookings": group,
            }
            for (shelter, provider, driver), group in groups.items()
        ]
        return {
            "doc_ids": docids,
            "doc_model": "pemkab.delivery.booking",
            "docs": bookings,
            "sheets": sheets,
            "printed_on": fields.Datetime.now(),
        }
