# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Biteship API client (no Odoo import): an aggregator through which one contract reaches
GoSend, GrabExpress and the regular couriers (JNE, J&T, SiCepat, AnterAja) of far villages.

API shape (Biteship's public documentation, biteship.com/id/docs; a transcription of those
pages is also public, e.g. the ``Biteship API Documentation`` file quoted in our
``tests/plain/fixtures/biteship/README.md``)
---------------------------------------------------------------------------------------
* host ``https://api.biteship.com`` (``base_url``); the API key goes *raw* in the
  ``authorization`` header, no ``Bearer`` (docs "Authentication": ``--header
  'authorization: <<YOUR_API_KEY>>'``); keys start with ``biteship_test.`` or
  ``biteship_live.``, and the key decides test or live mode (docs "Base URL");
* ``POST /v1/rates/couriers`` (docs "Retrieve Courier Rates"): ``origin_latitude``,
  ``origin_longitude``, ``destination_latitude``, ``destination_longitude`` (rates by
  coordinates: the only kind that shows instant couriers), ``couriers`` (comma-separated
  codes), ``items[]`` (``name``, ``value``, ``quantity``, ``weight`` in grams); answers
  ``pricing[]`` with ``courier_code``, ``courier_service_code``, ``type``, ``price``,
  ``currency``, ``duration``; ``40001010`` "No courier available for requested location";
* ``POST /v1/orders`` (docs "Create an Order"): ``origin_contact_name``,
  ``origin_contact_phone``, ``origin_address``, ``origin_note``, ``origin_coordinate``
  ``{latitude, longitude}`` (required by instant couriers), the same ``destination_*``
  fields, ``courier_company``, ``courier_type``, ``delivery_type`` (``now``),
  ``reference_id`` ("Must unique for each order id") and ``items[]``; answers the order
  (``id``, ``status`` ``confirmed``, ``price``, ``courier{tracking_id, waybill_id,
  company, type, link, driver_*}``). A second order with the same ``reference_id`` is
  refused with ``40002060`` and ``details.order_id``, the order that has it: a booking
  call repeated after a lost answer finds the first order instead of making a second;
* ``GET /v1/orders/:id`` (docs "Retrieve an Order"; "assume all field Nullable"): the
  order with ``courier.history[]`` (``status``, ``note``, ``updated_at``) and the driver
  (``courier.driver_name``, ``driver_phone``, ``driver_photo_url``,
  ``driver_plate_number``; ``courier.name``/``phone`` are deprecated);
  ``40002057`` "Order not found";
