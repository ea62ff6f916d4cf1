# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Biteship-like API of the courier sandbox, under ``/biteship``.

What Biteship's public documentation (biteship.com/id/docs) says, in its shapes, and
stricter where it says nothing (each rule names its page):

* the API key raw in ``authorization`` (docs "Authentication"); a wrong key is answered
  with the code ``40000001`` ("Authentication for your key has failed") and HTTP 400, as
  the code's first digits read (a client must read the code, not only the status);
* ``POST /v1/rates/couriers`` by coordinates (docs "Retrieve Courier Rates");
* ``POST /v1/orders`` (docs "Create an Order"): the required fields and their error
  codes (``40002014``-``40002019``, ``40002005``/``40002006`` for ``delivery_type``,
  ``40002026``/``40002027`` for an unknown courier or type, ``40002023``/``40002025`` for
  an instant courier without coordinates, ``40002038`` for a bad item), and a
  ``reference_id`` already used answered ``40002060`` with ``details.order_id``;
* ``GET /v1/orders/:id`` (docs "Retrieve an Order"), ``40002057`` when unknown (HTTP
  400, the stricter reading of a code that starts with 400);
* ``POST /v1/orders/:id/cancel`` with a ``cancellation_reason_code`` from the documented
  list (docs "Delete an Order"); only ``confirmed``, ``scheduled``, ``allocated`` and
  ``picking_up`` can be cancelled (docs "Order Status"), else ``40002053``;
  ``DELETE /v1/orders/:id`` is deprecated: answered 404 here;
* the instant couriers' range, which Biteship's docs do not give: the couriers' own
  (GoSend Instant 40 km, GrabExpress 35 km by default: ``shared/reference/sources.md``),
  refused with ``40001010`` "No courier available for requested location" (docs "Rates
  Error Codes"), the stricter reading for an order;
* webhooks (docs "Webhook Overview"): ``order.status`` with the ``courier_*`` fields,
  ``order.price`` and ``order.waybill_id``; no signature: the static header the merchant
  sets in the dashboard (``biteship_webhook_header`` and ``webhook_secret_biteship``).
"""

import hmac
import math

from .common import ApiError, haversine_km, to_iso

# stage -> Biteship status (docs "Order Status")
BITESHIP_RAW = {
    "booked": "confirmed",
    "driver_assigned": "allocated",
    "picked_up": "picked",
    "on_hold": "on_hold",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "cancelled_by_courier": "cancelled",
    "no_driver": "courier_not_found",
    "rejected": "rejected",
    "returned": "returned",
    "failed": "rejected",
}
# other Biteship statuses advance() accepts -> stage
BITESHIP_RAW_ALIASES = {
    "scheduled": "booked",
    "picking_up": "driver_assigned",
    "dropping_off": "picked_up",
    "return_in_transit": "picked_up",
    "disposed": "failed",
}
#: Statuses an order may be cancelled in (docs "Order Status", "Available to Delete").
CANCELLABLE_STATUSES = frozenset({"confirmed", "scheduled", "allocated", "picking_up"})
#: Cancellation reason codes (docs "Delete an Order", "Cancellation Reason Codes").
CANCELLATION_REASON_CODES = frozenset(
    {"change_courier", "pickup_delay", "change_address", "others"}
)
#: Courier companies and their types: the instant ones (docs "Rates": Gojek, Grab...)
#: and regular couriers of public integrations' courier lists (JNE REG/YES, SiCepat REG,
#: J&T EZ, AnterAja REG).
COURIERS = {
    "gojek": ("instant", "same_day"),
    "grab": ("instant", "same_day"),
    "jne": ("reg", "yes"),
    "sicepat": ("reg",),
    "jnt": ("ez",),
    "anteraja": ("reg",),
}
INSTANT_COMPANIES = frozenset({"gojek", "grab"})
#: An instant courier's range (km): the couriers' own, Biteship's docs give none.
INSTANT_RANGE_KM = {"gojek": 40.0, "grab": 35.0}
#: Required text fields of an order and their error codes (docs "Orders Error Codes").
REQUIRED_FIELDS = (
    ("origin_contact_name", 40002014, "Please make sure origin contact name is filled"),
    ("origin_contact_phone", 40002015, "Please make sure origin contact phone is filled"),
    ("origin_address", 40002016, "Please make sure origin address is filled"),
    ("destination_contact_name", 40002017, "Please make sure destination contact name is filled"),
    ("destination_contact_phone", 40002018, "Please make sure destination contact phone is filled"),
    ("destination_address", 40002019, "Please make sure destination address is filled"),
)


def biteship_error(code, message, details=None, status=None):
    """Biteship's error body (docs "Create an Order": ``success``, ``error``, ``code``,
    ``details``); the HTTP status is the code's first three digits."""
    body = {"success": False, "error": message, "code": code}
    if details is not None:
        body["details"] = details
    return ApiError(status or int(str(code)[:3]), body)


