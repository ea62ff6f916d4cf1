# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The HTTP layer of the courier clients: one JSON call, classified and logged safely.

:class:`HttpClient` is what :class:`~.base.CourierClient` builds on: the one HTTP entry
point :meth:`HttpClient._request` with an explicit ``(connect, read)`` timeout on every
call, error classification into :mod:`.errors`, one retry after refreshing credentials on
a 401, and a redacted exchange log for the ``on_exchange`` callback and the ``logging``
module. Also the header helpers webhooks are checked with (:func:`get_header`,
:func:`token_matches`, :func:`hmac_sha256_hex`). No Odoo import.

Error classification (what ``_request`` raises)
-----------------------------------------------
==============================================  =============================================
What happened                                   Raised
==============================================  =============================================
could not connect (refused, DNS, connect        :class:`RetryableError` (the request never
timeout)                                        left this machine)
request sent, no answer in time (read timeout)  :class:`CourierTimeout` (outcome unknown)
connection dropped after the request was sent,  :class:`CourierTimeout` for POST/PUT/DELETE,
HTTP 504, or a 2xx whose body is not JSON       :class:`RetryableError` for GET
HTTP 5xx, 408, 429                              :class:`RetryableError` (``retry_after`` set
                                                from the ``Retry-After`` header on 429)
HTTP 401, 403                                   :class:`AuthError`
HTTP 404                                        :class:`OrderNotFound`
any other 4xx                                   :class:`PermanentError` with the courier's
                                                message and, when it gives one, its code
==============================================  =============================================

:class:`CourierTimeout` means "the request was sent and the outcome is unknown": after a
booking call raised it, the order MAY exist at the courier. Callers must look the order up
by our reference (:meth:`~.base.CourierClient.get_order`) before booking again, never blindly
retry ``book()``.
"""

import hashlib
import hmac
import json
import logging
import socket
import time

import requests

from .errors import AuthError, CourierTimeout, OrderNotFound, PermanentError, RetryableError
from .values import float_or_none

try:  # urllib3 always ships with requests; only used to tell "never sent" from "sent".
    from urllib3 import exceptions as _urllib3_exc
except ImportError:  # pragma: no cover
    _urllib3_exc = None

__all__ = [
    "MAX_LOGGED_BODY",
    "REDACTED",
    "SECRET_HEADERS",
    "SECRET_KEYS",
    "HttpClient",
    "get_header",
    "hmac_sha256_hex",
    "token_matches",
]

# --------------------------------------------------------------------------------------
# Redaction
# --------------------------------------------------------------------------------------

REDACTED = "***"
#: Request headers whose values never reach a log.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "pass-key",
        "client-secret",
        "x-api-key",
        "cookie",
        "set-cookie",
    }
)
#: JSON keys (compared lower-case, ``-`` read as ``_``) whose values never reach a log.
SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "client_secret",
        "pass_key",
        "passkey",
        "password",
        "secret",
        "api_key",
        "authorization",
    }
)
#: Longest body kept in an exchange entry (characters).
MAX_LOGGED_BODY = 64 * 1024


def _redact_obj(obj):
    if isinstance(obj, dict):
        return {
            key: (
                REDACTED
                if str(key).lower().replace("-", "_") in SECRET_KEYS and val not in (None, "")
                else _redact_obj(val)
            )
            for key, val in obj.items()
        }
    if isinstance(obj, list):
        return [_redact_obj(item) for item in obj]
    return obj


def _exc_chain(exc):
    """Yield ``exc`` and every exception nested in it (cause, context, args, reason)."""
    seen, stack = set(), [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen or not isinstance(current, BaseException):
            continue
        seen.add(id(current))
        yield current
        stack.append(current.__cause__)
        stack.append(current.__context__)
        stack.append(getattr(current, "reason", None))
        stack.extend(arg for arg in current.args if isinstance(arg, BaseException))


def _request_maybe_sent(exc):
    """Best effort: did the request possibly reach the courier before ``exc``?"""
    never_sent = (socket.gaierror, ConnectionRefusedError)
    if _urllib3_exc is not None:
        never_sent += (_urllib3_exc.NewConnectionError, _urllib3_exc.ConnectTimeoutError)
    sent = (_urllib3_exc.ProtocolError,) if _urllib3_exc is not None else ()
    for nested in _exc_chain(exc):
        if isinstance(nested, never_sent):
            return False
        if sent and isinstance(nested, sent):
            return True
    return False


# --------------------------------------------------------------------------------------
# Webhook headers
# --------------------------------------------------------------------------------------


def get_header(headers, name):
    """Case-insensitive header lookup on a dict or a werkzeug/requests headers object."""
    if not headers:
        return None
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is not None:
        return value
    lname = name.lower()
    items = headers.items() if hasattr(headers, "items") else headers
    for key, val in items:
        if str(key).lower() == lname:
            return val
    return None


def token_matches(header_value, secret):
    """Constant-time compare of a static token header (``"<token>"`` or
    ``"Bearer <token>"``) with ``secret``; a missing header or secret gives False."""
    if not header_value or not secret:
        return False
    value = str(header_value).strip().encode("utf-8")
    expected = str(secret).encode("utf-8")
    plain = hmac.compare_digest(value, expected)
    bearer = hmac.compare_digest(value, b"Bearer " + expected)
    return plain or bearer


def hmac_sha256_hex(secret, body):
    """Hex HMAC-SHA256 of ``body`` (bytes or str) keyed with ``secret``."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return hmac.new(str(secret).encode("utf-8"), body or b"", hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------
