# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""GrabExpress Delivery API client (no Odoo import).

API shape (from Grab's public developer documentation, developer.grab.com/docs/grab-express)
---------------------------------------------------------------------------------------------
* hosts: ``https://partner-api.grab.com/grab-express-sandbox`` (staging) and
  ``https://partner-api.grab.com/grab-express`` (production) as ``base_url``;
* OAuth2 client credentials: ``POST https://partner-api.grab.com/grabid/v1/oauth2/token``
  with a JSON body ``client_id``, ``client_secret``, ``grant_type=client_credentials``,
  ``scope=grab_express.partner_deliveries``; answers ``access_token``,
  ``token_type=Bearer``, ``expires_in`` (seconds, 7 days by default). Grab asks partners
  to reuse the token until it expires and to request a new one only then or on a 401,
  which is what this client does (per instance and in a thread-safe module-level cache);
* ``POST /v1/deliveries/quotes`` (``serviceType``, ``packages[]``, ``origin``,
  ``destination``) answers ``quotes[]`` with ``service.type``, ``currency.code``,
  ``amount``, ``estimatedTimeline.dropoff`` and ``distance`` (metres);
* ``POST /v1/deliveries`` with ``merchantOrderID`` (= our reference), ``serviceType``
  ``INSTANT``/``SAME_DAY``, ``paymentMethod`` ``CASHLESS``, ``packages``, ``origin`` and
  ``destination`` (``address``, ``keywords``, ``coordinates{latitude,longitude}``),
  ``sender``/``recipient`` (``firstName``, ``phone`` as E.164 digits, ``smsEnabled``,
  ``instruction``); answers ``deliveryID``, ``status`` (``ALLOCATING``), ``quote.amount``,
  ``trackingURL`` (empty until a driver is allocated). Grab does NOT deduplicate on
  ``merchantOrderID`` (one merchantOrderID may map to several deliveries);
* ``GET /v1/deliveries/{deliveryID}`` adds ``courier{name, phone, pictureURL,
  vehicle{licensePlate}}``, ``timeline{create, allocate, pickup, dropoff, completed,
  cancel, return, fail}`` and ``advanceInfo.failedReason`` (``"6|Could not find driver"``,
  ``"2|Driver canceled..."``, ``"5|Canceled by Grab Operator"``). It carries the
  recipient as booked and NO proof link: the receiver, the relationship and
  ``dropoffProofURL`` exist only in the webhook (Grab's docs, "Get Delivery Details";
  the C# SDK ``LightsoftHub/open-platforms`` ``DeliveryDetailsResponse`` has no such
  field either). It is the only documented lookup: Grab documents no ``GET`` by
  ``merchantOrderID``, so this client never looks a delivery up by our reference
  (``LOOKUP_BY_REFERENCE = False``);
* ``DELETE /v1/deliveries/{deliveryID}``: 204, or 409 once picked up (cancellation is
  allowed in ALLOCATING, PENDING_PICKUP and PICKING_UP only);
  ``DELETE /v1/merchant/deliveries/{merchantOrderID}`` cancels every delivery of the
  reference (used by :meth:`GrabExpressClient.cancel` when the delivery id is unknown,
  and by the outbox to undo a create that timed out: ``CANCEL_BY_REFERENCE``);
* statuses: QUEUEING, ALLOCATING, PENDING_PICKUP, PICKING_UP, PENDING_DROP_OFF,
  IN_DELIVERY, IN_RETURN, RETURNED, COMPLETED, CANCELED (spelt ``CANCELLED`` in webhooks),
  FAILED (also the end of an allocation that found no driver);
* ``sender.instruction`` (up to 1000 characters) is shown to the driver; Grab documents
  ``recipient.instruction`` as "currently unused": the drop-off directions ride in the
  sender's instruction. ``keywords`` is a building or shop name: the shelter's for the
  origin, nothing for a citizen's home (never the patient's name);
* limits: 35 km by default (per contract), 50 x 50 x 50 cm; weight limits "per
  agreement" (no figure published: a motorbike's is taken as GoSend's 20 kg);
* ``vehicleType`` (quotes and create): ``BIKE`` (the default), ``CAR`` and others "as
  the agreement allows"; Grab answers "Invalid vehicleType" for one it does not take
  ("Error codes"). We send ``BIKE`` or ``CAR`` (:attr:`Terms.vehicle`);
