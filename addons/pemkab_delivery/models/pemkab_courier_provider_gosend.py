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

    insurance_fee = fields.Monetary(
        currency_field="insurance_currency_id",
        help="GoSend's fee for insuring one parcel under this account's contract, sent with "
        "it (insuranceDetails.fee). The agency decides which parcels are insured.",
    )
    insurance_currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.IDR", raise_if_not_found=False)
    )

    def _gosend_client_class(self):
        return GoSendClient
