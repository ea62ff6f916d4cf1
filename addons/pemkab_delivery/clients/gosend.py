# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""GoSend (Gojek) Integration API client (no Odoo import).

API shape
---------
Follows the GoSend partner integration API ("gokilat v10") as used by public integrations
(GoSend's own guide is shared with partners, not published; the endpoints, headers and
field names below are the ones that public client code and samples agree on):

* hosts: staging ``https://integration-kilat-api.gojekapi.com``, production
  ``https://kilat-api.gojekapi.com`` (``base_url``);
* every call carries the headers ``Client-ID`` and ``Pass-Key``
  (credentials ``client_id``, ``pass_key``);
* price: ``GET /gokilat/v10/calculate/price?origin=lat,lng&destination=lat,lng&paymentType=3``
  answers one block per shipment method (``"Instant"``, ``"SameDay"``) with
  ``serviceable``, ``active``, ``distance`` (km) and ``price.total_price``;
* booking: ``POST /gokilat/v10/booking`` with ``paymentType``, ``shipment_method``
  (``Instant``/``SameDay``) and ``routes[0]`` holding ``originName``, ``originNote``,
  ``originContactName``, ``originContactPhone``, ``originLatLong``, ``originAddress``, the
  same ``destination*`` fields, ``item`` and ``storeOrderId`` (= our reference); answers
  ``{"id", "orderNo", ...}``. GoSend does NOT deduplicate on ``storeOrderId``;
* a car: ``shipment_method`` ``InstantCar`` (``laravel-delivery-gosend`` README:
  "Instant / Same Day / InstantCar"), for an account whose contract has it; no weight
  limit for it in any public source;
* insurance: ``routes[0].insuranceDetails`` ``{"applied", "fee", "product_description",
  "product_price"}``, every value a string (the README's booking sample:
  ``"applied": "false", "fee": "0"``, ``"product_price": "500.000"``). We send it for
  an insured parcel only: ``applied`` ``"true"``, the account's fee, the parcel's code
  as description (never the medicines' names) and the declared value in whole rupiah;
* status by our reference: ``GET /gokilat/v10/booking/storeOrderId/{storeOrderId}``,
  by GoSend's: ``GET /gokilat/v10/booking/orderno/{orderNo}``; fields ``status``
  (human text: "Finding Driver", "Enroute Pickup", ...), ``driverName``,
  ``driverPhone``, ``totalPrice``, ``receiverName``, ``liveTrackingUrl``,
  ``orderClosedTime``, ``cancelDescription``...;
* cancel: ``PUT /gokilat/v10/booking/cancel`` with ``{"orderNo"}`` (only before pickup);
* webhook: GoSend POSTs ``{"@type": "booking_event", "entity_id", "type", "event_date"
  (epoch ms), "event_id", "partner_id", "destination_type", "booking_id", "status",
  "booking_status" (snake case: confirmed, allocated, out_for_pickup, picked,
  out_for_delivery, on_hold, delivered, cancelled, rejected, no_driver), "booking_type",
  "driver_name", "driver_phone", "total_distance_in_kms", "price", "receiver_name",
  "live_tracking_url"}`` (the sample of ``elgiborsolution/laravel-delivery-gosend``,
  README: ``booking_id`` = ``entity_id`` = the order number, and NO ``storeOrderId``),
  authenticated by a static token the merchant registers with GoSend and that GoSend
  sends back in the ``Authorization`` header.

Seen in other public integrations (``/work/shared/reference/sources.md``)
-------------------------------------------------------------------------
* lookups carry the proofs as ``proofs: {"pop", "pod"}`` (pickup and delivery photos);
  webhooks as ``pod_url`` / ``pop_url``, with ``cancelled_by`` and ``driver_photo_url``.
  No source shows a receiver-relation field: GoSend tells who received, not how they
  are related;
* a refusal's text comes in the ``Error-Message`` response header ("outside the service
  area"...), the body being empty or generic: it is what officers are shown;
* a 2xx booking answer may carry ``errors`` (a refusal) or ``prebook`` (a pre-booking
  accepted without an order number yet): neither is an unknown outcome;
* GoSend Instant takes routes up to 40 km and parcels up to 20 kg;
* lookups by ``storeOrderId`` are reported to fail often (5xx): the order number is used
  whenever it is known, our reference only before.

Our assumptions (the sandbox implements them, stricter when unsure)
-------------------------------------------------------------------
* the storeOrderId lookup answers one booking object (the latest); a JSON list is also
  accepted, in which case the latest booking still in progress wins;
* errors come as ``{"errors": [{"message", "code"}]}`` (other usual shapes are read too),
  the header's text winning;
* a webhook may carry ``store_order_id`` (some integrations show it); most do not, and
  are matched on the order number;
* naive timestamps are Asia/Jakarta time (WIB);
* "Returned" is a final failure (``failure_reason='returned'``).
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
    Terms,
    WebhookEvent,
    derived_event_id,
    float_or_none,
    now_iso,
    phone_digits,
    to_iso,
)

