# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

# the language of the regency's papers (Tata Naskah Dinas: official papers are written in
# Indonesian), whatever the language of the user who prints them
PAPER_LANG = "id_ID"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_html(self, report_ref, docids, data=None):
        """A paper of the regency (a report whose rendering model says ``_pemkab_paper``)
        is rendered in Indonesian when Indonesian is installed, whoever prints it: the
        Berita Acara, the Surat Jalan and the service report are signed government
        papers. (The PDF is rendered from this HTML, header and footer included.)"""
        reports = self
        model = self._get_rendering_context_model(self._get_report(report_ref))
        if (
            model is not None
            and getattr(model, "_pemkab_paper", False)
            and self.env["res.lang"]._get_code(PAPER_LANG)
        ):
            reports = self.with_context(lang=PAPER_LANG)
        return super(IrActionsReport, reports)._render_qweb_html(report_ref, docids, data=data)