* ``schedule{pickupTimeFrom, pickupTimeTo}`` (create, optional): RFC 3339 with an
  offset, the two must differ (a 1 to 3 hour window recommended), same day, T+1 or T+2
  only (up to 48 hours ahead); the delivery waits in ``QUEUEING`` until the window
  ("The time chosen is outside the service available time" otherwise). We send
  Jakarta times (+07:00);
* tracking webhook body: ``deliveryID``, ``merchantOrderID``, ``timestamp`` (epoch s),
  ``status``, ``trackURL``, ``pickupPin``, ``failedReason``,
  ``sender``/``recipient`` ``{name, address, relationship}``,
  ``driver{name, phone, licensePlate, photoURL (expires after 180 min), currentLat,
  currentLng}``, ``distance``, ``pickupProofURL``, ``dropoffProofURL``,
  ``cancelProofURL`` (signed links that expire after 2 hours). It has no event id: we
  derive one from (deliveryID, status, timestamp), as Grab suggests for idempotency.
  Grab asks for an answer 200 or 204.

Webhook authentication (Grab's docs, "Tracking Webhook")
---------------------------------------------------------
Grab signs nothing: it sends back, in the ``Authorization`` header, the static secret
the partner gave it, and optionally an ``Authorization-Id``.
:meth:`GrabExpressClient.verify_webhook` compares both in constant time (the id only when
the account has one). A final state so authenticated is confirmed by
``GET /v1/deliveries/{deliveryID}`` before it is applied (Grab's docs advise re-reading
the delivery before acting).

A field-by-field transcription of Grab's page: ``alxvasilevvv/unyly-food``,
``docs/grab-api-research.md``. Errors come as ``{"reason", "message"}``
(``{"target","reason","message"}`` in the docs for tips).
"""

import hashlib
import hmac
import threading
import time
from datetime import datetime, timezone
from urllib.parse import quote as urlquote

from .base import CourierClient
from .errors import AuthError, CourierTimeout, OrderNotFound, PermanentError, RetryableError
from .transport import get_header, token_matches
from .values import (
    WIB,
    OrderInfo,
    Package,
    Quote,
    Terms,
    WebhookEvent,
    derived_event_id,
    float_or_none,
    now_iso,
    phone_digits,
    to_iso,
)

GRAB_STATUS_MAP = {
    "queueing": "booked",
    "allocating": "booked",
    "pending_pickup": "driver_assigned",
    "picking_up": "driver_assigned",
    "pending_drop_off": "picked_up",
    "in_delivery": "picked_up",
    "in_return": "picked_up",
    "completed": "delivered",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "failed": "failed",
    "returned": "failed",
}

#: ``advanceInfo.failedReason`` / webhook ``failedReason`` codes -> our failure reasons.
GRAB_FAILED_REASON_CODES = {
    "2": "cancelled_by_courier",  # driver cancelled (fake sender/order)
    "5": "cancelled_by_courier",  # cancelled by Grab operator
    "6": "no_driver",  # could not find driver
}

TOKEN_PATH = "/grabid/v1/oauth2/token"
TOKEN_SCOPE = "grab_express.partner_deliveries"

# Module-level token cache: {(token_url, client_id, secret_fingerprint): (token, expiry)}.
_TOKEN_CACHE = {}
_TOKEN_CACHE_LOCK = threading.Lock()
_TOKEN_KEY_LOCKS = {}


def clear_token_cache():
    """Forget every cached Grab access token (tests, credential rotation)."""
    with _TOKEN_CACHE_LOCK:
        _TOKEN_CACHE.clear()


def _key_lock(key):
    with _TOKEN_CACHE_LOCK:
        return _TOKEN_KEY_LOCKS.setdefault(key, threading.Lock())


class GrabExpressClient(CourierClient):
    """GrabExpress Delivery API client.

    Credentials: ``client_id``, ``client_secret`` and optionally ``token_url`` (default:
    ``<base_url without /grab-express[-sandbox]>/grabid/v1/oauth2/token``).
    """

    kind = "grab"
    SERVICE_TYPES = {"instant": "INSTANT", "same_day": "SAME_DAY"}
    # Grab documents no GET by merchantOrderID (only its DELETE)
    LOOKUP_BY_REFERENCE = False
    # ... but documents DELETE /v1/merchant/deliveries/{merchantOrderID} ("Cancel by
    # Merchant Order ID"): a create that timed out is undone by it, then booked again
    CANCEL_BY_REFERENCE = True
    # "Partner obligations": log the X-Grabkit-Grab-Requestid / X-Request-ID of answers
    REQUEST_ID_HEADERS = ("X-Grabkit-Grab-Requestid", "X-Request-ID")
    # Grab's docs, "Limits and configuration": 35 km by default
    MAX_DISTANCE_KM = {"instant": 35.0, "same_day": 35.0}
    # weight "per agreement" (Grab's "Limits and configuration"): a motorbike's taken as
    # 20 kg, the car's unknown (the courier refuses what its agreement excludes)
    MAX_WEIGHT_KG = {"instant": 20.0, "same_day": 20.0}
    OFFERS_VEHICLES = True
    CAR_MAX_WEIGHT_KG = {"instant": None, "same_day": None}
    VEHICLE_TYPES = {"bike": "BIKE", "car": "CAR"}
    # "Create Delivery": schedule{pickupTimeFrom, pickupTimeTo}
    SCHEDULED_PICKUP = True
    # the hosts of Grab's signed photo links are not documented: Grab's own domain
    PHOTO_HOST_SUFFIXES = ("grab.com",)
    STATUS_MAP = GRAB_STATUS_MAP
    CREDENTIAL_KEYS = ("client_id", "client_secret")
    SECRET_CREDENTIAL_KEYS = ("client_secret",)
    PAYMENT_METHOD = "CASHLESS"
    #: Renew the token this long before it expires (capped at a tenth of its lifetime).
    TOKEN_MARGIN_S = 60.0

    QUOTES_PATH = "/v1/deliveries/quotes"
    DELIVERIES_PATH = "/v1/deliveries"
    DELIVERY_PATH = "/v1/deliveries/{id}"
    MERCHANT_DELIVERIES_PATH = "/v1/merchant/deliveries/{ref}"

    def __init__(
        self, base_url, credentials, timeout=(5, 20), session=None, logger=None, on_exchange=None
    ):
        super().__init__(
            base_url,
            credentials,
            timeout=timeout,
            session=session,
            logger=logger,
            on_exchange=on_exchange,
        )
        self.token_url = self.credentials.get("token_url") or self._default_token_url()
        fingerprint = hashlib.sha256(
            str(self.credentials["client_secret"]).encode("utf-8")
        ).hexdigest()[:16]
        self._cache_key = (self.token_url, str(self.credentials["client_id"]), fingerprint)
        self._token = None
        self._token_expiry = 0.0

    def _default_token_url(self):
        base = self.base_url
        for suffix in ("/grab-express-sandbox", "/grab-express"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        return base + TOKEN_PATH

    # -- OAuth2 ------------------------------------------------------------------------

    def _auth_headers(self):
        return {"Authorization": f"Bearer {self._access_token()}"}

    def _access_token(self):
        now = time.monotonic()
        if self._token and now < self._token_expiry:
            return self._token
        with _key_lock(self._cache_key):
            cached = _TOKEN_CACHE.get(self._cache_key)
            if cached and time.monotonic() < cached[1]:
                self._token, self._token_expiry = cached
            else:
                self._token, self._token_expiry = self._fetch_token()
                _TOKEN_CACHE[self._cache_key] = (self._token, self._token_expiry)
        self._extra_secrets.add(self._token)
        return self._token

    def _fetch_token(self):
        body = {
            "client_id": str(self.credentials["client_id"]),
            "client_secret": str(self.credentials["client_secret"]),
            "grant_type": "client_credentials",
            "scope": TOKEN_SCOPE,
        }
        requested_at = time.monotonic()
        try:
            _status, data = self._request(
                "POST",
                url=self.token_url,
                json_body=body,
                headers={"Cache-Control": "no-cache"},
                auth=False,
            )
        except CourierTimeout as exc:
            # No order is at stake in a token call: a plain retryable error.
            raise RetryableError(
                f"token request: {exc.message}", code="token_timeout", status_code=exc.status_code
            ) from exc
        except PermanentError as exc:
            if isinstance(exc, AuthError) or exc.status_code in (400, 401, 403):
                raise AuthError(
                    f"Grab refused the client credentials: {exc.message}",
                    code="invalid_client",
                    status_code=exc.status_code,
                ) from exc
            raise
        token = (data or {}).get("access_token") if isinstance(data, dict) else None
        if not token:
            raise RetryableError("Grab token answer has no access_token", code="bad_token_response")
        try:
            lifetime = float(data.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        margin = min(self.TOKEN_MARGIN_S, lifetime / 10.0)
        return token, requested_at + lifetime - margin

    def _refresh_auth(self):
        with _key_lock(self._cache_key):
            cached = _TOKEN_CACHE.get(self._cache_key)
            if cached and cached[0] == self._token:
                _TOKEN_CACHE.pop(self._cache_key, None)
        self._token, self._token_expiry = None, 0.0
        return True

    # -- payloads ----------------------------------------------------------------------

    @staticmethod
    def _place(location, keywords=""):
        """``keywords`` is a building or shop name (Grab's docs): the shelter's, never a
        citizen's name."""
        place = {
            "address": location.address,
            "coordinates": {
                "latitude": float(location.latitude),
                "longitude": float(location.longitude),
            },
        }
        if keywords:
            place["keywords"] = keywords
        return place

    @staticmethod
    def _person(location, sms_enabled, instruction=""):
        return {
            "firstName": location.name,
            "lastName": "",
            "phone": phone_digits(location.phone),
            "smsEnabled": bool(sms_enabled),
            "instruction": (instruction or "")[:1000],
        }

    @staticmethod
    def driver_instruction(origin, destination):
        """What the driver reads: the pickup note, then the drop-off directions. Grab
        shows ``sender.instruction`` to the driver and documents
        ``recipient.instruction`` as unused, so both ride in the sender's."""
        parts = [(origin.note or "").strip()]
        if (destination.note or "").strip():
            parts.append(f"Antar / Drop-off: {destination.note.strip()}")
        return " | ".join(part for part in parts if part)[:1000]

    @staticmethod
    def _package(package):
        package = package or Package(code="PAKET", description="Paket")
        return {
            "name": (package.code or "Paket")[:500],
            "description": (package.description or package.code or "Paket")[:500],
            "quantity": 1,
            "price": float(package.value or 0),
            "dimensions": {
                "height": 0,
                "width": 0,
                "depth": 0,
                "weight": int(round(float(package.weight_kg or 0) * 1000)),
            },
        }

    def build_delivery_payload(
        self, our_ref, origin, destination, package, service_type="instant", terms=None
    ):
        """The JSON body of ``POST /v1/deliveries`` (exposed for tests/logs): the vehicle
        and the pickup window of ``terms`` (a :class:`~.values.Terms`) as
        ``vehicleType`` and ``schedule``."""
        terms = terms or Terms()
        body = {
            "merchantOrderID": our_ref,
            "serviceType": self.courier_service_type(service_type),
            "vehicleType": self.VEHICLE_TYPES[terms.vehicle or "bike"],
            "paymentMethod": self.PAYMENT_METHOD,
            "packages": [self._package(package)],
            "origin": self._place(origin, keywords=origin.name),
            "destination": self._place(destination),
            "sender": self._person(
                origin, False, instruction=self.driver_instruction(origin, destination)
            ),
            # "Create Delivery": recipient.smsEnabled sends an SMS on pickup (where the
            # agency wants it); the sender's SMS is not supported
            "recipient": self._person(destination, destination.sms_enabled),
        }
        if terms.scheduled:
            body["schedule"] = {
                "pickupTimeFrom": _rfc3339(terms.pickup_from),
                "pickupTimeTo": _rfc3339(terms.pickup_until),
            }
        return body

    # -- API ---------------------------------------------------------------------------

    def quote(self, origin, destination, service_type="instant", package=None):
        courier_type = self.courier_service_type(service_type)
        origin.validate("origin")
        destination.validate("destination")
        body = {
            "serviceType": courier_type,
            "packages": [self._package(package)],
            "origin": self._place(origin, keywords=origin.name),
            "destination": self._place(destination),
        }
        _status, data = self._request("POST", self.QUOTES_PATH, json_body=body)
        quotes = (data or {}).get("quotes") if isinstance(data, dict) else None
        quotes = [q for q in quotes or [] if isinstance(q, dict)]
        chosen = next(
            (q for q in quotes if (q.get("service") or {}).get("type") == courier_type), None
        )
        if chosen is None or chosen.get("amount") is None:
            raise PermanentError(
                f"GrabExpress offers no {courier_type} quote for this route",
                code="not_serviceable",
                response=data,
            )
        distance = float_or_none(chosen.get("distance"))
        return Quote(
            price=float(chosen["amount"]),
            currency=(chosen.get("currency") or {}).get("code") or "IDR",
            service_type=service_type,
            distance_km=round(distance / 1000.0, 3) if distance is not None else None,
            eta_minutes=_minutes_until((chosen.get("estimatedTimeline") or {}).get("dropoff")),
            raw=data,
        )

    def book(self, our_ref, origin, destination, package, service_type="instant", terms=None):
        if not our_ref:
            raise PermanentError("our_ref is required", code="invalid_request")
        if not isinstance(package, Package):
            raise PermanentError("package must be a Package", code="invalid_request")
        origin.validate("origin")
        destination.validate("destination")
        payload = self.build_delivery_payload(
            our_ref, origin, destination, package, service_type, terms
        )
        _status, data = self._request("POST", self.DELIVERIES_PATH, json_body=payload)
        if not isinstance(data, dict) or not data.get("deliveryID"):
            raise CourierTimeout(
                "GrabExpress answer has no deliveryID", code="bad_response", response=data
            )
        return self._order_from_delivery(data, our_ref)

    def get_order(self, our_ref):
        # Grab documents no lookup by merchantOrderID (LOOKUP_BY_REFERENCE is False)
        raise PermanentError(
            f"GrabExpress documents no lookup by merchantOrderID ({our_ref}): "
            "look the delivery up by its deliveryID",
            code="lookup_unsupported",
        )

    def get_order_by_courier_ref(self, courier_ref):
        path = self.DELIVERY_PATH.format(id=urlquote(str(courier_ref), safe=""))
        _status, data = self._request("GET", path)
        if not isinstance(data, dict) or not data.get("deliveryID"):
            raise OrderNotFound(f"GrabExpress has no delivery {courier_ref}", code="not_found")
        return self._order_from_delivery(data, None)

    def cancel(self, our_ref, courier_ref):
        if not courier_ref:
            return self.cancel_by_reference(our_ref)
        path = self.DELIVERY_PATH.format(id=urlquote(str(courier_ref), safe=""))
        try:
            _status, data = self._request("DELETE", path)
        except OrderNotFound:
            raise
        except PermanentError as exc:
            if isinstance(exc, AuthError):
                raise
            return self._resolve_refused_cancel(our_ref, courier_ref, exc)
        return OrderInfo(
            our_ref=our_ref,
            courier_ref=courier_ref,
            status="cancelled",
            courier_status="CANCELED",
            raw=data if isinstance(data, dict) else {},
        )

    def cancel_by_reference(self, our_ref):
        """``DELETE /v1/merchant/deliveries/{merchantOrderID}`` (documented): every
        delivery of the reference, when its deliveryID is unknown (204; 404: none;
        409: one is past pickup)."""
        path = self.MERCHANT_DELIVERIES_PATH.format(ref=urlquote(str(our_ref), safe=""))
        try:
            _status, data = self._request("DELETE", path)
        except (OrderNotFound, AuthError):
            raise
        except PermanentError as exc:
            code = "cancel_after_pickup" if exc.status_code == 409 else "cancel_refused"
            raise PermanentError(
                f"grab: cancel of {our_ref} refused: {exc.message}",
                code=code,
                status_code=exc.status_code,
                response=exc.response,
            ) from exc
        return OrderInfo(
            our_ref=our_ref,
            courier_ref=None,
            status="cancelled",
            courier_status="CANCELED",
            raw=data if isinstance(data, dict) else {},
        )

    # -- parsing -----------------------------------------------------------------------

    @classmethod
    def failure_reason(cls, courier_status, failed_reason=None):
        """Our failure reason for a Grab status and its ``failedReason`` text."""
        key = cls.normalize_status(courier_status) if courier_status else ""
        if key == "returned":
            return "returned"
        if key != "failed":
            return None
        text = str(failed_reason or "").strip()
        code = text.split("|", 1)[0].strip()
        if code in GRAB_FAILED_REASON_CODES:
            return GRAB_FAILED_REASON_CODES[code]
        lowered = text.lower()
        if "driver" in lowered and ("find" in lowered or "found" in lowered):
            return "no_driver"
        return text or None

    def _order_from_delivery(self, delivery, our_ref):
        courier_status = delivery.get("status")
        status = self.map_status(courier_status)
        courier = delivery.get("courier") or {}
        vehicle = courier.get("vehicle") or {}
        timeline = delivery.get("timeline") or {}
        advance = delivery.get("advanceInfo") or {}
        quote = delivery.get("quote") or {}
        delivered = status == "delivered"
        return OrderInfo(
            our_ref=delivery.get("merchantOrderID") or our_ref,
            courier_ref=str(delivery.get("deliveryID")),
            status=status,
            courier_status=courier_status,
            price=float_or_none(quote.get("amount")),
            tracking_url=delivery.get("trackingURL") or None,
            driver_name=courier.get("name") or None,
            driver_phone=courier.get("phone") or None,
            driver_plate=vehicle.get("licensePlate") or None,
            failure_reason=self.failure_reason(courier_status, advance.get("failedReason")),
            # the details carry the recipient as booked and no proof link: who received
            # and the photo come only from the webhook (merged, OrderInfo.merged_with)
            driver_photo_url=courier.get("pictureURL") or None,
            delivered_at=to_iso(timeline.get("completed")) if delivered else None,
            # "Get Delivery Details": courier.coordinates{latitude,longitude}
            driver_latitude=float_or_none((courier.get("coordinates") or {}).get("latitude")),
            driver_longitude=float_or_none((courier.get("coordinates") or {}).get("longitude")),
            courier_reason=str(advance.get("failedReason") or "").strip() or None,
            raw=delivery,
        )

    @classmethod
    def verify_webhook(cls, headers, body, secret, auth_id=None):
        """Grab's documented scheme: ``Authorization`` is the static secret the partner
        gave Grab; ``Authorization-Id``, optional, the id it gave with it: checked (in
        constant time) when the account has one. Grab signs no body."""
        if not secret or not token_matches(get_header(headers, "Authorization"), secret):
            return False
        if auth_id:
            given = str(get_header(headers, "Authorization-Id") or "").strip()
            return hmac.compare_digest(given.encode("utf-8"), str(auth_id).encode("utf-8"))
        return True

    @classmethod
    def parse_webhook(cls, payload):
        if not isinstance(payload, dict):
            raise PermanentError(
                "GrabExpress webhook body is not a JSON object", code="invalid_webhook"
            )
        courier_ref = payload.get("deliveryID")
        our_ref = payload.get("merchantOrderID")
        if not courier_ref and not our_ref:
            raise PermanentError("GrabExpress webhook names no delivery", code="invalid_webhook")
        courier_status = payload.get("status")
        status = cls.map_status(courier_status)
        occurred_at = to_iso(payload.get("timestamp")) or now_iso()
        event_id = payload.get("eventID") or derived_event_id(
            courier_ref, courier_status, payload.get("timestamp")
        )
        driver = payload.get("driver") or {}
        recipient = payload.get("recipient") or {}
        delivered = status == "delivered"
        order = OrderInfo(
            our_ref=our_ref,
            courier_ref=str(courier_ref) if courier_ref else None,
            status=status,
            courier_status=courier_status,
            price=None,
            tracking_url=payload.get("trackURL") or None,
            driver_name=driver.get("name") or None,
            driver_phone=driver.get("phone") or None,
            driver_plate=driver.get("licensePlate") or None,
            driver_photo_url=driver.get("photoURL") or None,
            failure_reason=cls.failure_reason(courier_status, payload.get("failedReason")),
            receiver_name=(recipient.get("name") or None) if delivered else None,
            receiver_relation=(recipient.get("relationship") or None) if delivered else None,
            proof_photo_url=payload.get("dropoffProofURL") or None,
            delivered_at=occurred_at if delivered else None,
            # "Tracking Webhook": driver.currentLat/currentLng; failedReason with FAILED
            driver_latitude=float_or_none(driver.get("currentLat")),
            driver_longitude=float_or_none(driver.get("currentLng")),
            courier_reason=str(payload.get("failedReason") or "").strip() or None,
            raw=payload,
        )
        return WebhookEvent(
            event_id=str(event_id),
            our_ref=our_ref,
            courier_ref=order.courier_ref,
            status=status,
            courier_status=courier_status,
            occurred_at=occurred_at,
            order=order,
            raw=payload,
        )


def _minutes_until(timestamp):
    iso = to_iso(timestamp)
    if not iso:
        return None
    delta = datetime.fromisoformat(iso) - datetime.now(tz=timezone.utc)
    return max(0, int(round(delta.total_seconds() / 60.0)))


def _rfc3339(moment):
    """An aware datetime as Grab's schedule takes it: RFC 3339, Jakarta's offset."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(WIB).isoformat(timespec="seconds")
