# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The base class of the courier clients (no Odoo import).

Everything a courier-specific client (:mod:`.gosend`, :mod:`.grab`) has in common beyond
HTTP (:mod:`.transport`) lives here, so that the Odoo side only ever deals with *our*
words (:mod:`.values`, :mod:`.errors`): :class:`CourierClient` declares the API (quote,
book, look up, cancel, webhooks) and maps courier statuses and service types to ours.
"""

import abc
import time
from datetime import timezone
from urllib.parse import urlsplit

import requests

from .errors import CourierError, CourierTimeout, PermanentError, RetryableError
from .transport import HttpClient
from .values import FINAL_STATUSES, choose_vehicle

__all__ = ["CourierClient"]


class CourierClient(HttpClient, abc.ABC):
    """Abstract courier client.

    :param base_url: API root, e.g. ``https://integration-kilat-api.gojekapi.com`` or,
        against the sandbox, ``http://127.0.0.1:8070/gosend``.
    :param credentials: courier-specific dict (see each subclass's ``CREDENTIAL_KEYS``).
    :param timeout, session, logger, on_exchange: see :class:`~.transport.HttpClient`.
    """

    #: Short name of the courier (``gosend``, ``grab``): logger name, messages.
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
    #: Whether the courier documents :meth:`get_order` by OUR reference. Without it, a
    #: booking call left without answer cannot be reconciled automatically: the outbox
    #: then never books again blindly, a person checks with the courier.
    LOOKUP_BY_REFERENCE = True
    #: Whether the courier refuses a second order for our reference and answers with the
    #: first one (:meth:`book` then returns it): a booking call left without answer is
    #: then simply made again.
    BOOKS_ONCE_PER_REFERENCE = False
    #: The courier cancels every order of our reference (:meth:`cancel_by_reference`):
    #: a booking call left without answer is voided, then booked again.
    CANCEL_BY_REFERENCE = False
    #: The courier's longest route by default, in km, per our service type (a service
    #: missing: no limit known). Checked before booking (:meth:`route_problem`).
    MAX_DISTANCE_KM = {}
    #: The heaviest parcel, in kg, per our service type (missing: no limit known): a
    #: motorbike's, where the courier carries by motorbike.
    MAX_WEIGHT_KG = {}
    #: Whether the courier is told which vehicle carries (motorbike or car).
    OFFERS_VEHICLES = False
    #: The services that also come with a car, per our service type: the heaviest
    #: parcel a car takes, in kg (None: no limit known). An account uses them only when
    #: its car service is enabled (its contract has it).
    CAR_MAX_WEIGHT_KG = {}
    #: Whether the courier takes a pickup window (GrabExpress's ``schedule``).
    SCHEDULED_PICKUP = False
    #: Whether the courier insures a parcel's declared value on request (GoSend's
    #: ``insuranceDetails``).
    INSURANCE = False
    #: Hosts (and their sub-domains) the courier's photo links may point to, besides the
    #: API's own host: a photo is never fetched from anywhere else (:meth:`fetch_photo`).
    PHOTO_HOST_SUFFIXES = ()
    #: Largest photo downloaded (bytes).
    PHOTO_MAX_BYTES = 5 * 1024 * 1024
    #: What a photo may be: content type -> the file's first bytes.
    PHOTO_TYPES = {
        "image/jpeg": (b"\xff\xd8\xff",),
        "image/png": (b"\x89PNG\r\n\x1a\n",),
        "image/webp": (b"RIFF",),
    }

    def __init__(
        self, base_url, credentials, timeout=(5, 20), session=None, logger=None, on_exchange=None
    ):
        super().__init__(
            base_url, timeout=timeout, session=session, logger=logger, on_exchange=on_exchange
        )
        self.credentials = dict(credentials or {})
        missing = [key for key in self.CREDENTIAL_KEYS if not self.credentials.get(key)]
        if missing:
            raise ValueError(
                f"{self.kind or type(self).__name__}: missing credentials {', '.join(missing)}"
            )

    # -- abstract API ------------------------------------------------------------------

    @abc.abstractmethod
    def quote(self, origin, destination, service_type="instant", package=None):
        """Return a :class:`Quote` for carrying ``package`` from origin to destination."""

    @abc.abstractmethod
    def book(self, our_ref, origin, destination, package, service_type="instant", terms=None):
        """Create a courier order for ``our_ref``; return its :class:`OrderInfo`.
        ``terms``: a :class:`~.values.Terms` (vehicle, pickup window, insurance), as far
        as the courier offers them; None: a motorbike, now, uninsured.

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

    def cancel_by_reference(self, our_ref):
        """Cancel every order of ``our_ref`` (couriers with :attr:`CANCEL_BY_REFERENCE`).
        Raises :class:`OrderNotFound` when the courier has none."""
        raise PermanentError(
            f"{self.kind} cannot cancel by our reference ({our_ref})",
            code="cancel_by_reference_unsupported",
        )

    @classmethod
    @abc.abstractmethod
    def verify_webhook(cls, headers, body, secret, auth_id=None):
        """Return True when the webhook request is authentic (constant-time compare;
        a missing header or an empty secret gives False). ``auth_id``: the id the
        courier sends with its token, when the account has one (Grab's
        ``Authorization-Id``); passed only then."""

    @classmethod
    @abc.abstractmethod
    def parse_webhook(cls, payload):
        """Turn a decoded webhook body into a :class:`WebhookEvent`."""

    @classmethod
    def webhook_is_signed(cls, headers):
        """Whether this request authenticates its body by a signature (HMAC), not only
        by a static token: a signed event may be trusted as sent, once fresh; a token
        alone is confirmed by a lookup before a final state is applied."""
        return False

    @classmethod
    def is_webhook_probe(cls, headers, body):
        """Whether this request only checks that the webhook URL answers (a courier's
        dashboard saving it): answered 200, nothing recorded. None by default."""
        return False

    @classmethod
    def webhook_signed_at(cls, payload):
        """The time, as signed in ``payload``, the event was sent (ISO 8601), or None."""
        return None

    # -- shared behaviour --------------------------------------------------------------

    @classmethod
    def route_problem(cls, service_type, distance_km, weight_kg=None, car=False):
        """Why the courier would refuse this route before it is booked: None, or
        ``(what, limit)`` with ``what`` ``'distance'`` (km) or ``'weight'`` (kg).
        ``car``: the account's car service is enabled (a parcel too heavy for a
        motorbike then goes by car, :meth:`vehicle_for`)."""
        max_km = cls.MAX_DISTANCE_KM.get(service_type)
        if max_km and distance_km is not None and distance_km > max_km:
            return "distance", max_km
        if weight_kg and cls.vehicle_for(service_type, weight_kg, car) is None:
            has_car = car and service_type in cls.CAR_MAX_WEIGHT_KG
            limit = cls.CAR_MAX_WEIGHT_KG[service_type] if has_car else None
            return "weight", limit or cls.MAX_WEIGHT_KG[service_type]
        return None

    @classmethod
    def vehicle_for(cls, service_type, weight_kg, car=False):
        """The vehicle for a parcel of ``weight_kg`` (:func:`~.values.choose_vehicle`):
        ``"bike"``, ``"car"`` (``car``: the account's car service is enabled and the
        courier has one for the service) or None (no vehicle of the courier takes it)."""
        return choose_vehicle(
            weight_kg,
            cls.MAX_WEIGHT_KG.get(service_type),
            car=bool(car) and service_type in cls.CAR_MAX_WEIGHT_KG,
            car_max_kg=cls.CAR_MAX_WEIGHT_KG.get(service_type),
        )

    def photo_url_allowed(self, url):
        """Whether ``url`` is a photo link of this courier: http(s), on the API's own
        host or one of :attr:`PHOTO_HOST_SUFFIXES`."""
        try:
            parts = urlsplit(str(url or ""))
        except ValueError:
            return False
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host or parts.username:
            return False
        if host == (urlsplit(self.base_url).hostname or "").lower():
            return True
        return any(
            host == suffix or host.endswith("." + suffix) for suffix in self.PHOTO_HOST_SUFFIXES
        )

    def fetch_photo(self, url):
        """Download the courier's photo at ``url``: ``(content, mimetype)``.

        Only from the courier's hosts, no credentials sent (the links are signed), no
        redirect followed, at most :attr:`PHOTO_MAX_BYTES`, an image of
        :attr:`PHOTO_TYPES` only (its header and its first bytes agree). Raises
        :class:`PermanentError` (``photo_refused``; ``photo_expired`` for a link the
        courier no longer serves: Grab's expire after 2 or 3 hours) or
        :class:`RetryableError`.
        """
        if not self.photo_url_allowed(url):
            raise PermanentError(
                f"{self.kind}: photo link not on the courier's host", code="photo_refused"
            )
        entry = {
            "method": "GET",
            "url": self._scrub_text(str(url).split("?", 1)[0]),
            "request_headers": {},
            "request_body": None,
            "status_code": None,
            "response_body": None,
            "duration_ms": 0,
            "error": None,
        }
        if self.before_request is not None:
            self.before_request()
        started = time.monotonic()
        try:
            request = requests.Request("GET", url, headers={"Accept": ", ".join(self.PHOTO_TYPES)})
            prepared = self.session.prepare_request(request)
            prepared.pemkab_timeout = self.timeout
            response = self.session.send(prepared, allow_redirects=False, stream=True)
            try:
                status = response.status_code
                entry["status_code"] = status
                content = b""
                if status == 200:
                    for chunk in response.iter_content(64 * 1024):
                        content += chunk
                        if len(content) > self.PHOTO_MAX_BYTES:
                            break
                mimetype = (
                    (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                )
            finally:
                response.close()
        except requests.exceptions.RequestException as exc:
            error = self._classify_transport_error(exc, "GET")
            if isinstance(error, CourierTimeout):
                error = RetryableError(error.message, code=error.code)
            entry["error"] = self._scrub_text(str(error))
            entry["duration_ms"] = int((time.monotonic() - started) * 1000)
            self._record(entry)
            raise error from exc
        entry["duration_ms"] = int((time.monotonic() - started) * 1000)
        error = None
        if status in (401, 403, 404, 410):
            error = PermanentError(
                f"photo link expired or gone (HTTP {status})",
                code="photo_expired",
                status_code=status,
            )
        elif status >= 500 or status in (408, 429):
            error = RetryableError(
                f"photo: HTTP {status}", code=f"http_{status}", status_code=status
            )
        elif status != 200:
            error = PermanentError(
                f"photo: HTTP {status}", code="photo_refused", status_code=status
            )
        elif len(content) > self.PHOTO_MAX_BYTES:
            error = PermanentError("photo too large", code="photo_refused", status_code=status)
        elif mimetype not in self.PHOTO_TYPES or not content.startswith(self.PHOTO_TYPES[mimetype]):
            error = PermanentError(
                f"not an image ({mimetype or 'no type'})", code="photo_refused", status_code=status
            )
        entry["error"] = self._scrub_text(str(error)) if error else None
        entry["response_body"] = None if error else f"[{mimetype}, {len(content)} bytes]"
        self._record(entry)
        if error is not None:
            raise error
        return content, mimetype

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

    def _secret_values(self):
        values = {
            str(self.credentials[key])
            for key in self.SECRET_CREDENTIAL_KEYS
            if self.credentials.get(key)
        }
        return super()._secret_values() | {value for value in values if len(value) >= 4}
