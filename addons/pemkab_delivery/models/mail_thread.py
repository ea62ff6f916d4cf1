# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class MailThread(models.AbstractModel):
    """A deliverable document's citizen link opens its tracking page and nothing else:
    ``portal``'s mail controllers would otherwise let whoever holds the link read the
    document's chatter and post on it.

    A workflow's document (``pemkab.workflow.mixin``) is never silenced by a client: its
    ``tracking_disable``, ``mail_notrack``... are dropped here, before the chatter reads
    them, whatever the order of the document's mixins (only the workflow's own writes,
    and the superuser's, may be quiet)."""

    _inherit = "mail.thread"

    @api.model_create_multi
    def create(self, vals_list):
        return super(MailThread, self._pemkab_loud()).create(vals_list)

    def write(self, vals):
        return super(MailThread, self._pemkab_loud()).write(vals)

    def _pemkab_loud(self):
        if isinstance(self, self.env.registry["pemkab.workflow.mixin"]):
            return self._workflow_loud()
        return self

    @api.model
    def _get_thread_with_access(self, thread_id, *, hash=None, pid=None, token=None, **kwargs):
        if isinstance(self, self.env.registry["pemkab.deliverable.mixin"]):
            return super()._get_thread_with_access(thread_id, **kwargs)
        return super()._get_thread_with_access(thread_id, hash=hash, pid=pid, token=token, **kwargs)