#: ``paymentType`` 3 = corporate (cashless, billed to the merchant account).
PAYMENT_TYPE_CORPORATE = 3

#: Normalised GoSend statuses (API text and webhook snake case) -> ours.
GOSEND_STATUS_MAP = {
    # booking received, looking for a driver
    "confirmed": "booked",
    "finding_driver": "booked",
    "searching_driver": "booked",
    # driver found, on the way to the pickup point
    "allocated": "driver_assigned",
    "driver_allocated": "driver_assigned",
    "driver_found": "driver_assigned",
    "out_for_pickup": "driver_assigned",
    "enroute_pickup": "driver_assigned",
    # parcel on board
    "picked": "picked_up",
    "picked_up": "picked_up",
    "item_picked": "picked_up",
    "item_picked_by_driver": "picked_up",
    "out_for_delivery": "picked_up",
    "enroute_drop": "picked_up",
    "on_hold": "picked_up",
    # final
    "delivered": "delivered",
    "completed": "delivered",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "no_driver": "failed",
    "driver_not_found": "failed",
    "rejected": "failed",
    "returned": "failed",
}

#: Normalised GoSend statuses -> :data:`~.values.COURIER_FAILURE_REASONS`.
GOSEND_FAILURE_REASONS = {
    "no_driver": "no_driver",
    "driver_not_found": "no_driver",
    "rejected": "rejected",
    "returned": "returned",
}