* ``POST /v1/orders/:id/cancel`` with ``cancellation_reason_code`` (``others`` with a
  free ``cancellation_reason``; ``DELETE /v1/orders/:id`` is deprecated) (docs "Delete an
  Order"); only ``confirmed``, ``scheduled``, ``allocated`` and ``picking_up`` orders can
  be cancelled (docs "Order Status", column "Available to Delete"), else ``40002053``
  "Cannot cancel order because order already {{status}}";
* statuses (docs "Order Status"): ``confirmed``, ``scheduled``, ``allocated``,
  ``picking_up``, ``picked``, ``cancelled``, ``on_hold``, ``dropping_off``,
  ``return_in_transit``, ``returned``, ``rejected``, ``disposed``, ``courier_not_found``,
  ``delivered``;
* errors: ``{"success": false, "error": "...", "code": 40002060, "details": {...}}``
  (docs "Create an Order", reference id already used); the number's first three digits
  read like an HTTP status (``40002057`` not found, ``40101001`` authorization failed),
  so a "not found" may come as HTTP 400: the client reads the code, not only the status;
* webhooks (docs "Webhook Overview"): events ``order.status`` (``order_id``,
  ``courier_tracking_id``, ``courier_waybill_id``, ``courier_company``, ``courier_type``,
  ``courier_driver_name``, ``courier_driver_phone``, ``courier_driver_photo_url``,
  ``courier_driver_plate_number``, ``courier_link``, ``order_price``, ``status``),
  ``order.price`` (``price``, ``shippment_fee`` as spelt, ``cash_on_delivery_fee``,
  ``status``) and ``order.waybill_id`` (``courier_waybill_id``, ``status``). No event id,
  no timestamp, no reference of ours: a booking is found by Biteship's ``order_id``.

Webhook authentication
----------------------
Biteship signs nothing. Its dashboard lets a merchant add one static header to every
webhook ("Headers Signature Key" and "Headers Signature Secret", as public integrations
such as ``aliziodev/laravel-biteship`` ``config/biteship.php`` document): give it the key
:data:`WEBHOOK_HEADER` and the account's *Webhook Secret* as the value. A static token
alone never closes a booking: a final state is confirmed at ``GET /v1/orders/:id`` first
(``webhook_is_signed`` is False). When a webhook is saved, the dashboard posts an empty
body without that header and expects 200 (seen by public integrations, e.g. a
``biteship-integration-debug`` note: "Webhook URL doesn't respond with ok response");
:meth:`BiteshipClient.is_webhook_probe` tells the route to answer it, changing nothing.

Our choices where the docs say nothing
--------------------------------------
* there is no lookup by ``reference_id``: ``LOOKUP_BY_REFERENCE`` is False and
  :meth:`get_order` refuses; the duplicate ``reference_id`` answer serves instead;
* ``on_hold`` ("Order is on hold for any reason", before or after the pickup) is
  recorded, not applied (no status of ours says "on hold" at either stage);
* ``disposed`` (the parcel destroyed) is a failure with the reason ``damaged``;
* phones go in the local ``08...`` form of every example of the docs;
* the driver's photo is fetched only from the API's own host (``PHOTO_HOST_SUFFIXES``
  empty): the docs name no host for it (their example is a placeholder).
"""

from urllib.parse import quote as urlquote

from .base import CourierClient
from .errors import AuthError, CourierTimeout, OrderNotFound, PermanentError
from .transport import get_header, token_matches
from .values import (
    WIB,
    OrderInfo,
    Package,
    Quote,
    WebhookEvent,
    derived_event_id,
    float_or_none,
    now_iso,
    phone_digits,
    to_iso,
)

#: The header Biteship's dashboard is told to add to every webhook ("Headers Signature
#: Key"); its value ("Headers Signature Secret") is the account's webhook secret.
WEBHOOK_HEADER = "X-Pemkab-Webhook-Token"

#: The webhook events Biteship sends (docs "Webhook Overview").
WEBHOOK_EVENTS = ("order.status", "order.price", "order.waybill_id")

#: Biteship statuses (docs "Order Status") -> ours. ``on_hold`` is left out on purpose.
BITESHIP_STATUS_MAP = {
    "confirmed": "booked",
    "scheduled": "booked",
    "allocated": "driver_assigned",
    "picking_up": "driver_assigned",
    "picked": "picked_up",
    "dropping_off": "picked_up",
    "return_in_transit": "picked_up",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "courier_not_found": "failed",
    "rejected": "failed",
    "returned": "failed",
    "disposed": "failed",
}

#: Biteship statuses -> our failure reasons.
BITESHIP_FAILURE_REASONS = {
    "courier_not_found": "no_driver",
    "rejected": "rejected",
    "returned": "returned",
    "disposed": "damaged",
}

#: Error codes (docs "Orders Error Codes", "Rates Error Codes").
CODE_NOT_FOUND = "40002057"
CODE_REFERENCE_TAKEN = "40002060"
CODE_CANNOT_CANCEL = "40002053"
CODE_NO_COURIER_FOR_LOCATION = "40001010"
#: Authentication error codes (docs "Authentication Error Codes"), whatever the status.
AUTH_CODES = frozenset({"40000001", "40101001", "40101002", "40101003", "40301001", "40301002"})

#: Key prefixes (docs "Authentication": "Biteship Auth Tokens have ``biteship_live.`` or
#: ``biteship_test.`` as a prefix").
KEY_PREFIXES = {"test": "biteship_test.", "production": "biteship_live."}


class BiteshipClient(CourierClient):
    """Biteship API client.

    Credentials: ``api_key``. ``courier_company`` and ``courier_type`` choose the courier
    Biteship books (``gojek``/``instant``, ``grab``/``instant``, ``jne``/``reg``...).
    """

    kind = "biteship"
    # our service types -> Biteship's courier_type when the account names none
    SERVICE_TYPES = {"instant": "instant", "same_day": "same_day"}
    STATUS_MAP = BITESHIP_STATUS_MAP
    CREDENTIAL_KEYS = ("api_key",)
    SECRET_CREDENTIAL_KEYS = ("api_key",)
    NAIVE_TZ = WIB
    # no documented lookup by reference_id (a repeated booking call finds the order)
    LOOKUP_BY_REFERENCE = False
    # reference_id "Must unique for each order id"; a second one is answered 40002060
    # with the first order's id (docs "Create an Order")
    BOOKS_ONCE_PER_REFERENCE = True
    #: Couriers that need coordinates (docs "Create an Order": "If you use an instant
    #: courier, you must use coordinate"; docs "Rates": instant couriers are Gojek, Grab,
    #: Paxel, Lalamove, Borzo).
    INSTANT_COMPANIES = frozenset({"gojek", "grab", "paxel", "lalamove", "borzo"})

    RATES_PATH = "/v1/rates/couriers"
    ORDERS_PATH = "/v1/orders"
    ORDER_PATH = "/v1/orders/{id}"
    CANCEL_PATH = "/v1/orders/{id}/cancel"

    def __init__(
        self,
        base_url,
        credentials,
        timeout=(5, 20),
        session=None,
        logger=None,
        on_exchange=None,
        courier_company="gojek",
        courier_type=None,
    ):
        super().__init__(
            base_url,
            credentials,
            timeout=timeout,
            session=session,
            logger=logger,
            on_exchange=on_exchange,
        )
        key = str(self.credentials["api_key"])
        if not key.startswith(tuple(KEY_PREFIXES.values())):
            raise ValueError(
                "biteship: the API key must start with biteship_test. or biteship_live."
            )
        self.courier_company = (courier_company or "").strip().lower()
        self.courier_type = (courier_type or "").strip().lower() or None
        if not self.courier_company:
            raise ValueError("biteship: a courier company is required")

    def _auth_headers(self):
        return {"Authorization": str(self.credentials["api_key"])}

    # -- errors ------------------------------------------------------------------------

    def _classify_http_error(self, status, data, text, method, headers):
        """Biteship's own codes first: a "not found" or an authentication failure may
        come with another HTTP status than 404 or 401."""
        error = super()._classify_http_error(status, data, text, method, headers)
        code = str((data or {}).get("code") or "") if isinstance(data, dict) else ""
        kwargs = {"status_code": status, "response": data}
        if code == CODE_NOT_FOUND and not isinstance(error, OrderNotFound):
            return OrderNotFound(error.message, code="not_found", **kwargs)
        if code in AUTH_CODES and not isinstance(error, AuthError):
            return AuthError(error.message, code="unauthorized", **kwargs)
        return error

    # -- payloads ----------------------------------------------------------------------

    def courier_type_for(self, service_type):
        """The account's courier type, else the one of our service type."""
        return self.courier_type or self.courier_service_type(service_type)

    @staticmethod
    def local_phone(phone):
        """``6281234567890`` -> ``081234567890`` (the docs' examples are all local)."""
        digits = phone_digits(phone)
        return "0" + digits[2:] if digits.startswith("62") else digits

    @staticmethod
    def _coordinate(location):
        return {"latitude": float(location.latitude), "longitude": float(location.longitude)}

    @staticmethod
    def _item(package):
        package = package or Package(code="PAKET", description="Paket")
        # no category: its default is "others" (docs "Create an Order", items.category),
        # and a courier needs no more than that
        return {
            "name": (package.code or "Paket")[:255],
            "description": (package.description or "")[:255],
            "value": int(round(float(package.value or 0))),
            "quantity": 1,
            "weight": max(1, int(round(float(package.weight_kg or 0) * 1000))),
        }

    def build_rates_payload(self, origin, destination, package=None):
        """The JSON body of ``POST /v1/rates/couriers`` (rates by coordinates)."""
        return {
            "origin_latitude": float(origin.latitude),
            "origin_longitude": float(origin.longitude),
            "destination_latitude": float(destination.latitude),
            "destination_longitude": float(destination.longitude),
            "couriers": self.courier_company,
            "items": [self._item(package)],
        }

    def build_order_payload(self, our_ref, origin, destination, package, service_type="instant"):
        """The JSON body of ``POST /v1/orders`` (exposed for tests/logs)."""
        return {
            "origin_contact_name": origin.name,
            "origin_contact_phone": self.local_phone(origin.phone),
            "origin_address": origin.address,
            "origin_note": origin.note or "",
            "origin_coordinate": self._coordinate(origin),
            "destination_contact_name": destination.name,
            "destination_contact_phone": self.local_phone(destination.phone),
            "destination_address": destination.address,
            "destination_note": destination.note or "",
            "destination_coordinate": self._coordinate(destination),
            "courier_company": self.courier_company,
            "courier_type": self.courier_type_for(service_type),
            "delivery_type": "now",
            "reference_id": our_ref,
            "items": [self._item(package)],
        }

    # -- API ---------------------------------------------------------------------------

    def quote(self, origin, destination, service_type="instant", package=None):
        courier_type = self.courier_type_for(service_type)
        origin.validate("origin")
        destination.validate("destination")
        try:
            _status, data = self._request(
                "POST",
                self.RATES_PATH,
                json_body=self.build_rates_payload(origin, destination, package),
            )
        except PermanentError as exc:
            if exc.code == CODE_NO_COURIER_FOR_LOCATION:
                raise PermanentError(
                    exc.message,
                    code="not_serviceable",
                    status_code=exc.status_code,
                    response=exc.response,
                ) from exc
            raise
        pricing = (data or {}).get("pricing") if isinstance(data, dict) else None
        chosen = next(
            (
                entry
                for entry in pricing or []
                if isinstance(entry, dict)
                and str(entry.get("courier_code") or entry.get("company") or "").lower()
                == self.courier_company
                and courier_type
                in {
                    str(entry.get("courier_service_code") or "").lower(),
                    str(entry.get("type") or "").lower(),
                }
            ),
            None,
        )
        if chosen is None or chosen.get("price") is None:
            raise PermanentError(
                f"Biteship offers no {self.courier_company}/{courier_type} for this route",
                code="not_serviceable",
                response=data,
            )
        return Quote(
            price=float(chosen["price"]),
            currency=chosen.get("currency") or "IDR",
            service_type=service_type,
            distance_km=None,
            eta_minutes=None,
            raw=data,
        )

    def book(self, our_ref, origin, destination, package, service_type="instant", terms=None):
        # the courier Biteship books is the account's (courier_type): no vehicle, window
        # or insurance of ours is passed on
        if not our_ref:
            raise PermanentError("our_ref is required", code="invalid_request")
        if not isinstance(package, Package):
            raise PermanentError("package must be a Package", code="invalid_request")
        origin.validate("origin")
        destination.validate("destination")
        payload = self.build_order_payload(our_ref, origin, destination, package, service_type)
        try:
            _status, data = self._request("POST", self.ORDERS_PATH, json_body=payload)
        except PermanentError as exc:
            if exc.code != CODE_REFERENCE_TAKEN:
                raise
            # an earlier call made the order: Biteship names it (docs "Create an Order",
            # "Failed to Create Order due to Reference ID already used")
            details = (exc.response or {}).get("details") or {}
            order_id = details.get("order_id") if isinstance(details, dict) else None
            if not order_id:
                raise
            info = self.get_order_by_courier_ref(order_id)
            info.our_ref = info.our_ref or our_ref
            return info
        if not isinstance(data, dict) or not data.get("id"):
            # 2xx without an order id: the order may or may not exist
            raise CourierTimeout(
                "Biteship order answer has no id", code="bad_response", response=data
            )
        return self._order_from(data, our_ref)

    def get_order(self, our_ref):
        raise PermanentError(
            f"Biteship cannot be asked for an order by our reference ({our_ref})",
            code="lookup_by_reference_unsupported",
        )

    def get_order_by_courier_ref(self, courier_ref):
        path = self.ORDER_PATH.format(id=urlquote(str(courier_ref), safe=""))
        _status, data = self._request("GET", path)
        if not isinstance(data, dict) or not data.get("id"):
            raise OrderNotFound(f"Biteship has no order {courier_ref}", code="not_found")
        return self._order_from(data, None)

    def cancel(self, our_ref, courier_ref, reason=None):
        if not courier_ref:
            raise PermanentError(
                f"Biteship cancels by its order id; {our_ref} has none", code="cancel_refused"
            )
        path = self.CANCEL_PATH.format(id=urlquote(str(courier_ref), safe=""))
        body = {
            "cancellation_reason_code": "others",
            "cancellation_reason": (reason or "Dibatalkan oleh petugas")[:255],
        }
        try:
            _status, data = self._request("POST", path, json_body=body)
        except OrderNotFound:
            raise
        except PermanentError as exc:
            if isinstance(exc, AuthError):
                raise
            return self._resolve_refused_cancel(our_ref, courier_ref, exc)
        data = data if isinstance(data, dict) else {}
        return OrderInfo(
            our_ref=our_ref,
            courier_ref=str(data.get("id") or courier_ref),
            status="cancelled",
            courier_status=data.get("status") or "cancelled",
            raw=data,
        )

    # -- parsing -----------------------------------------------------------------------

    @classmethod
    def failure_reason(cls, courier_status):
        key = cls.normalize_status(courier_status) if courier_status else ""
        return BITESHIP_FAILURE_REASONS.get(key)

    @staticmethod
    def _history_time(courier, status):
        for entry in reversed((courier or {}).get("history") or []):
            if isinstance(entry, dict) and entry.get("status") == status:
                return entry.get("updated_at")
        return None

    def _order_from(self, order, our_ref):
        courier_status = order.get("status")
        status = self.map_status(courier_status)
        courier = order.get("courier") if isinstance(order.get("courier"), dict) else {}
        destination = order.get("destination") if isinstance(order.get("destination"), dict) else {}
        proof = destination.get("proof_of_delivery") if isinstance(destination, dict) else None
        delivered = status == "delivered"
        delivered_at = None
        if delivered:
            delivered_at = to_iso(self._history_time(courier, "delivered"), self.NAIVE_TZ)
        return OrderInfo(
            our_ref=order.get("reference_id") or our_ref,
            courier_ref=str(order.get("id")),
            status=status,
            courier_status=courier_status,
            price=float_or_none(order.get("price")),
            tracking_url=courier.get("link") or None,
            driver_name=courier.get("driver_name") or courier.get("name") or None,
            driver_phone=courier.get("driver_phone") or courier.get("phone") or None,
            driver_plate=courier.get("driver_plate_number") or None,
            driver_photo_url=courier.get("driver_photo_url") or None,
            failure_reason=self.failure_reason(courier_status),
            proof_photo_url=((proof or {}).get("link") or None) if delivered else None,
            delivered_at=delivered_at,
            raw=order,
        )

    @classmethod
    def is_webhook_probe(cls, headers, body):
        """The dashboard's check of a webhook URL being saved: an empty body."""
        return not (body or b"").strip()

    @classmethod
    def verify_webhook(cls, headers, body, secret):
        """The static header the dashboard adds (:data:`WEBHOOK_HEADER`), compared with
        ``secret`` in constant time. ``body`` is not used: Biteship signs nothing."""
        return token_matches(get_header(headers, WEBHOOK_HEADER), secret)

    @classmethod
    def parse_webhook(cls, payload):
        if not isinstance(payload, dict):
            raise PermanentError(
                "Biteship webhook body is not a JSON object", code="invalid_webhook"
            )
        event = payload.get("event")
        if event not in WEBHOOK_EVENTS:
            raise PermanentError(
                f"Biteship webhook event {event!r} is unknown", code="invalid_webhook"
            )
        order_id = payload.get("order_id")
        if not order_id:
            raise PermanentError("Biteship webhook names no order", code="invalid_webhook")
        courier_status = payload.get("status")
        status = cls.map_status(courier_status)
        # no time in the event: when it arrived
        occurred_at = now_iso()
        price = payload.get("price") if event == "order.price" else payload.get("order_price")
        event_id = derived_event_id(
            "biteship",
            order_id,
            event,
            courier_status,
            payload.get("courier_waybill_id"),
            price,
        )
        order = OrderInfo(
            our_ref=None,
            courier_ref=str(order_id),
            status=status,
            courier_status=courier_status,
            price=float_or_none(price),
            tracking_url=payload.get("courier_link") or None,
            driver_name=payload.get("courier_driver_name") or None,
            driver_phone=payload.get("courier_driver_phone") or None,
            driver_plate=payload.get("courier_driver_plate_number") or None,
            driver_photo_url=payload.get("courier_driver_photo_url") or None,
            failure_reason=cls.failure_reason(courier_status),
            delivered_at=occurred_at if status == "delivered" else None,
            raw=payload,
        )
        return WebhookEvent(
            event_id=event_id,
            our_ref=None,
            courier_ref=order.courier_ref,
            status=status,
            courier_status=courier_status,
            occurred_at=occurred_at,
            order=order,
            raw=payload,
        )
