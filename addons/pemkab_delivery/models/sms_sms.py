# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Outgoing SMS through the company's HTTP SMS gateway, and the document each citizen SMS
is about.

A company whose ``sms_provider`` is ``pemkab_gateway`` (*Settings > General Settings >
SMS*) sends its SMS with :class:`SmsApiPemkabGateway`, which hands each message to the
plain-Python :class:`~..clients.sms_gateway.SmsGatewayClient` (one POST per number, the
keys in the body), the way ``sms_twilio`` hooks Twilio into ``sms.sms``
(``_split_by_api``, the SMS API class of the company). The gateway's refusals become the
SMS's failure type, in the user's language. An SMS the gateway could not be reached for
(``sms_server``: no answer, HTTP 5xx) is queued again by the scheduled action *Courier
Deliveries: send again the SMS the gateway could not take*, after 15 minutes, 1 hour and 4
hours; a refusal (keys, number, credit, operator) is not, since sending it again would only
be refused again.

``pemkab_res_model``/``pemkab_res_id`` name the deliverable document a citizen SMS is
about (``pemkab.deliverable.mixin._delivery_notify_citizens``): the document shows the
SMS that could not be sent (``delivery_sms_failed``).
"""

import logging
from collections import defaultdict
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.fields import Domain

from odoo.addons.sms.tools.sms_api import SmsApiBase

from ..clients.sms_gateway import SmsGatewayClient

# the gateway client's failures -> the states _send_with_api maps to failure types
GATEWAY_FAILURE_STATES = {
    "config": "pemkab_gateway_config",
    "auth": "pemkab_gateway_auth",
    "credit": "insufficient_credit",
    "number": "wrong_number_format",
    "rejected": "pemkab_gateway_rejected",
    "server": "server_error",
}
# the failure types this addon adds (sms.sms and mail.notification)
GATEWAY_FAILURE_TYPES = [
    ("pemkab_gateway_config", "SMS Gateway Not Configured"),
    ("pemkab_gateway_auth", "SMS Gateway Refused the Keys"),
    ("pemkab_gateway_rejected", "Refused by the SMS Gateway"),
]
_logger = logging.getLogger(__name__)

# how long after each failed try an SMS the gateway could not be reached for is queued
# again; after the last it stays in error, on the document
RETRY_DELAYS = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4))
# messages per batch of the scheduled action when the gateway sends (one call each)
BATCH_SIZE_PARAM = "pemkab_delivery.sms_gateway_batch_size"
BATCH_SIZE_DEFAULT = 50


class SmsApiPemkabGateway(SmsApiBase):
    """Odoo's SMS API (``_send_sms_batch``) over the company's HTTP SMS gateway."""

    PROVIDER_TO_SMS_FAILURE_TYPE = SmsApiBase.PROVIDER_TO_SMS_FAILURE_TYPE | {
        "insufficient_credit": "sms_credit",
        **{state: state for state, _label in GATEWAY_FAILURE_TYPES},
    }

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        """Send each message to each of its numbers through the gateway.

        :param list messages: ``[{"content": str, "numbers": [{"uuid", "number"}]}]``
        :param delivery_reports_url: unused (the gateway reports nothing back)
        :return: ``[{"uuid", "state", "failure_reason"}]``, ``state`` ``success`` or a key
            of :attr:`PROVIDER_TO_SMS_FAILURE_TYPE`
        """
        company = (self.company or self.env.company).sudo()
        with requests.Session() as session:
            session.trust_env = False
            client = SmsGatewayClient(
                company.pemkab_sms_gateway_url,
                company.pemkab_sms_gateway_userkey,
                company.pemkab_sms_gateway_passkey,
                session=session,
            )
            results = []
            for message in messages:
                for number in message.get("numbers") or []:
                    result = client.send(number["number"], message.get("content") or "")
                    results.append(
                        {
                            "uuid": number["uuid"],
                            "state": "success"
                            if result.ok
                            else GATEWAY_FAILURE_STATES[result.failure],
                            "failure_reason": False if result.ok else result.text,
                        }
                    )
        return results

    def _get_sms_api_error_messages(self):
        env = self.env
        return super()._get_sms_api_error_messages() | {
            "pemkab_gateway_config": env._(
                "The SMS gateway is not configured: enter its URL, user key and pass key in "
                "the settings."
            ),
            "pemkab_gateway_auth": env._("The SMS gateway refused the user key or pass key."),
            "pemkab_gateway_rejected": env._("The SMS gateway refused the message."),
            "insufficient_credit": env._("The SMS gateway account has no credit left."),
            "wrong_number_format": env._("The SMS gateway does not send to this number."),
            "server_error": env._("The SMS gateway could not be reached."),
        }


class SmsSms(models.Model):
    _inherit = "sms.sms"

    failure_type = fields.Selection(selection_add=GATEWAY_FAILURE_TYPES)
    pemkab_res_model = fields.Char(string="Document Model", readonly=True)
    pemkab_res_id = fields.Many2oneReference(
        string="Document", model_field="pemkab_res_model", readonly=True
    )

    pemkab_retry_count = fields.Integer(
        string="Tries Again",
        readonly=True,
        default=0,
        help="How many times the SMS was queued again after the SMS gateway could not be reached.",
    )

    _pemkab_document_idx = models.Index(
        "(pemkab_res_model, pemkab_res_id) WHERE pemkab_res_model IS NOT NULL"
    )

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    def _split_by_api(self):
        """The SMS of companies sending through the HTTP gateway, by company, with the
        gateway's API; the others as ``sms_twilio`` and ``sms`` send them."""
        by_company = defaultdict(lambda: self.browse())
        others = self.browse()
        for sms in self:
            company = sms._get_sms_company()
            if company.sms_provider == "pemkab_gateway":
                by_company[company] += sms
            else:
                others += sms
        for company, company_sms in by_company.items():
            sms_api = SmsApiPemkabGateway(self.env)
            sms_api._set_company(company)
            yield sms_api, company_sms
        if others:
            yield from super(SmsSms, others)._split_by_api()

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """The scheduled action sends a batch without naming the API: each company's SMS
        through its own provider (``sms`` alone would take the first SMS's company's API
        for the batch, with the user's company's keys)."""
        if not self or self.env.context.get("sms_api"):
            return super()._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        for sms_api, sms in self._split_by_api():
            super(SmsSms, sms.with_context(sms_api=sms_api))._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        return None

    def _get_send_batch_size(self):
        """A smaller batch when a gateway sends: one HTTP call per message."""
        companies = self._get_sms_company() if self else self.env.company
        if any(company.sms_provider == "pemkab_gateway" for company in companies):
            return int(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param(BATCH_SIZE_PARAM, BATCH_SIZE_DEFAULT)
            )
        return super()._get_send_batch_size()

    # ------------------------------------------------------------------
    # Trying again
    # ------------------------------------------------------------------
    @api.model
    def _pemkab_cron_retry_gateway(self):
        """Queue again the SMS the HTTP gateway could not be reached for, once their delay
        since the last try has passed, and wake Odoo's SMS queue; in a few queries, with no
        call to the gateway here."""
        now = fields.Datetime.now()
        due = self.search(
            Domain("state", "=", "error")
            & Domain("failure_type", "=", "sms_server")
            & Domain("to_delete", "=", False)
            & Domain.OR(
                Domain("pemkab_retry_count", "=", count) & Domain("write_date", "<=", now - delay)
                for count, delay in enumerate(RETRY_DELAYS)
            )
        ).filtered(lambda sms: sms._get_sms_company().sms_provider == "pemkab_gateway")
        if not due:
            return
        for count, batch in due.grouped("pemkab_retry_count").items():
            batch.write({"pemkab_retry_count": count + 1})
        due.action_set_outgoing()
        _logger.info("SMS gateway: %d SMS queued again", len(due))
        self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()

    @api.model
    def _pemkab_failed_by_document(self, model, ids):
        """``{document id: sms.sms}`` of the SMS about documents ``ids`` of ``model`` that
        could not be sent (newest first), in one query."""
        failed = self.sudo().search_fetch(
            [
                ("pemkab_res_model", "=", model),
                ("pemkab_res_id", "in", list(ids)),
                ("state", "=", "error"),
                ("to_delete", "=", False),
            ],
            ["pemkab_res_id", "number", "failure_type"],
            order="id desc",
        )
        return failed.grouped("pemkab_res_id")
