# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The HTTP SMS gateway of the kind Indonesian agencies use (Zenziva-like), plain Python.

No Odoo import (``models/sms_sms.py`` adapts it to Odoo's ``sms.sms`` sending). One call
per message::

    POST <url>   (form body)  userkey=<key>&passkey=<key>&to=<number>&message=<text>
    -> 200 {"messageId": "...", "to": "...", "status": "1", "text": "Success"}
    -> 200 {"status": "0", "text": "<why not, in the gateway's words>"}

The shape is Zenziva's console API (``https://console.zenziva.net/reguler/api/sendsms/``,
https://www.zenziva.id/dokumentasi/, as its client libraries use it, e.g.
github.com/mul14/zenziva.js ``src/index.ts``: ``{messageId, to, status, text}``). The keys
travel in the POST body, never in the URL (URLs end up in proxies' and servers' logs): a
gateway URL with a query string or a user name in it is refused before any call.

:meth:`SmsGatewayClient.send` never raises for the gateway's or the network's failures:
it answers an :class:`SmsResult` whose ``failure`` is one of :data:`SMS_FAILURES`.
"""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

__all__ = ["SMS_FAILURES", "SmsGatewayClient", "SmsResult", "gateway_url_problem"]

_logger = logging.getLogger(__name__)

#: Why a message was not sent: the gateway is not configured (no URL or key, or a URL
#: that would carry the keys), it refused the keys, the account has no credit, the number
#: is not one it sends to, it refused the message for another reason, or it could not be
#: reached / answered an error (the message may be sent again later).
SMS_FAILURES = ("config", "auth", "credit", "number", "rejected", "server")

# seconds to connect, and to wait for the answer (one number: Odoo's test harness compares
# a request's timeout with a number)
DEFAULT_TIMEOUT = 10

# the gateway's words (Indonesian or English) that tell why it refused, first match wins
_FAILURE_WORDS = (
    ("auth", ("userkey", "passkey", "api key", "apikey", "unauthori", "authenti")),
    ("credit", ("saldo", "kredit", "credit", "balance", "kuota", "quota")),
    ("number", ("nomor", "number", "tujuan", "destination", "msisdn")),
)


@dataclass(frozen=True)
class SmsResult:
    """What became of one message: ``ok`` with the gateway's ``message_id``, or the
    ``failure`` (one of :data:`SMS_FAILURES`) and ``text``, the gateway's own words."""

    ok: bool
    message_id: str = ""
    failure: str = ""
    text: str = ""


def gateway_url_problem(url):
    """Why ``url`` cannot be a gateway's URL (a sentence), or ``""`` when it can: http(s)
    with a host, and neither a query string nor a user name, which would end up in
    logs (the keys go in the body)."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL with a host"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "the URL must hold no query string nor credentials: the keys go in the body"
    return ""


def _digits(number):
    """``+62 812-3456`` -> ``628123456``: the gateway takes digits (08... or 628...)."""
    return "".join(ch for ch in str(number or "") if ch.isdigit())


class SmsGatewayClient:
    """One gateway account.

    :param url: the send endpoint (``https://console.zenziva.net/reguler/api/sendsms/``)
    :param userkey: the account's user key
    :param passkey: the account's pass key (secret)
    :param timeout: seconds to connect and to wait for the answer (or ``(connect, read)``)
    :param session: a ``requests.Session`` to reuse (one per batch), else one of its own
    """

    def __init__(self, url, userkey, passkey, timeout=DEFAULT_TIMEOUT, session=None):
        self.url = (url or "").strip()
        self.userkey = userkey or ""
        self.passkey = passkey or ""
        self.timeout = timeout
        if session is None:
            session = requests.Session()
            # the gateway is named by the administrator: no proxy from the environment
            session.trust_env = False
        self.session = session

    def send(self, number, message):
        """Send ``message`` to ``number``; an :class:`SmsResult`, never an exception for
        what the gateway or the network does."""
        problem = gateway_url_problem(self.url)
        if problem:
            return SmsResult(False, failure="config", text=f"gateway URL: {problem}")
        if not (self.userkey and self.passkey):
            return SmsResult(False, failure="config", text="gateway user key or pass key missing")
        to = _digits(number)
        if not to:
            return SmsResult(False, failure="number", text="no number")
        body = {"userkey": self.userkey, "passkey": self.passkey, "to": to, "message": message}
        try:
            response = self.session.post(self.url, data=body, timeout=self.timeout)
        except requests.RequestException as exc:
            _logger.warning("SMS gateway %s not reached: %s", self.url, type(exc).__name__)
            return SmsResult(
                False, failure="server", text=f"gateway not reached ({type(exc).__name__})"
            )
        return self._result(response)

    def _result(self, response):
        """The :class:`SmsResult` of the gateway's HTTP answer."""
        try:
            answer = response.json()
        except ValueError:
            answer = None
        answer = answer if isinstance(answer, dict) else {}
        text = str(answer.get("text") or answer.get("message") or "")[:500]
        status = response.status_code
        _logger.info(
            "SMS gateway %s answered HTTP %s status %r", self.url, status, answer.get("status")
        )
        if status in (401, 403):
            return SmsResult(False, failure="auth", text=text or f"HTTP {status}")
        if status >= 500 or status in (408, 429):
            return SmsResult(False, failure="server", text=text or f"HTTP {status}")
        if status >= 400:
            return SmsResult(False, failure=self._failure(text), text=text or f"HTTP {status}")
        if not answer:
            return SmsResult(False, failure="server", text=f"HTTP {status}: not a JSON object")
        if str(answer.get("status")) == "1":
            return SmsResult(True, message_id=str(answer.get("messageId") or ""), text=text)
        return SmsResult(False, failure=self._failure(text), text=text or "refused")

    @staticmethod
    def _failure(text):
        lowered = (text or "").lower()
        for failure, words in _FAILURE_WORDS:
            if any(word in lowered for word in words):
                return failure
        return "rejected"
