# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# One file per courier, by design: a new courier is one file (see pemkab_courier_provider.py).
# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models

from ..clients import GoSendClient


class PemkabCourierProvider(models.Model):
    _inherit = "pemkab.courier.provider"

    kind = fields.Selection(
        selection_add=[("gosend", "GoSend (Gojek)")], ondelete={"gosend": "set default"}
    )

    def _gosend_client_class(self):
        return GoSendClient
