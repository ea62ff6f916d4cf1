# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class IrCron(models.Model):
    """The suite's scheduled actions write in the company's language.

    The scheduler runs a job with no language in its context, so what the suite's jobs
    write for people to read (a booking's history, a document's chatter, an officer's
    activity) came out in English in an Indonesian office. A job of a ``pemkab.*``
    model runs with the language of the company's contact (its user's company), as a
    user of that office would write it; Odoo's own jobs are left as they are.
    """

    _inherit = "ir.cron"

    def _callback(self, cron_name, server_action_id):
        lang = self._pemkab_job_lang(server_action_id)
        cron = self.with_context(lang=lang) if lang else self
        return super(IrCron, cron)._callback(cron_name, server_action_id)

    def _pemkab_job_lang(self, server_action_id):
        """The language a job of the suite runs in: the company's, when the job names
        none and that language is installed; else None (left to Odoo)."""
        if self.env.context.get("lang"):
            return None
        action = self.env["ir.actions.server"].sudo().browse(server_action_id)
        if not (action.model_name or "").startswith("pemkab."):
            return None
        lang = self.env.company.partner_id.lang
        if lang and self.env["res.lang"]._get_data(code=lang):
            return lang
        return None
