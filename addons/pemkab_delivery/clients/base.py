# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared vocabulary and HTTP plumbing of the courier clients (no Odoo import).

Everything a courier-specific client (:mod:`.gosend`, :mod:`.grab`) has in common lives
here, so that the Odoo side only ever deals with *our* words:

* booking statuses (:data:`STATUSES`, :data:`FINAL_STATUSES`, :data:`STATUS_RANK`);
* exceptions that say what the caller may do next (:class:`CourierError` and its
  subclasses: retry, reconcile, or give up);
* plain dataclasses for what goes in (:class:`Location`, :class:`Package`) and what comes
  out (:class:`Quote`, :class:`OrderInfo`, :class:`WebhookEvent`);
* :class:`CourierClient`, the abstract base with the one HTTP entry point
  :meth:`CourierClient._request` (explicit timeouts, error classification, redacted
  exchange log for the ``on_exchange`` callback and the ``logging`` module);
* a registry (:func:`register_client`, :func:`get_client_class`) so that adding a courier
  is one new module.

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
by our reference (:meth:`CourierClient.get_order`) before booking again, never blindly
retry ``book()``.
"""

import abc
import dataclasses
import hashlib
import hmac
import json
import logging
import math
import socket
import threading
import time
from datetime import datetime, timedelta, timezone

import requests

try:  # urllib3 always ships with requests; only used to tell "never sent" from "sent".
    from urllib3 import exceptions as _urllib3_exc
except ImportError:  # pragma: no cover
    _urllib3_exc = None

__all__ = [
    "FINAL_STATUSES",
    "STATUSES",
    "STATUS_RANK",
    "AuthError",
    "CourierClient",
    "CourierError",
    "CourierTimeout",
    "Location",
    "OrderInfo",
    "OrderNotFound",
    "Package",
    "PermanentError",
    "Quote",
    "RetryableError",
    "WebhookEvent",
    "available_kinds",
    "get_client_class",
    "is_forward",
    "register_client",
]

# --------------------------------------------------------------------------------------
# Statuses
# --------------------------------------------------------------------------------------

#: Our booking statuses, in lifecycle order.
STATUSES = (
    "requested",
    "booked",
    "driver_assigned",
    "picked_up",
    "delivered",
    "cancelled",
    "failed",
)

#: Statuses after which nothing changes any more.
FINAL_STATUSES = frozenset({"delivered", "cancelled", "failed"})

#: Forward order of the statuses: an update whose rank is not higher than the current
#: one (an old or duplicated webhook) must not move a booking backwards.
STATUS_RANK = {
    "requested": 0,
    "booked": 1,
    "driver_assigned": 2,
    "picked_up": 3,
    "delivered": 4,
    "cancelled": 4,
    "failed": 4,
}

#: Machine-readable failure reasons put in :attr:`OrderInfo.failure_reason` (couriers may
#: also give free text, which is passed through as is).
FAILURE_REASONS = ("no_driver", "rejected", "returned", "cancelled_by_courier")


def is_forward(current, new):
    """Return True when a booking in status ``current`` may move to status ``new``.

    Final statuses never change; otherwise the new status must rank strictly higher
    (so duplicated and out-of-order webhooks are ignored). Unknown statuses (``None``)
    never move anything.
    """
    if new not in STATUS_RANK:
        return False
    if current is None or current not in STATUS_RANK:
        return True
    if current in FINAL_STATUSES:
        return False
    return STATUS_RANK[new] > STATUS_RANK[current]


# --------------------------------------------------------------------------------------
# Exceptions
# --------------------------------------------------------------------------------------


class CourierError(Exception):
    """Any failure talking to a courier.

    :ivar retryable: True when the same call may succeed later.
    :ivar status_code: the courier's HTTP status, or None when there was no answer.
    :ivar code: a short machine code (``read_timeout``, ``rate_limited``,
        ``cancel_after_pickup``, the courier's own error code, ``http_422``...).
    :ivar message: a human-readable message (the courier's when it gave one).
    :ivar retry_after: seconds the courier asked us to wait (HTTP 429), else None.
    :ivar response: the decoded error body, when there was one (not redacted: do not log
        it blindly; the ``on_exchange`` entry is the redacted copy).
    """

    retryable = False

    def __init__(self, message, *, code="error", status_code=None, retry_after=None, response=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.retry_after = retry_after
        self.response = response
        self.retryable = type(self).retryable

    def __str__(self):
        status = f" (HTTP {self.status_code})" if self.status_code else ""
        return f"[{self.code}] {self.message}{status}"


class RetryableError(CourierError):
    """Temporary failure (HTTP 5xx/408/429, connection error): try again later."""

    retryable = True


class CourierTimeout(RetryableError):
    """The request was sent but its outcome is unknown (no answer in time, dropped).

    After ``book()`` raised this, the order MAY exist at the courier: look it up by our
    reference (``get_order(our_ref)``) before booking again.
    """


class PermanentError(CourierError):
    """The courier refused the request (validation, business rule): do not retry as is."""


class AuthError(PermanentError):
    """HTTP 401/403: wrong or revoked credentials."""


class OrderNotFound(PermanentError):
    """HTTP 404: the courier has no such order (for a lookup: none for our reference)."""


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Location:
    """A pickup or drop-off point.

    ``phone`` is sent to the courier as digits only (``+62 812...`` -> ``62812...``).
    """

    name: str
    phone: str
    address: str
    latitude: float
    longitude: float
    note: str = ""

    @property
    def latlong(self):
        """``"lat,lng"`` with 7 decimals (GoSend's format)."""
        return f"{float(self.latitude):.7f},{float(self.longitude):.7f}"

    def validate(self, role="location"):
        """Raise :class:`PermanentError` (``invalid_location``) when unusable."""
        problems = []
        try:
            lat, lng = float(self.latitude), float(self.longitude)
            if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
                problems.append("coordinates out of range")
            if math.isnan(lat) or math.isnan(lng):
                problems.append("coordinates are not numbers")
        except (TypeError, ValueError):
            problems.append("coordinates are not numbers")
        if not (self.name or "").strip():
            problems.append("no name")
        if not phone_digits(self.phone):
            problems.append("no phone number")
        if not (self.address or "").strip():
            problems.append("no address")
        if problems:
            raise PermanentError(f"{role}: {', '.join(problems)}", code="invalid_location")


@dataclasses.dataclass
class Package:
    """What is carried. ``description`` is passed through untouched: it is the caller's
    job to never put medicine names in it (couriers show it to drivers)."""

    code: str
    description: str
    weight_kg: float = 1.0
    value: float = 0


@dataclasses.dataclass
class Quote:
    """A price estimate."""

    price: float
    currency: str
    service_type: str
    distance_km: float | None
    eta_minutes: int | None
    raw: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class OrderInfo:
    """A courier order as we understand it.

    ``status`` is ours (:data:`STATUSES`) or None when the courier status is unknown to
    us (then keep the current status); ``courier_status`` is the courier's raw string.
    ``failure_reason`` is one of :data:`FAILURE_REASONS`, the courier's free text, or None.
    ``delivered_at`` is an ISO 8601 string with a UTC offset, or None.
    """

    our_ref: str | None
    courier_ref: str | None
    status: str | None
    courier_status: str | None
    price: float | None = None
    tracking_url: str | None = None
    driver_name: str | None = None
    driver_phone: str | None = None
    driver_plate: str | None = None
    failure_reason: str | None = None
    receiver_name: str | None = None
    receiver_relation: str | None = None
    proof_photo_url: str | None = None
    delivered_at: str | None = None
    raw: dict = dataclasses.field(default_factory=dict)

    @property
    def is_final(self):
        return self.status in FINAL_STATUSES

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class WebhookEvent:
    """A status notification pushed by a courier.

    ``event_id`` is stable for a given event (duplicates carry the same id), so the
    receiver can drop repeats; ``occurred_at`` is ISO 8601 with a UTC offset.
    """

    event_id: str
    our_ref: str | None
    courier_ref: str | None
    status: str | None
    courier_status: str | None
    occurred_at: str
    order: OrderInfo
    raw: dict = dataclasses.field(default_factory=dict)

    def to_dict(self):
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def phone_digits(phone):
    """An Indonesian number as E.164 digits without ``+``, as couriers want them:
    ``"+62 812-3456-7890"``, ``"0812 3456 7890"`` and ``"812 3456 7890"`` all give
    ``"6281234567890"``. Other digits are returned as they are."""
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits


def to_iso(value, naive_tz=timezone.utc):
    """Normalise a courier timestamp to ISO 8601 with offset, or None.

    Accepts epoch seconds or milliseconds (int/float/digit string), ISO 8601 strings
    (``Z`` suffix allowed) and ``"YYYY-MM-DD HH:MM:SS"``; naive values are taken in
    ``naive_tz``.
    """
    if value in (None, "", 0):
        return None
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            number = float(value)
            if number > 1e11:  # milliseconds
                number /= 1000.0
            moment = datetime.fromtimestamp(number, tz=timezone.utc)
        else:
            text = str(value).strip().replace("Z", "+00:00")
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=naive_tz)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment.replace(microsecond=0).isoformat()


def now_iso():
    return datetime.now(tz=timezone.utc).replace(microsecond=0).isoformat()


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


def float_or_none(value):
    """``float(value)``, or None for None, empty or non-numeric values."""
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
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


def derived_event_id(*parts):
    """A stable event id for couriers that send none: same event, same id."""
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


#: Asia/Jakarta (WIB), used for naive timestamps of Indonesian couriers.
WIB = timezone(timedelta(hours=7), "WIB")

# --------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------

_REGISTRY = {}


def register_client(kind):
    """Class decorator: make ``cls`` available as ``get_client_class(kind)``."""

    def decorator(cls):
        if kind in _REGISTRY and _REGISTRY[kind] is not cls:
            raise ValueError(f"courier kind {kind!r} is already registered")
        cls.kind = kind
        _REGISTRY[kind] = cls
        return cls

    return decorator


def get_client_class(kind):
    """Return the client class registered for ``kind`` (``'gosend'``, ``'grab'``)."""
    try:
        return _REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ValueError(f"unknown courier kind {kind!r} (known: {known})") from None


def available_kinds():
    """The registered courier kinds, sorted."""
    return sorted(_REGISTRY)


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
# The client base class
# --------------------------------------------------------------------------------------


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    """Applies the per-call ``(connect, read)`` timeout that :meth:`CourierClient._request`
    attaches to the prepared request, so no call ever runs without one."""

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        timeout = getattr(request, "pemkab_timeout", None) or timeout
        return super().send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )


class CourierClient(abc.ABC):
    """Abstract courier client.

    :param base_url: API root, e.g. ``https://integration-kilat-api.gojekapi.com`` or,
        against the sandbox, ``http://127.0.0.1:8070/gosend``.
    :param credentials: courier-specific dict (see each subclass's ``CREDENTIAL_KEYS``).
    :param timeout: ``(connect, read)`` seconds for every HTTP call.
    :param session: a :class:`requests.Session` to reuse (one is created otherwise).
    :param logger: a :class:`logging.Logger`; default ``pemkab_delivery.clients.<kind>``.
    :param on_exchange: ``callable(entry: dict)`` called once per HTTP exchange with
        ``method, url, request_headers, request_body, status_code, response_body,
        duration_ms, error``; secrets are replaced by ``'***'``. Exceptions it raises are
        logged and swallowed.
    """

    kind = ""
    #: Our service types -> the courier's names.
    SERVICE_TYPES = {}
    #: Normalised courier status -> our status.
    STATUS_MAP = {}
    #: Credential keys that must be present.
    CREDENTIAL_KEYS = ()
    #: Credential keys whose values are secrets (scrubbed from every log).
    SECRET_CREDENTIAL_KEYS = ()
    #: Timezone assumed for courier timestamps without one.
    NAIVE_TZ = timezone.utc

    def __init__(
        self, base_url, credentials, timeout=(5, 20), session=None, logger=None, on_exchange=None
    ):
        if not base_url:
            raise ValueError("base_url is required")
        self.base_url = str(base_url).rstrip("/")
        self.credentials = dict(credentials or {})
        missing = [key for key in self.CREDENTIAL_KEYS if not self.credentials.get(key)]
        if missing:
            raise ValueError(
                f"{self.kind or type(self).__name__}: missing credentials {', '.join(missing)}"
            )
        self.timeout = timeout
        self.session = session or requests.Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _TimeoutAdapter())
        self.logger = logger or logging.getLogger(f"pemkab_delivery.clients.{self.kind}")
        self.on_exchange = on_exchange
        self._extra_secrets = set()
        self._tracking_urls = {}
        self._lock = threading.Lock()

    # -- abstract API ------------------------------------------------------------------

    @abc.abstractmethod
    def quote(self, origin, destination, service_type="instant", package=None):
        """Return a :class:`Quote` for carrying ``package`` from origin to destination."""

    @abc.abstractmethod
    def book(self, our_ref, origin, destination, package, service_type="instant"):
        """Create a courier order for ``our_ref``; return its :class:`OrderInfo`.

        Not idempotent at the courier: after :class:`CourierTimeout`, call
        :meth:`get_order` before booking again.
        """

    @abc.abstractmethod
    def get_order(self, our_ref):
        """Return the courier's current order for OUR reference, or raise
        :class:`OrderNotFound`. When the courier holds several orders for the reference,
        the latest one still in progress wins, else the latest one."""

    @abc.abstractmethod
    def get_order_by_courier_ref(self, courier_ref):
        """Return the :class:`OrderInfo` of the courier order ``courier_ref``."""

    @abc.abstractmethod
    def cancel(self, our_ref, courier_ref):
        """Cancel the order (``courier_ref`` may be None: it is then looked up).

        Returns the cancelled :class:`OrderInfo` (also when it was already cancelled).
        Raises :class:`PermanentError` with ``code='cancel_after_pickup'`` when the
        courier refuses because the parcel was picked up (``'cancel_refused'`` for other
        refusals).
        """

    @classmethod
    @abc.abstractmethod
    def verify_webhook(cls, headers, body, secret):
        """Return True when the webhook request is authentic (constant-time compare;
        a missing header or an empty secret gives False)."""

    @classmethod
    @abc.abstractmethod
    def parse_webhook(cls, payload):
        """Turn a decoded webhook body into a :class:`WebhookEvent`."""

    # -- shared behaviour --------------------------------------------------------------

    def tracking_url(self, courier_ref):
        """Return the courier's live tracking URL for ``courier_ref``, or None.

        Answers from what this client already saw when it can; otherwise performs one
        lookup (HTTP GET) and returns None if that fails.
        """
        if not courier_ref:
            return None
        url = self._tracking_urls.get(courier_ref)
        if url:
            return url
        try:
            return self.get_order_by_courier_ref(courier_ref).tracking_url
        except CourierError as exc:
            self.logger.info("tracking URL of %s unavailable: %s", courier_ref, exc)
            return None

    @classmethod
    def normalize_status(cls, courier_status):
        """Key used in :attr:`STATUS_MAP` for a raw courier status."""
        return "_".join(str(courier_status).strip().lower().replace("-", " ").split())

    @classmethod
    def map_status(cls, courier_status):
        """Our status for a raw courier status, or None when unknown."""
        if not courier_status:
            return None
        return cls.STATUS_MAP.get(cls.normalize_status(courier_status))

    def courier_service_type(self, service_type):
        """The courier's name for our ``service_type`` ('instant' or 'same_day')."""
        try:
            return self.SERVICE_TYPES[service_type]
        except KeyError:
            raise PermanentError(
                f"unsupported service type {service_type!r} "
                f"(expected one of {', '.join(self.SERVICE_TYPES)})",
                code="unsupported_service_type",
            ) from None

    def _remember(self, info):
        """Keep the tracking URL of an order (for :meth:`tracking_url`)."""
        if info.courier_ref and info.tracking_url:
            with self._lock:
                if len(self._tracking_urls) > 1000:
                    self._tracking_urls.clear()
                self._tracking_urls[info.courier_ref] = info.tracking_url
        return info

    @classmethod
    def _pick_current(cls, orders, status_of):
        """From several courier orders (oldest first), the latest still in progress,
        else the latest."""
        for order in reversed(orders):
            if status_of(order) not in FINAL_STATUSES:
                return order
        return orders[-1]

    def _resolve_refused_cancel(self, our_ref, courier_ref, exc):
        """The courier refused a cancel: succeed if it is already cancelled, otherwise
        raise a PermanentError saying why."""
        try:
            info = self.get_order_by_courier_ref(courier_ref)
        except CourierError:
            info = None
        if info is not None and info.status == "cancelled":
            return info
        current = info.status if info is not None else None
        if current == "picked_up" or (current is None and exc.status_code == 409):
            code = "cancel_after_pickup"
        else:
            code = "cancel_refused"
        raise PermanentError(
            f"{self.kind}: cancel of {courier_ref} ({our_ref}) refused: {exc.message}",
            code=code,
            status_code=exc.status_code,
            response=exc.response,
        ) from exc

    # -- HTTP --------------------------------------------------------------------------

    def _auth_headers(self):
        """Headers authenticating an API call (subclasses)."""
        return {}

    def _refresh_auth(self):
        """Called on HTTP 401 of an authenticated call; return True to retry once."""
        return False

    def _secret_values(self):
        values = {
            str(self.credentials[key])
            for key in self.SECRET_CREDENTIAL_KEYS
            if self.credentials.get(key)
        }
        values.update(self._extra_secrets)
        return {value for value in values if len(value) >= 4}

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

    def _classify_http_error(self, status, data, text, method, headers):
        message, courier_code = self._error_details(data)
        message = message or (text or "").strip()[:300] or f"HTTP {status}"
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
        }
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
