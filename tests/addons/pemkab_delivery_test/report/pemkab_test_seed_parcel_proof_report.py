# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Berita Acara Serah Terima of the test document (pemkab_delivery's BAST)."""

from odoo import models


class ReportPemkabTestSeedParcelProofOfDelivery(models.AbstractModel):
    _name = "report.pemkab_delivery_test.report_proof_of_delivery"
    _inherit = ["report.pemkab_delivery.report_proof_of_delivery"]
    _description = "Berita Acara Serah Terima (Seed Parcel)"