class GoSendClient(CourierClient):
    """GoSend Integration API client. Credentials: ``client_id``, ``pass_key``."""

    kind = "gosend"
    SERVICE_TYPES = {"instant": "Instant", "same_day": "SameDay"}
    STATUS_MAP = GOSEND_STATUS_MAP
    CREDENTIAL_KEYS = ("client_id", "pass_key")
    SECRET_CREDENTIAL_KEYS = ("pass_key",)
    NAIVE_TZ = WIB
    # GoSend Instant: 40 km, 20 kg (public integrations; sources.md)
    MAX_DISTANCE_KM = {"instant": 40.0}
    MAX_WEIGHT_KG = {"instant": 20.0}
    OFFERS_VEHICLES = True
    # laravel-delivery-gosend README: "Instant / Same Day / InstantCar"; its limit unknown
    CAR_MAX_WEIGHT_KG = {"instant": None}
    CAR_SERVICE_TYPES = {"instant": "InstantCar"}
    # laravel-delivery-gosend README: routes[0].insuranceDetails
    INSURANCE = True
    # GoSend's photo links: Gojek's domains
    PHOTO_HOST_SUFFIXES = ("gojek.com", "gojekapi.com", "gojek.co.id")
    # GoSend puts its refusal text in the Error-Message response header
    ERROR_MESSAGE_HEADER = "Error-Message"

    PRICE_PATH = "/gokilat/v10/calculate/price"
    BOOKING_PATH = "/gokilat/v10/booking"
    BY_STORE_ORDER_PATH = "/gokilat/v10/booking/storeOrderId/{ref}"
    BY_ORDER_NO_PATH = "/gokilat/v10/booking/orderno/{ref}"
    CANCEL_PATH = "/gokilat/v10/booking/cancel"

    def _auth_headers(self):
        return {
            "Client-ID": str(self.credentials["client_id"]),
            "Pass-Key": str(self.credentials["pass_key"]),
        }

    # -- API ---------------------------------------------------------------------------

    def quote(self, origin, destination, service_type="instant", package=None):
        method = self.courier_service_type(service_type)
        origin.validate("origin")
        destination.validate("destination")
        _status, data = self._request(
            "GET",
            self.PRICE_PATH,
            params={
                "origin": origin.latlong,
                "destination": destination.latlong,
                "paymentType": PAYMENT_TYPE_CORPORATE,
            },
        )
        block = (data or {}).get(method) if isinstance(data, dict) else None
        if not isinstance(block, dict):
            raise PermanentError(
                f"GoSend offers no {method} service here", code="not_serviceable", response=data
            )
        price = (block.get("price") or {}).get("total_price")
        if not block.get("serviceable", True) or not block.get("active", True) or price is None:
            message, _code = self._error_details(block)
            raise PermanentError(
                message or f"GoSend {method} not serviceable for this route",
                code="not_serviceable",
                response=data,
            )
        distance = block.get("distance")
        return Quote(
            price=float(price),
            currency="IDR",
            service_type=service_type,
            distance_km=float(distance) if distance is not None else None,
            eta_minutes=None,
            raw=data,
        )

    def build_booking_payload(
        self, our_ref, origin, destination, package, service_type="instant", terms=None
    ):
        """The JSON body of ``POST /gokilat/v10/booking`` (exposed for tests/logs): a
        car of ``terms`` (a :class:`~.values.Terms`) as ``shipment_method``
        ``InstantCar``, its insurance as ``insuranceDetails``."""
        terms = terms or Terms()
        route = {
            "originName": origin.name,
            "originNote": origin.note or "",
            "originContactName": origin.name,
            "originContactPhone": phone_digits(origin.phone),
            "originLatLong": origin.latlong,
            "originAddress": origin.address,
            "destinationName": destination.name,
            "destinationNote": destination.note or "",
            "destinationContactName": destination.name,
            "destinationContactPhone": phone_digits(destination.phone),
            "destinationLatLong": destination.latlong,
            "destinationAddress": destination.address,
            "item": package.description or package.code,
            "storeOrderId": our_ref,
        }
        if terms.insured:
            route["insuranceDetails"] = self.insurance_details(package, terms)
        method = self.courier_service_type(service_type)
        if terms.vehicle == "car":
            if service_type not in self.CAR_SERVICE_TYPES:
                raise PermanentError(f"GoSend has no car for {method}", code="invalid_request")
            method = self.CAR_SERVICE_TYPES[service_type]
        return {
            "paymentType": PAYMENT_TYPE_CORPORATE,
            "collection_location": "pickup",
            "shipment_method": method,
            "routes": [route],
        }

    @staticmethod
    def insurance_details(package, terms):
        """``insuranceDetails`` as public integrations send it: strings only; the
        parcel's code as its description (drivers may see it), the declared value and
        the fee in whole rupiah."""
        return {
            "applied": "true",
            "fee": str(round(float(terms.insurance_fee or 0))),
            "product_description": f"Paket {package.code or ''}".strip()[:100],
            "product_price": str(round(float(package.value or 0))),
        }

    def book(self, our_ref, origin, destination, package, service_type="instant", terms=None):
        if not our_ref:
            raise PermanentError("our_ref is required", code="invalid_request")
        if not isinstance(package, Package):
            raise PermanentError("package must be a Package", code="invalid_request")
        origin.validate("origin")
        destination.validate("destination")
        payload = self.build_booking_payload(
            our_ref, origin, destination, package, service_type, terms
        )
        _status, data = self._request("POST", self.BOOKING_PATH, json_body=payload)
        order_no = (data or {}).get("orderNo") if isinstance(data, dict) else None
        errors = data.get("errors") if isinstance(data, dict) else None
        if errors and not order_no:
            # a 2xx that refuses: GoSend's words, not an unknown outcome
            message, code = self._error_details(data)
            raise PermanentError(
                message or "GoSend refused the booking", code=code or "refused", response=data
            )
        if not order_no and isinstance(data, dict) and data.get("prebook"):
            # a pre-booking: accepted, its order number comes later (looked up by our
            # reference, or named by its webhooks)
            return OrderInfo(
                our_ref=data.get("storeOrderId") or our_ref,
                courier_ref=None,
                status="booked",
                courier_status="prebook",
                price=float_or_none(data.get("totalPrice")),
                raw=data,
            )
        if not order_no:
            # 2xx without an order number: the booking may or may not exist.
            raise CourierTimeout(
                "GoSend booking answer has no orderNo", code="bad_response", response=data
            )
        info = OrderInfo(
            our_ref=data.get("storeOrderId") or our_ref,
            courier_ref=str(order_no),
            status=self.map_status(data.get("status")) or "booked",
            courier_status=data.get("status"),
            price=float_or_none(data.get("totalPrice")),
            tracking_url=data.get("liveTrackingUrl") or None,
            raw=data,
        )
        return info

    def get_order(self, our_ref):
        path = self.BY_STORE_ORDER_PATH.format(ref=urlquote(str(our_ref), safe=""))
        _status, data = self._request("GET", path)
        bookings = data if isinstance(data, list) else [data] if data else []
        bookings = [b for b in bookings if isinstance(b, dict) and b.get("orderNo")]
        if not bookings:
            raise OrderNotFound(f"GoSend has no booking for {our_ref}", code="not_found")
        if len(bookings) > 1:
            self.logger.warning("GoSend holds %d bookings for %s", len(bookings), our_ref)
        booking = self._pick_current(bookings, lambda b: self.map_status(b.get("status")))
        return self._order_from_booking(booking, our_ref)

    def get_order_by_courier_ref(self, courier_ref):
        path = self.BY_ORDER_NO_PATH.format(ref=urlquote(str(courier_ref), safe=""))
        _status, data = self._request("GET", path)
        if isinstance(data, list):
            data = data[-1] if data else None
        if not isinstance(data, dict) or not data:
            raise OrderNotFound(f"GoSend has no booking {courier_ref}", code="not_found")
        return self._order_from_booking(data, None)

    def cancel(self, our_ref, courier_ref):
        if not courier_ref:
            courier_ref = self.get_order(our_ref).courier_ref
        try:
            _status, data = self._request(
                "PUT", self.CANCEL_PATH, json_body={"orderNo": courier_ref}
            )
        except OrderNotFound:
            raise
        except PermanentError as exc:
            if isinstance(exc, AuthError):
                raise
            return self._resolve_refused_cancel(our_ref, courier_ref, exc)
        data = data if isinstance(data, dict) else {}
        return OrderInfo(
            our_ref=our_ref,
            courier_ref=courier_ref,
            status="cancelled",
            courier_status=data.get("status") or "Cancelled",
            raw=data,
        )

    # -- parsing -----------------------------------------------------------------------

    @classmethod
    def failure_reason(cls, courier_status, cancellation_text=None):
        """Our failure reason for a GoSend status (None when not a failure)."""
        key = cls.normalize_status(courier_status) if courier_status else ""
        if key in GOSEND_FAILURE_REASONS:
            return GOSEND_FAILURE_REASONS[key]
        if cls.STATUS_MAP.get(key) == "cancelled":
            # GoSend documents "Cancelled" as cancelled by its CS; the text says who/why.
            return cancellation_text or None
        return None

    def _order_from_booking(self, booking, our_ref):
        courier_status = booking.get("status")
        status = self.map_status(courier_status)
        closed = to_iso(booking.get("orderClosedTime"), self.NAIVE_TZ)
        proofs = booking.get("proofs") if isinstance(booking.get("proofs"), dict) else {}
        return OrderInfo(
            our_ref=booking.get("storeOrderId") or our_ref,
            courier_ref=str(booking.get("orderNo")),
            status=status,
            courier_status=courier_status,
            price=float_or_none(booking.get("totalPrice")),
            tracking_url=booking.get("liveTrackingUrl") or None,
            driver_name=booking.get("driverName") or None,
            driver_phone=booking.get("driverPhone") or None,
            driver_plate=booking.get("vehicleNumber") or None,
            failure_reason=self.failure_reason(courier_status, booking.get("cancelDescription")),
            receiver_name=booking.get("receiverName") or None,
            # proofs.pod: the proof of delivery (pop: of pickup); no relation field
            proof_photo_url=_first_url(proofs.get("pod")),
            delivered_at=closed if status == "delivered" else None,
            courier_reason=_text_or_none(booking.get("cancelDescription")),
            raw=booking,
        )

    @classmethod
    def verify_webhook(cls, headers, body, secret, auth_id=None):
        """GoSend sends back, in ``Authorization``, the static token the merchant
        registered; compare it to ``secret`` in constant time (``Bearer <token>`` is
        accepted too). ``body`` is not used (GoSend does not sign bodies)."""
        return token_matches(get_header(headers, "Authorization"), secret)

    @classmethod
    def parse_webhook(cls, payload):
        if not isinstance(payload, dict):
            raise PermanentError("GoSend webhook body is not a JSON object", code="invalid_webhook")
        courier_ref = payload.get("booking_id") or payload.get("entity_id")
        our_ref = payload.get("store_order_id") or payload.get("storeOrderId")
        if not courier_ref and not our_ref:
            raise PermanentError("GoSend webhook names no booking", code="invalid_webhook")
        courier_status = (
            payload.get("status") or payload.get("booking_status") or payload.get("type")
        )
        status = cls.map_status(courier_status) or cls.map_status(payload.get("type"))
        occurred_at = to_iso(payload.get("event_date"), cls.NAIVE_TZ) or now_iso()
        event_id = payload.get("event_id") or derived_event_id(
            courier_ref, courier_status, payload.get("event_date")
        )
        order = OrderInfo(
            our_ref=our_ref,
            courier_ref=str(courier_ref) if courier_ref else None,
            status=status,
            courier_status=courier_status,
            price=float_or_none(payload.get("price")),
            tracking_url=payload.get("live_tracking_url") or None,
            driver_name=payload.get("driver_name") or None,
            driver_phone=payload.get("driver_phone") or None,
            driver_plate=payload.get("vehicle_number") or None,
            driver_photo_url=_first_url(payload.get("driver_photo_url")),
            failure_reason=cls.failure_reason(
                courier_status,
                payload.get("cancellation_reason") or payload.get("cancelled_by"),
            ),
            receiver_name=payload.get("receiver_name") or None,
            proof_photo_url=_first_url(payload.get("pod_url")),
            delivered_at=occurred_at if status == "delivered" else None,
            # who cancelled (public integrations, sources.md); no driver position: no
            # source shows one in GoSend's webhooks or lookups
            courier_reason=_text_or_none(
                payload.get("cancelled_by") or payload.get("cancellation_reason")
            ),
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


def _first_url(value):
    """A photo link as GoSend gives it: a string, or a list of them (the first)."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item), None)
    return value if isinstance(value, str) and value else None


def _text_or_none(value):
    """A courier's free text, stripped, or None."""
    return value.strip() or None if isinstance(value, str) else None