def _coordinate(value):
    if not isinstance(value, dict):
        return None
    try:
        lat, lng = float(value["latitude"]), float(value["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
        return None
    return lat, lng


class BiteshipApiMixin:
    """Routes, answers and webhook events of the Biteship-like API.

    A part of :class:`~.server.CourierSandbox`: works on its state (``_lock``,
    ``_config``, ``_stats``, the order indexes).
    """

    def _biteship_auth(self, handler):
        with self._lock:
            expected = str(self._config["biteship_api_key"])
        given = handler.headers.get("Authorization") or ""
        if not hmac.compare_digest(given.encode(), expected.encode()):
            with self._lock:
                self._stats["auth_failures"] += 1
            raise biteship_error(
                40000001,
                "Authentication for your key has failed. Please make sure to input the right "
                "key or contact support@biteship.com.",
            )

    def _biteship_route(self, handler, method, seg, body):
        if seg[:1] != ["v1"]:
            raise biteship_error(40400000, "Not found", status=404)
        rest = seg[1:]
        if method == "POST" and rest == ["rates", "couriers"]:
            return self._reply(handler, 200, self._biteship_rates(body))
        if method == "POST" and rest == ["orders"]:
            return self._biteship_create(handler, body)
        if len(rest) == 2 and rest[0] == "orders" and method == "GET":
            with self._lock:
                view = self._biteship_view(self._biteship_order(rest[1]))
            return self._reply(handler, 200, view)
        if len(rest) == 3 and rest[0] == "orders" and rest[2] == "cancel" and method == "POST":
            return self._biteship_cancel(handler, rest[1], body)
        raise biteship_error(40400000, "Not found", status=404)

    def _biteship_order(self, order_id):
        """The Biteship order ``order_id`` (caller holds the lock) or 40002057."""
        order = self._by_courier_ref.get(order_id)
        if order is None or order["api"] != "biteship":
            raise biteship_error(40002057, "Order not found")
        return order

    # -- rates and orders --------------------------------------------------------------

    @staticmethod
    def _biteship_price(company, km, weight_g):
        if company in INSTANT_COMPANIES:
            return max(15000, int(math.ceil(km * 2500 / 500.0)) * 500)
        return 9000 * max(1, int(math.ceil(weight_g / 1000.0)))

    def _biteship_items(self, items):
        if not isinstance(items, list) or not items:
            raise biteship_error(40002038, "There's something wrong with the order item.")
        for item in items:
            if not isinstance(item, dict) or not str(item.get("name") or "").strip():
                raise biteship_error(40002038, "There's something wrong with the order item.")
            for key in ("value", "quantity", "weight"):
                if not isinstance(item.get(key), int | float) or item[key] < 0:
                    raise biteship_error(40002038, "There's something wrong with the order item.")
        return sum(item["weight"] * item["quantity"] for item in items)

    def _biteship_rates(self, body):
        origin = (body.get("origin_latitude"), body.get("origin_longitude"))
        destination = (body.get("destination_latitude"), body.get("destination_longitude"))
        if not all(isinstance(v, int | float) for v in origin + destination):
            raise biteship_error(40001002, "Get pricing failed caused by missing parameter(s).")
        if not str(body.get("couriers") or "").strip():
            raise biteship_error(40001002, "Get pricing failed caused by missing parameter(s).")
        weight = self._biteship_items(body.get("items"))
        km = haversine_km(*origin, *destination)
        pricing = []
        for company in str(body["couriers"]).lower().split(","):
            company = company.strip()
            if company not in COURIERS:
                continue
            if company in INSTANT_RANGE_KM and km > INSTANT_RANGE_KM[company]:
                continue
            for courier_type in COURIERS[company]:
                price = self._biteship_price(company, km, weight)
                pricing.append(
                    {
                        "company": company,
                        "courier_name": company.upper(),
                        "courier_code": company,
                        "courier_service_name": courier_type.title(),
                        "courier_service_code": courier_type,
                        "currency": "IDR",
                        "description": courier_type,
                        "duration": "1 - 3 hours" if company in INSTANT_COMPANIES else "2 - 3 days",
                        "service_type": "standard",
                        "shipping_type": "parcel",
                        "shipping_fee": price,
                        "insurance_fee": 0,
                        "price": price,
                        "type": courier_type,
                    }
                )
        if not pricing:
            raise biteship_error(40001010, "No courier available for requested location.")
        return {
            "success": True,
            "object": "courier_pricing",
            "message": "Success to retrieve courier pricing",
            "code": 20001007,
            "pricing": pricing,
        }

    def _biteship_create(self, handler, body):
        for key, code, message in REQUIRED_FIELDS:
            if not str(body.get(key) or "").strip():
                raise biteship_error(code, message)
        delivery_type = body.get("delivery_type")
        if not delivery_type:
            raise biteship_error(40002005, "Delivery type has no value.")
        if delivery_type not in ("now", "scheduled"):
            raise biteship_error(
                40002006, "Please make sure to input the right delivery type value"
            )
        company = str(body.get("courier_company") or "").lower()
        courier_type = str(body.get("courier_type") or "").lower()
        if company not in COURIERS:
            raise biteship_error(40002026, "Selected courier does not exist")
        if courier_type not in COURIERS[company]:
            raise biteship_error(40002027, "Courier service type does not exist")
        origin = _coordinate(body.get("origin_coordinate"))
        destination = _coordinate(body.get("destination_coordinate"))
        if company in INSTANT_COMPANIES and origin is None:
            raise biteship_error(40002023, "Selected courier needs to have origin coordinate value")
        if company in INSTANT_COMPANIES and destination is None:
            raise biteship_error(
                40002025, "Selected courier needs to have destination coordinate value"
            )
        if origin is None or destination is None:
            # regular couriers: the sandbox has no postal codes, coordinates are required
            raise biteship_error(
                40002010, "Either destination needs to have postal code or coordinate"
            )
        weight = self._biteship_items(body.get("items"))
        km = haversine_km(*origin, *destination)
        if company in INSTANT_RANGE_KM and km > INSTANT_RANGE_KM[company]:
            raise biteship_error(40001010, "No courier available for requested location.")
        reference = body.get("reference_id") or ""
        with self._lock:
            taken = [o for o in self._by_ref.get(reference, ()) if o["api"] == "biteship"]
            if reference and taken:
                raise biteship_error(
                    40002060,
                    "Reference id has already been used before. Please input other reference id",
                    details={
                        "order_id": taken[0]["courier_ref"],
                        "waybill_id": taken[0]["extra"]["waybill_id"],
                        "reference_id": reference,
                    },
                )
            order = self._new_order(
                "biteship",
                reference,
                courier_type,
                {
                    "name": body["origin_contact_name"],
                    "phone": body["origin_contact_phone"],
                    "address": body["origin_address"],
                    "lat": origin[0],
                    "lng": origin[1],
                },
                {
                    "name": body["destination_contact_name"],
                    "phone": body["destination_contact_phone"],
                    "address": body["destination_address"],
                    "lat": destination[0],
                    "lng": destination[1],
                },
                body["items"][0].get("description") or body["items"][0]["name"],
                self._biteship_price(company, km, weight),
                km,
                {
                    "company": company,
                    "type": courier_type,
                    "waybill_id": f"WYB-{self._rng.randint(10**12, 10**13 - 1)}",
                    "tracking_id": "".join(self._rng.choice("0123456789abcdef") for _ in range(24)),
                    "items": body["items"],
                    "origin_note": body.get("origin_note"),
                    "destination_note": body.get("destination_note"),
                    "history": [],
                },
            )
        self._maybe_timeout()
        with self._lock:
            view = self._biteship_view(order)
        view["message"] = "Order successfully created"
        self._reply(handler, 200, view)

    def _biteship_cancel(self, handler, order_id, body):
        code = body.get("cancellation_reason_code")
        if code not in CANCELLATION_REASON_CODES:
            raise biteship_error(40002056, "Something wrong when cancelling an order.")
        with self._lock:
            order = self._biteship_order(order_id)
            status = self._raw_status(order)
            if status not in CANCELLABLE_STATUSES:
                raise biteship_error(
                    40002053, f"Cannot cancel order because order already {status}"
                )
            events = [self._apply_stage(order, "cancelled", reason=body.get("cancellation_reason"))]
        self._enqueue(order, events)
        self._reply(
            handler,
            200,
            {
                "success": True,
                "message": "Order successfully deleted",
                "object": "order",
                "id": order["courier_ref"],
                "status": "cancelled",
                "cancellation_reason_code": code,
                "cancellation_reason": body.get("cancellation_reason"),
            },
        )

    # -- what Biteship answers and posts -----------------------------------------------

    def _biteship_history(self, order):
        """``courier.history``: one line per event (caller holds the lock)."""
        return [
            {
                "service_type": "-",
                "status": event["status"],
                "note": event["status"],
                "updated_at": event.get("at") or to_iso(),
            }
            for event in order["events"]
        ]

    def _biteship_view(self, order):
        driver = order["driver"] or {}
        extra = order["extra"]
        return {
            "success": True,
            "message": "Order successfully retrieved",
            "object": "order",
            "id": order["courier_ref"],
            "draft_order_id": None,
            "origin": {
                "contact_name": order["origin"]["name"],
                "contact_phone": order["origin"]["phone"],
                "address": order["origin"]["address"],
                "note": extra.get("origin_note"),
                "coordinate": {
                    "latitude": order["origin"]["lat"],
                    "longitude": order["origin"]["lng"],
                },
            },
            "destination": {
                "contact_name": order["destination"]["name"],
                "contact_phone": order["destination"]["phone"],
                "address": order["destination"]["address"],
                "note": extra.get("destination_note"),
                "proof_of_delivery": {"use": False, "fee": 0, "note": None, "link": None},
                "coordinate": {
                    "latitude": order["destination"]["lat"],
                    "longitude": order["destination"]["lng"],
                },
            },
            "delivery": {
                "type": "now",
                "distance": order["distance_km"],
                "distance_unit": "kilometer",
            },
            "courier": {
                "tracking_id": extra["tracking_id"],
                "waybill_id": extra["waybill_id"],
                "company": extra["company"],
                "history": self._biteship_history(order),
                "link": self._tracking(order) or None,
                "name": driver.get("name"),
                "phone": driver.get("phone"),
                "driver_name": driver.get("name"),
                "driver_phone": driver.get("phone"),
                "driver_photo_url": driver.get("photo_url"),
                "driver_plate_number": driver.get("plate"),
                "type": extra["type"],
            },
            "reference_id": order["our_ref"] or None,
            "items": extra["items"],
            "currency": "IDR",
            "price": order["price"],
            "status": self._raw_status(order),
        }

    def _biteship_event(self, order, stage, raw_override=None):
        """An ``order.status`` webhook (docs "Webhook Overview", "Order Status")."""
        driver = order["driver"] or {}
        extra = order["extra"]
        return {
            "event": "order.status",
            "courier_tracking_id": extra["tracking_id"],
            "courier_waybill_id": extra["waybill_id"],
            "courier_company": extra["company"],
            "courier_type": extra["type"],
            "courier_driver_name": driver.get("name"),
            "courier_driver_phone": driver.get("phone"),
            "courier_driver_photo_url": driver.get("photo_url"),
            "courier_driver_plate_number": driver.get("plate"),
            "courier_link": self._tracking(order) or None,
            "order_id": order["courier_ref"],
            "order_price": order["price"],
            "status": raw_override or BITESHIP_RAW[stage],
        }
