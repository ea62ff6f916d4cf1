# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The company's SMS provider: beside Odoo's IAP and Twilio (``sms_twilio``), an HTTP SMS
gateway of the kind Indonesian agencies use (Zenziva-like: a URL, a user key and a pass
key), through which the citizens' SMS go (``models/sms_sms.py``)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..clients.sms_gateway import gateway_url_problem
from .sms_sms import SmsApiPemkabGateway


class ResCompany(models.Model):
    _inherit = "res.company"

    sms_provider = fields.Selection(
        selection_add=[("pemkab_gateway", "Send via an HTTP SMS gateway (Zenziva)")],
        ondelete={"pemkab_gateway": "set default"},
    )
    pemkab_sms_gateway_url = fields.Char(
        string="SMS Gateway URL",
        groups="base.group_system",
        help="The gateway's send address, e.g. https://console.zenziva.net/reguler/api/sendsms/ "
        "(no key in it: the keys are sent in the request's body).",
    )
    pemkab_sms_gateway_userkey = fields.Char(
        string="SMS Gateway User Key", groups="base.group_system"
    )
    pemkab_sms_gateway_passkey = fields.Char(
        string="SMS Gateway Pass Key", groups="base.group_system"
    )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("pemkab_sms_gateway_url")
    def _check_pemkab_sms_gateway_url(self):
        for company in self.sudo().filtered("pemkab_sms_gateway_url"):
            if gateway_url_problem(company.pemkab_sms_gateway_url):
                raise ValidationError(
                    self.env._(
                        "SMS Gateway URL: %(url)s must be an http or https address with no "
                        "query string nor user name in it: the keys are sent in the "
                        "request's body, never in the URL.",
                        url=company.pemkab_sms_gateway_url,
                    )
                )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _get_sms_api_class(self):
        self.ensure_one()
        if self.sms_provider == "pemkab_gateway":
            return SmsApiPemkabGateway
        return super()._get_sms_api_class()
