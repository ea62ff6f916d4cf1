# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class MailThread(models.AbstractModel):
    """A deliverable document's citizen link opens its tracking page and nothing else:
    ``portal``'s mail controllers would otherwise let whoever holds the link read the
    document's chatter and post on it."""

    _inherit = "mail.thread"

    @api.model
    def _get_thread_with_access(self, thread_id, *, hash=None, pid=None, token=None, **kwargs):
        if isinstance(self, self.env.registry["pemkab.deliverable.mixin"]):
            return super()._get_thread_with_access(thread_id, **kwargs)
        return super()._get_thread_with_access(thread_id, hash=hash, pid=pid, token=token, **kwargs)
