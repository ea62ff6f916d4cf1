# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The deliverable mixin's paper: what the proof of delivery (berita acara serah
terima, ``report/pemkab_delivery_report_templates.xml``) says of any document. A
document only declares an ``ir.actions.report`` on its model with the shared template."""

from odoo import models


class PemkabDeliverableMixin(models.AbstractModel):
    _inherit = "pemkab.deliverable.mixin"

    def _delivery_proof_values(self):
        """The proof of delivery, as plain strings: who was to receive, who received,
        when, from which shelter, by which courier; never what is inside the parcel."""
        self.ensure_one()
        booking = self.delivery_booking_id.sudo()
        recipient = next(
            (c for c in self._delivery_receiver_candidates() if c["type"] == "recipient"), None
        )
        labels = dict(self._fields["receiver_type"]._description_selection(self.env))
        sources = dict(self._fields["proof_source"]._description_selection(self.env))
        states = dict(self._fields[self._delivery_state_field]._description_selection(self.env))
        shelter = booking.shelter_id or (
            self["shelter_id"] if "shelter_id" in self._fields else booking.shelter_id
        )
        return {
            "reference": self.name,
            "document": self._description,
            "state": states.get(self[self._delivery_state_field], ""),
            "delivered": self[self._delivery_state_field] == self._delivery_delivered_state,
            "agency": self._delivery_agency().sudo().name or "",
            "shelter": shelter.sudo().name or "",
            "recipient": (recipient and (recipient.get("name") or recipient["partner"].name) or ""),
            "receiver_name": self.receiver_name or "",
            "receiver_type": labels.get(self.receiver_type, ""),
            "receiver_relation": self.receiver_relation or "",
            "delivered_at": self._delivery_citizen_time(self.delivered_at),
            "proof_source": sources.get(self.proof_source, ""),
            "booking": booking.name or "",
            "courier": booking.provider_id.name or "",
            "courier_order": booking.courier_order_ref or "",
            "driver": " · ".join(p for p in (booking.driver_name, booking.driver_plate) if p),
            "photo": self.proof_photo or booking.proof_photo or False,
        }
