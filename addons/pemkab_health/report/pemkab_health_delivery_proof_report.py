# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Berita Acara Serah Terima of a prescription delivery (pemkab_delivery's BAST)."""

from odoo import models


class ReportPemkabHealthProofOfDelivery(models.AbstractModel):
    _name = "report.pemkab_health.report_proof_of_delivery"
    _inherit = ["report.pemkab_delivery.report_proof_of_delivery"]
    _description = "Berita Acara Serah Terima (Prescription Delivery)"

    def _bast_items(self, doc):
        """A sealed parcel of medicines, never their names: the BAST is signed by whoever
        received it (a neighbour may) and filed by the facility; what the medicines are
        stays with the prescription (need to know)."""
        return [
            {
                "name": self.env._(
                    "Sealed parcel of the medicines of prescription delivery %(name)s",
                    name=doc.name,
                ),
                "quantity": 1,
                "uom": self.env._("parcel"),
            }
        ]
