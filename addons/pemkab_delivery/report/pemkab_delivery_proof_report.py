# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Berita Acara Serah Terima (BAST) of a delivered document, any deliverable one.

Each document's addon declares its own report (its own ``report_name``, e.g.
``pemkab_social.report_proof_of_delivery``) and a rendering model named after it that
inherits this one; the shared QWeb template is ``pemkab_delivery.report_proof_of_delivery``.
One report name per model: a report name resolves to one report, hence one model, and the
ids printed are that model's (two reports sharing a name printed one model's records with
another model's ids: another citizen's prescription for an aid shipment)."""

from odoo import api, models

from ..tools import indonesian


class ReportPemkabDeliveryProof(models.AbstractModel):
    _name = "report.pemkab_delivery.report_proof_of_delivery"
    _inherit = ["pemkab.paper.mixin"]
    _description = "Berita Acara Serah Terima (BAST)"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self._paper_documents(docids)
        self._paper_refuse(
            docs.filtered(
                lambda doc: doc[doc._delivery_state_field] != doc._delivery_delivered_state
            ),
            self.env._(
                "A Berita Acara Serah Terima is printed once the parcel is delivered: "
                "%(documents)s not yet."
            ),
        )
        values = self._paper_values(docids, docs)
        values["papers"] = {doc.id: self._bast_values(doc) for doc in docs}
        return values

    def _bast_values(self, doc):
        proof = doc._delivery_proof_values()
        agency = doc._delivery_agency()
        booking = doc.delivery_booking_id.sudo()
        shelter = booking.shelter_id or (doc["shelter_id"] if "shelter_id" in doc._fields else None)
        when = self._paper_local(doc.delivered_at)
        agency_name = agency.sudo().name or ""
        if doc.proof_source == "courier" and booking.provider_id.kind not in (False, "manual"):
            way = self.env._("through the courier %(courier)s", courier=booking.provider_id.name)
        else:
            way = self.env._("with its own staff")
        signatory = agency._pemkab_signatory()
        return {
            "title": self.env._("HAND-OVER RECORD"),
            "signers": [
                {
                    "party": self.env._("SECOND PARTY"),
                    "caption": self.env._("Received by,"),
                    "name": proof["receiver_name"],
                },
                {
                    "party": self.env._("FIRST PARTY"),
                    "caption": self.env._("Handed over by,"),
                    "title": signatory["title"],
                    "name": signatory["name"],
                    "nip": signatory["nip"],
                },
            ],
            "opening": self.env._(
                "On this day, %(date)s, we the undersigned:",
                date=indonesian.date_in_words(when),
            ),
            "first_party": self.env._(
                "on behalf of %(agency)s, which delivered the parcel %(way)s, hereinafter "
                "called the FIRST PARTY;",
                agency=agency_name,
                way=way,
            ),
            "second_party": self.env._(
                "receiving for %(recipient)s, hereinafter called the SECOND PARTY.",
                recipient=proof["recipient"] or proof["receiver_name"] or "-",
            ),
            "proof": proof,
            "number": "BAST/%s/%s" % (agency.sudo().code or "-", doc.name),
            "letterhead": agency._pemkab_letterhead(
                facility=shelter if shelter and shelter.sudo().kind == "puskesmas" else None
            ),
            "signatory": signatory,
            "agency_name": agency_name,
            "day": when,
            "items": self._bast_items(doc),
        }

    def _bast_items(self, doc):
        """What was handed over, each ``{"name", "quantity", "uom"}``: by default the
        parcel itself; a document's report says what its parcel holds, as far as whoever
        prints the BAST may read it (need to know)."""
        return [{"name": self.env._("Parcel %(name)s", name=doc.name), "quantity": 1, "uom": ""}]
