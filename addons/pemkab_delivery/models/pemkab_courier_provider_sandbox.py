# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# One file per courier, by design: a new courier is one file (see pemkab_courier_provider.py).
# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models

from ..clients import GoSendClient


class PemkabCourierProvider(models.Model):
    """The project's courier sandbox (the ``sandbox`` package of this addon) on loopback.

    It speaks the GoSend-like API under ``<base URL>/gosend``: demos and tests book through
    it exactly as they would through GoSend, with nobody riding anywhere.
    """

    _inherit = "pemkab.courier.provider"

    kind = fields.Selection(
        selection_add=[("sandbox", "Courier sandbox")], ondelete={"sandbox": "set default"}
    )

    def _sandbox_client_class(self):
        return GoSendClient

    def _sandbox_api_url(self):
        base_url = (self.sudo().base_url or "http://127.0.0.1:8070").rstrip("/")
        return f"{base_url}/gosend"
