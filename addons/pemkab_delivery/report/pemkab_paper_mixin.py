# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What every paper of the regency prints (Tata Naskah Dinas): the letterhead (kop surat)
of the agency, a document number, "Banyuwangi, <date in Indonesian>", signers with their
name and NIP. Papers are rendered in Indonesian, whoever prints them (ir_actions_report.py):
their rendering models inherit this mixin."""

from types import SimpleNamespace

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.pemkab_deliverable_mixin import CITIZEN_TZ
from ..tools import indonesian

# the helpers the templates call: fmt.long_date(day), fmt.rupiah(amount), ...
FORMATS = SimpleNamespace(
    long_date=indonesian.long_date,
    month_year=indonesian.month_year,
    place_date=indonesian.place_date,
    date_in_words=indonesian.date_in_words,
    day_name=indonesian.day_name,
    number=indonesian.number,
    rupiah=indonesian.rupiah,
    percent=indonesian.percent,
    hours=indonesian.hours,
)


class PemkabPaperMixin(models.AbstractModel):
    _name = "pemkab.paper.mixin"
    _description = "Paper of the Regency (letterhead, number, signatures)"
    _pemkab_paper = True

    def _paper_report(self):
        """The report this rendering model renders (``report.<report_name>``)."""
        report_name = self._name.removeprefix("report.")
        report = (
            self.env["ir.actions.report"]
            .sudo()
            .search([("report_name", "=", report_name)], limit=1)
        )
        if not report:
            raise UserError(self.env._("No report prints %(name)s.", name=report_name))
        return report

    def _paper_documents(self, docids):
        """The report's records of ``docids``, which the printing user must read."""
        docs = self.env[self._paper_report().model].browse(docids).exists()
        docs.check_access("read")
        return docs

    def _paper_refuse(self, docs, message):
        """Refuse to print when ``docs`` is not empty: ``message`` (translated, with a
        ``%(documents)s`` placeholder) names them, as the user reads them."""
        if docs:
            raise UserError(message % {"documents": ", ".join(docs.mapped("display_name"))})

    def _paper_local(self, value):
        """A UTC datetime in the regency's time (WIB), or today there when empty."""
        value = value or fields.Datetime.now()
        return fields.Datetime.context_timestamp(self.with_context(tz=CITIZEN_TZ), value)

    def _paper_signer(self, user, caption, party="", title=""):
        """A signature: caption above, name and NIP under the space to sign."""
        return {
            "party": party,
            "caption": caption,
            "title": title,
            "name": user.name or "",
            "nip": user._pemkab_nip_display() if user else "",
        }

    def _paper_values(self, docids, docs):
        return {
            "doc_ids": docids,
            "doc_model": docs._name,
            "docs": docs,
            "fmt": FORMATS,
            "printed_on": self._paper_local(None),
        }
