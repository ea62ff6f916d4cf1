# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The GoSend-like API of the courier sandbox, under ``/gosend``.

Same paths and shapes as :mod:`..clients.gosend` documents; headers ``Client-ID`` and
``Pass-Key``. Also the GoSend webhook body and the GoSend words for each sandbox stage.
"""

import hmac
import math
import re
import time
import uuid

from .common import CANCELLABLE, SERVICE_LIMIT_KM, ApiError, haversine_km

# stage -> (lookup status text, webhook status, webhook type)
GOSEND_RAW = {
    "booked": ("Finding Driver", "confirmed", "CONFIRMED"),
    "driver_assigned": ("Enroute Pickup", "out_for_pickup", "DRIVER_FOUND"),
    "picked_up": ("Enroute Drop", "out_for_delivery", "PICKED_UP"),
    "on_hold": ("On Hold", "on_hold", "ON_HOLD"),
    "delivered": ("Completed", "delivered", "COMPLETED"),
    "cancelled": ("Cancelled", "cancelled", "CANCELLED"),
    "cancelled_by_courier": ("Cancelled", "cancelled", "CANCELLED"),
    "no_driver": ("Driver not found", "no_driver", "DRIVER_NOT_FOUND"),
    "rejected": ("Rejected", "rejected", "REJECTED"),
    "returned": ("Returned", "returned", "RETURNED"),
    "failed": ("Rejected", "rejected", "REJECTED"),
}
# Extra raw GoSend statuses accepted by advance() -> stage.
GOSEND_RAW_ALIASES = {
    "finding driver": "booked",
    "confirmed": "booked",
    "driver allocated": "driver_assigned",
    "allocated": "driver_assigned",
    "enroute pickup": "driver_assigned",
    "out_for_pickup": "driver_assigned",
    "item picked": "picked_up",
    "item picked by driver": "picked_up",
    "picked": "picked_up",
    "enroute drop": "picked_up",
    "out_for_delivery": "picked_up",
    "on hold": "on_hold",
    "completed": "delivered",
    "driver not found": "no_driver",
}


#: shipment methods: Instant, SameDay (the price answer's blocks) and InstantCar
#: (``laravel-delivery-gosend`` README: "Instant / Same Day / InstantCar")
GOSEND_METHODS = ("Instant", "SameDay", "InstantCar")
#: ``routes[0].insuranceDetails`` as ``laravel-delivery-gosend``'s README sends it: these
#: four keys, every value a string
GOSEND_INSURANCE_KEYS = ("applied", "fee", "product_description", "product_price")
#: an amount as a string: whole rupiah, or with dots between thousands ("500.000", the
#: README's sample)
_AMOUNT = re.compile(r"^\d+$|^\d{1,3}(\.\d{3})+$")


def insurance_problem(details):
    """What is wrong with an ``insuranceDetails`` (None: it is well formed)."""
    if not isinstance(details, dict):
        return "insuranceDetails must be an object"
    missing = [key for key in GOSEND_INSURANCE_KEYS if key not in details]
    if missing:
        return f"insuranceDetails: missing {', '.join(missing)}"
    not_text = [key for key in GOSEND_INSURANCE_KEYS if not isinstance(details[key], str)]
    if not_text:
        return f"insuranceDetails: {', '.join(not_text)} must be strings"
    if details["applied"] not in ("true", "false"):
        return "insuranceDetails: applied must be 'true' or 'false'"
    for key in ("fee", "product_price"):
        if not _AMOUNT.match(details[key]):
            return f"insuranceDetails: {key} must be an amount"
    if details["applied"] == "true" and (
        not details["product_description"].strip()
        or not int(details["product_price"].replace(".", ""))
    ):
        return "insuranceDetails: an insured item needs a description and a price"
    return None


def _parse_latlong(text):
    try:
        lat, lng = (float(part) for part in str(text).split(","))
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
        return None
    return lat, lng


def is_gosend_hook_status(text):
    """GoSend webhook statuses are snake case ("out_for_pickup"); lookups use words."""
    return text == text.lower() and " " not in text


def gosend_error(status, message, code="error"):
    """GoSend's refusal: the text in the ``Error-Message`` response header (public
    integrations, sources.md), the body saying no more than the status."""
    return ApiError(
        status,
        {"errors": [{"code": code}], "message": "Bad Request" if status == 400 else "Error"},
        {"Error-Message": message},
    )


class GoSendApiMixin:
    """Routes, answers and webhook events of the GoSend-like API.

    A part of :class:`~.server.CourierSandbox`: works on its state (``_lock``,
    ``_config``, ``_stats``, the order indexes).
    """

    def _gosend_auth(self, handler):
        with self._lock:
            expected_id = self._config["gosend_client_id"]
            expected_key = self._config["gosend_pass_key"]
        client_id = handler.headers.get("Client-ID") or ""
        pass_key = handler.headers.get("Pass-Key") or ""
        if not (
            hmac.compare_digest(client_id.encode(), str(expected_id).encode())
            and hmac.compare_digest(pass_key.encode(), str(expected_key).encode())
        ):
            with self._lock:
                self._stats["auth_failures"] += 1
            raise gosend_error(401, "Invalid Client-ID or Pass-Key", "unauthorized")

    def _gosend_route(self, handler, method, seg, query, body):
        if seg[:2] != ["gokilat", "v10"]:
            raise gosend_error(404, "Not found", "not_found")
        rest = seg[2:]
        if method == "GET" and rest == ["calculate", "price"]:
            return self._reply(handler, 200, self._gosend_price(query))
        if method == "POST" and rest == ["booking"]:
            return self._gosend_book(handler, body)
        if method == "GET" and len(rest) == 3 and rest[0] == "booking":
            key, ref = rest[1].lower(), rest[2]
            with self._lock:
                if key == "storeorderid":
                    orders = [o for o in self._by_ref.get(ref, ()) if o["api"] == "gosend"]
                    order = orders[-1] if orders else None
                elif key == "orderno":
                    order = self._by_courier_ref.get(ref)
                    order = order if order and order["api"] == "gosend" else None
                else:
                    raise gosend_error(404, "Not found", "not_found")
                if order is None:
                    raise gosend_error(404, "Booking not found", "not_found")
                view = self._gosend_view(order)
            return self._reply(handler, 200, view)
        if method == "PUT" and rest == ["booking", "cancel"]:
            return self._gosend_cancel(handler, body)
        raise gosend_error(404, "Not found", "not_found")

    @staticmethod
    def _gosend_block(method, km):
        if method == "InstantCar":
            price, description = (
                max(30000, int(math.ceil(km * 5000 / 500.0)) * 500),
                "Instant Car 1 - 2 jam",
            )
        elif method == "Instant":
            price, description = (
                max(15000, int(math.ceil(km * 2500 / 500.0)) * 500),
                "Instant 1 - 2 jam",
            )
        else:
            price, description = (
                max(10000, int(math.ceil(km * 1600 / 500.0)) * 500),
                "Same Day 6 - 8 jam",
            )
        serviceable = km <= SERVICE_LIMIT_KM["gosend"]
        return {
            "shipment_method": method,
            "shipment_method_description": description,
            "serviceable": serviceable,
            "active": True,
            "distance": round(km, 2),
            "price": {"total_price": price} if serviceable else None,
            "errors": []
            if serviceable
            else [
                {
                    "message": f"Distance exceeds {SERVICE_LIMIT_KM['gosend']:.0f} km",
                    "code": "distance_exceeded",
                }
            ],
        }

    def _gosend_price(self, query):
        origin = _parse_latlong(query.get("origin"))
        destination = _parse_latlong(query.get("destination"))
        if origin is None or destination is None:
            raise gosend_error(400, "origin and destination must be 'lat,lng'", "invalid_latlong")
        km = haversine_km(*origin, *destination)
        return {method: self._gosend_block(method, km) for method in ("Instant", "SameDay")}

    def _gosend_book(self, handler, body):
        routes = body.get("routes")
        if not isinstance(routes, list) or not routes or not isinstance(routes[0], dict):
            raise gosend_error(400, "routes must hold one route", "invalid_routes")
        route = routes[0]
        method = body.get("shipment_method")
        if method not in GOSEND_METHODS:
            raise gosend_error(
                400,
                "shipment_method must be Instant, SameDay or InstantCar",
                "invalid_shipment_method",
            )
        insurance = route.get("insuranceDetails")
        problem = insurance_problem(insurance) if insurance is not None else None
        if problem:
            raise gosend_error(400, problem, "invalid_insurance")
        origin = _parse_latlong(route.get("originLatLong"))
        destination = _parse_latlong(route.get("destinationLatLong"))
        missing = [
            key
            for key in (
                "originContactPhone",
                "destinationContactPhone",
                "originAddress",
                "destinationAddress",
                "item",
            )
            if not str(route.get(key) or "").strip()
        ]
        if origin is None or destination is None:
            missing.append("originLatLong/destinationLatLong")
        if missing:
            raise gosend_error(400, f"invalid or missing: {', '.join(missing)}", "validation_error")
        km = haversine_km(*origin, *destination)
        block = self._gosend_block(method, km)
        if not block["serviceable"]:
            raise gosend_error(400, block["errors"][0]["message"], "distance_exceeded")
        our_ref = route.get("storeOrderId") or body.get("storeOrderId") or ""
        order = self._new_order(
            "gosend",
            our_ref,
            method,
            {
                "name": route.get("originName") or route.get("originContactName") or "",
                "phone": route.get("originContactPhone"),
                "address": route.get("originAddress"),
                "lat": origin[0],
                "lng": origin[1],
            },
            {
                "name": route.get("destinationContactName") or route.get("destinationName") or "",
                "phone": route.get("destinationContactPhone"),
                "address": route.get("destinationAddress"),
                "lat": destination[0],
                "lng": destination[1],
            },
            route.get("item"),
            block["price"]["total_price"],
            km,
            {"insuranceDetails": insurance},
        )
        self._maybe_timeout()
        self._reply(
            handler,
            201,
            {
                "id": order["id"],
                "orderNo": order["courier_ref"],
                "bookingType": method,
                "storeOrderId": our_ref,
            },
        )

    def _gosend_view(self, order):
        driver = order["driver"] or {}
        receiver = order["receiver"] or {}
        timeline = order["timeline"]
        stage = order["stage"]
        return {
            "id": order["id"],
            "orderNo": order["courier_ref"],
            "status": self._raw_status(order),
            "bookingType": order["service_type"],
            "storeOrderId": order["our_ref"],
            "driverId": driver.get("id"),
            "driverName": driver.get("name", ""),
            "driverPhone": driver.get("phone", ""),
            "vehicleNumber": driver.get("plate", ""),
            "totalPrice": order["price"],
            "receiverName": receiver.get("name", ""),
            # the proofs as public integrations show them: pop (pickup), pod (delivery);
            # no receiver-relation field
            "proofs": {"pop": "", "pod": order["proof_photo_url"] or ""},
            "orderCreatedTime": timeline.get("create"),
            "orderDispatchTime": timeline.get("allocate"),
            "orderArrivalTime": timeline.get("pickup"),
            "orderClosedTime": order["delivered_at"]
            or timeline.get("cancel")
            or timeline.get("fail"),
            "cancelDescription": (order["cancel_reason"] or "")
            if stage in ("cancelled", "cancelled_by_courier")
            else "",
            "liveTrackingUrl": self._tracking(order),
            "totalDistanceInKms": order["distance_km"],
            "sellerAddressName": order["origin"].get("name"),
            "sellerAddressDetail": order["origin"].get("address"),
            "buyerAddressName": order["destination"].get("name"),
            "buyerAddressDetail": order["destination"].get("address"),
        }

    def _gosend_cancel(self, handler, body):
        order_no = body.get("orderNo")
        events = []
        with self._lock:
            order = self._by_courier_ref.get(order_no or "")
            if order is None or order["api"] != "gosend":
                raise gosend_error(404, "Booking not found", "not_found")
            if order["stage"] in ("cancelled", "cancelled_by_courier"):
                raise gosend_error(400, "Booking is already cancelled", "already_cancelled")
            if order["stage"] not in CANCELLABLE:
                raise gosend_error(
                    400,
                    "Booking can not be cancelled once the item is picked up",
                    "cancellation_not_allowed",
                )
            events.append(self._apply_stage(order, "cancelled"))
        self._enqueue(order, events)
        self._reply(
            handler,
            200,
            {"orderNo": order_no, "status": "Cancelled", "message": "Booking cancelled"},
        )

    def _gosend_event(self, order, stage, raw_override=None):
        _lookup, hook, type_ = GOSEND_RAW[stage]
        if raw_override and is_gosend_hook_status(raw_override):
            hook = raw_override
        driver = order["driver"] or {}
        delivered = stage == "delivered"
        receiver = order["receiver"] or {}
        # the laravel-delivery-gosend sample: booking_id = entity_id = the order number, no
        # storeOrderId; pod_url / pop_url / cancelled_by / driver_photo_url as other
        # public integrations show them (sources.md); no receiver relation
        return {
            "@type": "booking_event",
            "entity_id": order["courier_ref"],
            "type": type_,
            "event_date": int(time.time() * 1000),
            "event_id": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "partner_id": self._config["gosend_client_id"],
            "booking_id": order["courier_ref"],
            "status": hook,
            "booking_status": hook,
            "booking_type": order["service_type"].lower(),
            "driver_name": driver.get("name", ""),
            "driver_phone": driver.get("phone", ""),
            "driver_photo_url": driver.get("photo_url", ""),
            "vehicle_number": driver.get("plate", ""),
            "total_distance_in_kms": order["distance_km"],
            "price": order["price"],
            "receiver_name": receiver.get("name", "") if delivered else "",
            "pod_url": (order["proof_photo_url"] or "") if delivered else "",
            "pop_url": "",
            "cancelled_by": (order["cancel_reason"] or "")
            if stage in ("cancelled", "cancelled_by_courier")
            else "",
            "live_tracking_url": self._tracking(order),
        }
