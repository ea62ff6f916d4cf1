# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Berita Acara Serah Terima of an aid shipment (pemkab_delivery's BAST)."""

from odoo import models


class ReportPemkabSocialProofOfDelivery(models.AbstractModel):
    _name = "report.pemkab_social.report_proof_of_delivery"
    _inherit = ["report.pemkab_delivery.report_proof_of_delivery"]
    _description = "Berita Acara Serah Terima (Aid Shipment)"

    def _bast_items(self, doc):
        """The aid package's contents, item by item (the aid itself is what the BAST
        accounts for)."""
        lines = doc.package_type_id.line_ids
        if not lines:
            return super()._bast_items(doc)
        return [
            {"name": line.name, "quantity": line.quantity, "uom": line.uom or ""} for line in lines
        ]
