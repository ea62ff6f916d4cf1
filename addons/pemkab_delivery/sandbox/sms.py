# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The sandbox's HTTP SMS gateway (Zenziva-like), and the page of what it received.

Imitates Zenziva's console API as documented at https://www.zenziva.id/dokumentasi/ and
used by its client libraries (e.g. github.com/mul14/zenziva.js ``src/index.ts``)::

    POST /sms/reguler/api/sendsms/     (real: https://console.zenziva.net/reguler/api/sendsms/)
         body (form or JSON): userkey, passkey, to, message
    -> 200 {"messageId", "to", "status": "1", "text": "Success"}
    -> 200 {"messageId": "", "to", "status": "0", "text": <why not>}

Stricter than the real one where unsure: a query string is refused with 400 (keys in a
URL end up in logs), so is a body that is neither a form nor JSON (415), or that lacks a
parameter (400); a number must be an Indonesian mobile number (08..., 628..., +628...);
a message longer than four SMS (612 characters) is refused. Numbers listed in the setting
``sms_refuse_numbers`` (digits, 628...) are refused as an operator would ("Pesan ditolak
oleh operator"), to show a failed SMS.

What it received, accepted or not, newest first::

    GET /sms              an HTML page a newcomer opens (time, number, status, text)
    GET /_sandbox/sms     {"messages": [{"id", "received_at", "to", "message",
                                          "status", "text"}, ...]}, oldest first
"""

import html
import re

from .common import ApiError, to_iso

__all__ = ["SMS_MAX_LENGTH", "SmsGatewayMixin"]

SMS_MAX_LENGTH = 4 * 153
# an Indonesian mobile number as the gateway takes it: 08..., 628... or +628...
MOBILE_RE = re.compile(r"^(?:\+?62|0)8\d{7,12}$")
SEND_PATH = ["reguler", "api", "sendsms"]


def _canonical(number):
    """``0812...``/``+62812...`` -> ``62812...``."""
    digits = re.sub(r"\D", "", number or "")
    return "62" + digits[1:] if digits.startswith("0") else digits


class SmsGatewayMixin:
    """Part of :class:`~.server.CourierSandbox`: the SMS gateway and its page."""

    def _sms_clear(self):
        self._sms = []
        self._sms_seq = 0

    def sms_messages(self):
        """What the gateway received, oldest first (copies)."""
        with self._lock:
            return [dict(message) for message in self._sms]

    def _sms_route(self, handler, method, seg, query):
        parts = [part for part in seg if part]
        if method == "GET" and not parts:
            self._reply(
                handler,
                200,
                raw=self._sms_page().encode("utf-8"),
                content_type="text/html; charset=utf-8",
            )
            return
        if parts != SEND_PATH:
            raise ApiError(404, {"status": "0", "text": "not found"})
        if method != "POST":
            raise ApiError(405, {"status": "0", "text": "use POST"}, {"Allow": "POST"})
        if query:
            raise ApiError(
                400, {"status": "0", "text": "parameters go in the POST body, never in the URL"}
            )
        content_type = handler.headers.get("Content-Type", "")
        if not any(
            kind in content_type
            for kind in ("application/x-www-form-urlencoded", "application/json")
        ):
            raise ApiError(415, {"status": "0", "text": "send a form or JSON body"})
        body = self._read_json(handler)
        if not isinstance(body, dict):
            raise ApiError(400, {"status": "0", "text": "the body must be an object"})
        missing = [
            key
            for key in ("userkey", "passkey", "to", "message")
            if not isinstance(body.get(key), str) or not body[key]
        ]
        if missing:
            raise ApiError(
                400, {"status": "0", "text": f"missing parameter(s): {', '.join(missing)}"}
            )
        self._reply(handler, 200, self._sms_send(body))

    def _sms_send(self, body):
        """Record one message and answer as the gateway does."""
        config = self.config
        to, message = body["to"].strip(), body["message"]
        if body["userkey"] != config["sms_userkey"] or body["passkey"] != config["sms_passkey"]:
            with self._lock:
                self._stats["auth_failures"] += 1
            # a wrong key is not recorded on the page: it is nobody's message
            return {"messageId": "", "to": to, "status": "0", "text": "Userkey atau Passkey salah"}
        if not MOBILE_RE.match(to.replace(" ", "").replace("-", "")):
            status, text = "0", "Nomor tujuan tidak valid"
        elif len(message) > SMS_MAX_LENGTH:
            status, text = "0", f"Pesan terlalu panjang (lebih dari {SMS_MAX_LENGTH} karakter)"
        elif _canonical(to) in {_canonical(n) for n in config["sms_refuse_numbers"]}:
            status, text = "0", "Pesan ditolak oleh operator"
        else:
            status, text = "1", "Success"
        with self._lock:
            self._sms_seq += 1
            message_id = f"SMS{self._sms_seq:08d}" if status == "1" else ""
            self._sms.append(
                {
                    "id": message_id,
                    "received_at": to_iso(),
                    "to": to,
                    "message": message,
                    "status": status,
                    "text": text,
                }
            )
            del self._sms[: max(0, len(self._sms) - config["max_orders"])]
        return {"messageId": message_id, "to": to, "status": status, "text": text}

    def _sms_page(self):
        rows = "".join(
            "<tr{cls}><td>{at}</td><td>{to}</td><td>{state}</td><td>{text}</td></tr>".format(
                cls="" if message["status"] == "1" else ' class="refused"',
                at=html.escape(message["received_at"]),
                to=html.escape(message["to"]),
                state=html.escape(
                    "sent" if message["status"] == "1" else f"refused: {message['text']}"
                ),
                text=html.escape(message["message"]).replace("\n", "<br/>"),
            )
            for message in reversed(self.sms_messages())
        )
        empty = '<tr><td colspan="4">No SMS received yet.</td></tr>'
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'/>"
            "<meta http-equiv='refresh' content='10'/>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'/>"
            "<title>Sandbox SMS gateway</title><style>"
            "body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;width:100%}"
            "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
            "tr.refused{background:#fdecea}</style></head><body>"
            "<h1>SMS received by the sandbox gateway</h1>"
            "<p>Every SMS Odoo sent through the sandbox's SMS gateway, newest first (UTC; "
            "the page refreshes every 10 seconds). Nothing here reaches a phone.</p>"
            "<table><thead><tr><th>Received (UTC)</th><th>Number</th><th>Status</th>"
            f"<th>Text</th></tr></thead><tbody>{rows or empty}</tbody></table></body></html>"
        )
