# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shelter's hand-over sheet (Surat Jalan): the parcels one courier's driver collects
at one shelter, one sheet each, with the parcels' codes as barcodes and the signatures
of the shelter's officer and the driver.

Printed from courier bookings (this report), or from a selection of documents on a
dispatch board, parcels marked ready at the shelter (an addon's own report, named after
it, whose rendering model inherits this one): the documents' current bookings then."""

from odoo import api, models


class ReportPemkabDeliveryHandover(models.AbstractModel):
    _name = "report.pemkab_delivery.report_handover"
    _inherit = ["pemkab.paper.mixin"]
    _description = "Hand-over Sheet (Surat Jalan)"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self._paper_documents(docids)
        if docs._name == "pemkab.delivery.booking":
            bookings = docs
        else:
            bookings = self._handover_bookings(docs)
        values = self._paper_values(docids, docs)
        values["sheets"] = self._handover_sheets(bookings)
        return values

    def _handover_bookings(self, docs):
        """The current courier bookings of documents marked ready at their shelter; a
        UserError names the documents that are not (read as the user: names only)."""
        self._paper_refuse(
            docs.filtered(lambda doc: doc[doc._delivery_state_field] != doc._delivery_ready_state),
            self.env._(
                "A Surat Jalan lists parcels ready at the shelter for the courier: "
                "%(documents)s not."
            ),
        )
        # the user reads the documents: their bookings' hand-over facts are theirs to print
        bookings = docs.sudo().delivery_booking_id
        self._paper_refuse(
            docs.filtered(lambda doc: not doc.sudo().delivery_booking_id),
            self.env._(
                "A Surat Jalan lists the parcels a courier collects: %(documents)s has "
                "no courier booking yet."
            ),
        )
        return bookings

    def _handover_sheets(self, bookings):
        groups = {}
        for booking in bookings.sorted(lambda b: (b.shelter_id.id, b.provider_id.id, b.name)):
            key = (booking.shelter_id, booking.provider_id, booking.driver_name or "")
            groups.setdefault(key, bookings.browse())
            groups[key] |= booking
        printed_on = self._paper_local(None)
        sheets = []
        for (shelter, provider, driver), group in groups.items():
            agency = shelter.agency_id or group[:1].agency_id
            sheets.append(
                {
                    "number": "SJ/%s/%s/%s"
                    % (shelter.code or "-", printed_on.strftime("%Y%m%d"), group[:1].name),
                    "letterhead": agency._pemkab_letterhead(
                        facility=shelter if shelter.kind == "puskesmas" else None
                    ),
                    "title": self.env._("HAND-OVER SHEET (SURAT JALAN)"),
                    "signers": [
                        {"caption": self.env._("Collected by (driver)"), "name": driver},
                        self._paper_signer(
                            self.env.user, self.env._("Handed over by (shelter officer)")
                        ),
                    ],
                    "shelter": shelter,
                    "provider": provider,
                    "driver_name": driver,
                    "driver_plate": next((b.driver_plate for b in group if b.driver_plate), ""),
                    "bookings": group,
                }
            )
        return sheets