# The HTTP client
# --------------------------------------------------------------------------------------


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    """Applies the per-call ``(connect, read)`` timeout that :meth:`HttpClient._request`
    attaches to the prepared request, so no call ever runs without one."""

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        timeout = getattr(request, "pemkab_timeout", None) or timeout
        return super().send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )


class HttpClient:
    """A JSON HTTP API reached through :meth:`_request` (base of every courier client).

    :param base_url: API root, e.g. ``https://integration-kilat-api.gojekapi.com`` or,
        against the sandbox, ``http://127.0.0.1:8070/gosend``.
    :param timeout: ``(connect, read)`` seconds for every HTTP call.
    :param session: a :class:`requests.Session` to reuse (one is created otherwise).
    :param logger: a :class:`logging.Logger`; default ``pemkab_delivery.clients.<kind>``.
    :param on_exchange: ``callable(entry: dict)`` called once per HTTP exchange with
        ``method, url, request_headers, request_body, status_code, response_body,
        duration_ms, error, request_id`` (the courier's id of the request, to quote to
        its support); secrets are replaced by ``'***'``. Exceptions it raises are
        logged and swallowed.
    :ivar before_request: ``callable()`` or None, called before every HTTP call (may
        block: a rate limiter shared by several servers).
    """

    kind = ""

    def __init__(self, base_url, timeout=(5, 20), session=None, logger=None, on_exchange=None):
        if not base_url:
            raise ValueError("base_url is required")
        self.base_url = str(base_url).rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _TimeoutAdapter())
        self.logger = logger or logging.getLogger(f"pemkab_delivery.clients.{self.kind}")
        self.on_exchange = on_exchange
        self.before_request = None
        self._extra_secrets = set()

    def _auth_headers(self):
        """Headers authenticating an API call (subclasses)."""
        return {}

    def _refresh_auth(self):
        """Called on HTTP 401 of an authenticated call; return True to retry once."""
        return False

    def _secret_values(self):
        """Strings scrubbed from every log (subclasses add their credentials)."""
        return {value for value in self._extra_secrets if len(value) >= 4}

    def _scrub_text(self, text):
        if text is None:
            return None
        for secret in self._secret_values():
            text = text.replace(secret, REDACTED)
        if len(text) > MAX_LOGGED_BODY:
            text = text[:MAX_LOGGED_BODY] + "...[truncated]"
        return text

    def _redact_body(self, body):
        if body is None:
            return None
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except ValueError:
                return self._scrub_text(body)
        return self._scrub_text(json.dumps(_redact_obj(body), ensure_ascii=False))

    def _redact_headers(self, headers):
        return {
            key: (REDACTED if key.lower() in SECRET_HEADERS else self._scrub_text(str(val)))
            for key, val in (headers or {}).items()
        }

    def _record(self, entry):
        self.logger.debug("%s exchange: %s", self.kind, json.dumps(entry, ensure_ascii=False))
        if self.on_exchange is not None:
            try:
                self.on_exchange(dict(entry))
            except Exception:  # the log must never break a booking
                self.logger.exception("on_exchange callback failed")

    def _url(self, path):
        return f"{self.base_url}/{path.lstrip('/')}"

    def _classify_transport_error(self, exc, method):
        name = type(exc).__name__
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return RetryableError(f"connect timeout: {exc}", code="connect_timeout")
        if isinstance(exc, requests.exceptions.Timeout):
            return CourierTimeout(f"no answer in time ({name}): {exc}", code="read_timeout")
        if isinstance(exc, requests.exceptions.ConnectionError):
            if method != "GET" and _request_maybe_sent(exc):
                return CourierTimeout(
                    f"connection dropped after sending: {exc}", code="connection_aborted"
                )
            return RetryableError(f"connection error: {exc}", code="connection_error")
        if isinstance(
            exc,
            requests.exceptions.InvalidURL
            | requests.exceptions.MissingSchema
            | requests.exceptions.InvalidSchema,
        ):
            return PermanentError(f"invalid URL: {exc}", code="invalid_url")
        return RetryableError(f"{name}: {exc}", code="transport_error")

    @staticmethod
    def _error_details(data):
        """``(message, code)`` from a courier error body of any usual shape."""
        if isinstance(data, list) and data:
            data = data[0]
        if not isinstance(data, dict):
            return None, None
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            message = first.get("message") or first.get("message_title") or first.get("detail")
            code = first.get("code") or first.get("reason")
            return message, (str(code) if code else None)
        if isinstance(errors, str):
            return errors, None
        message = (
            data.get("message")
            or data.get("error_description")
            or data.get("statusMessage")
            or data.get("detail")
        )
        code = data.get("reason") or data.get("code") or data.get("error")
        if not message and isinstance(data.get("error"), str):
            message = data["error"]
        return message, (str(code) if code not in (None, "") else None)

    # the response header in which a courier puts its refusal text (GoSend's
    # ``Error-Message``), or None
    ERROR_MESSAGE_HEADER = None
    # the response headers carrying the id the courier asks partners to log (Grab's
    # ``X-Grabkit-Grab-Requestid`` / ``X-Request-ID``), the first one found wins
    REQUEST_ID_HEADERS = ()

    def _request_id(self, headers):
        """The courier's id of this request (:attr:`REQUEST_ID_HEADERS`), or None."""
        for name in self.REQUEST_ID_HEADERS:
            value = get_header(headers, name)
            if value:
                return self._scrub_text(str(value))[:200]
        return None

    def _error_header_message(self, headers):
        """The refusal text of :attr:`ERROR_MESSAGE_HEADER`, or None."""
        if not self.ERROR_MESSAGE_HEADER:
            return None
        value = get_header(headers, self.ERROR_MESSAGE_HEADER)
        return str(value).strip()[:300] if value and str(value).strip() else None

    def _classify_http_error(self, status, data, text, method, headers):
        message, courier_code = self._error_details(data)
        header_message = self._error_header_message(headers)
        message = header_message or message or (text or "").strip()[:300] or f"HTTP {status}"
        kwargs = {"status_code": status, "response": data}
        if status == 504 and method != "GET":
            return CourierTimeout(message, code="gateway_timeout", **kwargs)
        if status >= 500:
            return RetryableError(message, code=f"http_{status}", **kwargs)
        if status == 429:
            retry_after = float_or_none(headers.get("Retry-After"))
            return RetryableError(message, code="rate_limited", retry_after=retry_after, **kwargs)
        if status == 408:
            return RetryableError(message, code="request_timeout", **kwargs)
        if status in (401, 403):
            code = "unauthorized" if status == 401 else "forbidden"
            return AuthError(message, code=code, **kwargs)
        if status == 404:
            return OrderNotFound(message, code="not_found", **kwargs)
        if 400 <= status < 500:
            return PermanentError(message, code=courier_code or f"http_{status}", **kwargs)
        return PermanentError(message, code=f"unexpected_http_{status}", **kwargs)

    def _request(
        self,
        method,
        path=None,
        *,
        url=None,
        params=None,
        json_body=None,
        headers=None,
        auth=True,
        timeout=None,
        _retried=False,
    ):
        """Perform one HTTP call and return ``(status_code, decoded_json_or_None)``.

        Raises a :class:`CourierError` subclass as documented in the module docstring.
        On a 401 of an authenticated call, :meth:`_refresh_auth` may ask for one retry.
        """
        method = method.upper()
        url = url or self._url(path)
        all_headers = {"Accept": "application/json"}
        data = None
        if json_body is not None:
            all_headers["Content-Type"] = "application/json"
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        all_headers.update(headers or {})
        if auth:
            all_headers.update(self._auth_headers())
        request = requests.Request(method, url, params=params, data=data, headers=all_headers)
        prepared = self.session.prepare_request(request)
        settings = self.session.merge_environment_settings(prepared.url, {}, None, None, None)
        entry = {
            "method": method,
            "url": self._scrub_text(prepared.url),
            "request_headers": self._redact_headers(dict(prepared.headers)),
            "request_body": self._redact_body(json_body) if json_body is not None else None,
            "status_code": None,
            "response_body": None,
            "duration_ms": 0,
            "error": None,
            "request_id": None,
        }
        if self.before_request is not None:
            self.before_request()
        started = time.monotonic()
        # The timeout rides on the request and is applied by _TimeoutAdapter: wrappers of
        # Session.send (Odoo's test harness raises any timeout below 10 s) leave it intact.
        prepared.pemkab_timeout = timeout or self.timeout
        try:
            response = self.session.send(prepared, allow_redirects=False, **settings)
        except requests.exceptions.RequestException as exc:
            error = self._classify_transport_error(exc, method)
            entry["duration_ms"] = int((time.monotonic() - started) * 1000)
            entry["error"] = self._scrub_text(str(error))
            self._record(entry)
            raise error from exc
        entry["duration_ms"] = int((time.monotonic() - started) * 1000)
        entry["request_id"] = self._request_id(response.headers)
        status = response.status_code
        text = response.text
        entry["status_code"] = status
        entry["response_body"] = self._redact_body(text) if text else None
        payload = None
        decode_error = None
        if text.strip():
            try:
                payload = response.json()
            except ValueError as exc:
                decode_error = exc

        if status == 401 and auth and not _retried and self._refresh_auth():
            entry["error"] = "unauthorized: credentials refreshed, retrying once"
            self._record(entry)
            return self._request(
                method,
                url=url,
                params=params,
                json_body=json_body,
                headers=headers,
                auth=auth,
                timeout=timeout,
                _retried=True,
            )

        if status >= 300:
            error = self._classify_http_error(status, payload, text, method, response.headers)
        elif decode_error is not None:
            msg = f"answer is not JSON: {decode_error}"
            error = (
                RetryableError(msg, code="bad_json", status_code=status)
                if method == "GET"
                else CourierTimeout(msg, code="bad_json", status_code=status)
            )
        else:
            error = None
        entry["error"] = self._scrub_text(str(error)) if error else None
        self._record(entry)
        if error is not None:
            raise error
        return status, payload
