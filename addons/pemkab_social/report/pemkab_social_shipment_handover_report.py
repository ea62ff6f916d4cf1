# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Surat Jalan of aid shipments marked packed on the dispatch board."""

from odoo import models


class ReportPemkabSocialHandover(models.AbstractModel):
    _name = "report.pemkab_social.report_handover"
    _inherit = ["report.pemkab_delivery.report_handover"]
    _description = "Hand-over Sheet (Surat Jalan) of Aid Shipments"
