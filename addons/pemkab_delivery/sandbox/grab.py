# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The GrabExpress-like API of the courier sandbox, under ``/grab``.

Same paths and shapes as :mod:`..clients.grab` documents; OAuth2 client-credentials
tokens (``Authorization: Bearer <token>``). Also the Grab webhook body and the Grab words
for each sandbox stage.
"""

import hmac
import math
import secrets
import time
from datetime import datetime, timedelta

from .common import (
    CANCELLABLE,
    FINAL_STAGES,
    SERVICE_LIMIT_KM,
    ApiError,
    haversine_km,
    to_iso,
    utc_now,
)

# stage -> (details status, webhook status, failedReason)
GRAB_RAW = {
    "booked": ("ALLOCATING", "ALLOCATING", None),
    "driver_assigned": ("PENDING_PICKUP", "PENDING_PICKUP", None),
    "picked_up": ("PENDING_DROP_OFF", "PENDING_DROP_OFF", None),
    "on_hold": ("IN_DELIVERY", "IN_DELIVERY", None),
    "delivered": ("COMPLETED", "COMPLETED", None),
    "cancelled": ("CANCELED", "CANCELLED", None),
    "cancelled_by_courier": ("FAILED", "FAILED", "5|Canceled by Grab Operator"),
    "no_driver": ("FAILED", "FAILED", "6|Could not find driver"),
    "rejected": ("FAILED", "FAILED", "Recipient refused the parcel"),
    "returned": ("RETURNED", "RETURNED", None),
    "failed": ("FAILED", "FAILED", "Delivery failed"),
}
GRAB_RAW_ALIASES = {
    "queueing": "booked",
    "allocating": "booked",
    "pending_pickup": "driver_assigned",
    "picking_up": "driver_assigned",
    "pending_drop_off": "picked_up",
    "in_delivery": "picked_up",
    "in_return": "picked_up",
    "completed": "delivered",
    "canceled": "cancelled",
}


def _coords(place):
    coords = (place or {}).get("coordinates") or {}
    try:
        lat, lng = float(coords["latitude"]), float(coords["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


#: Grab's docs, "Get Delivery Quotes" / "Create Delivery": vehicleType BIKE (the default),
#: CAR and others "as the agreement allows"; the sandbox's agreement has these two
#: ("Invalid vehicleType" for any other, Grab's business message)
GRAB_VEHICLE_TYPES = ("BIKE", "CAR")
#: The heaviest motorbike parcel the sandbox's agreement takes, in grams (Grab's limits
#: are "per agreement": GoSend Instant's 20 kg, the stricter reading); "Package over
#: weight limit" above it
GRAB_BIKE_MAX_GRAMS = 20000
#: "Create Delivery": schedule same day, T+1 or T+2 only (up to 48 hours ahead)
GRAB_SCHEDULE_AHEAD = timedelta(hours=48)


def grab_vehicle_type(body):
    """The body's ``vehicleType`` (BIKE when absent), or Grab's refusal."""
    vehicle = body.get("vehicleType") or "BIKE"
    if vehicle not in GRAB_VEHICLE_TYPES:
        raise grab_error(400, "Invalid vehicleType")
    if vehicle == "BIKE":
        for package in body.get("packages") or ():
            grams = ((package or {}).get("dimensions") or {}).get("weight") or 0
            if not isinstance(grams, int | float) or grams > GRAB_BIKE_MAX_GRAMS:
                raise grab_error(400, "Package over weight limit")
    return vehicle


def grab_schedule(body, now):
    """The body's ``schedule`` checked as "Create Delivery" says (RFC 3339 with an
    offset, ``pickupTimeFrom`` before ``pickupTimeTo``, from now up to 48 hours ahead),
    or None; Grab's business message otherwise."""
    schedule = body.get("schedule")
    if schedule in (None, {}):
        return None
    if not isinstance(schedule, dict):
        raise grab_error(400, "Invalid parameters: schedule")
    moments = []
    for key in ("pickupTimeFrom", "pickupTimeTo"):
        try:
            moment = datetime.fromisoformat(str(schedule.get(key) or "").replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise grab_error(400, f"Invalid parameters: schedule.{key}")
        moments.append(moment)
    start, end = moments
    if end <= start:
        raise grab_error(400, "Invalid parameters: schedule")
    if end < now or start > now + GRAB_SCHEDULE_AHEAD or end > now + GRAB_SCHEDULE_AHEAD:
        raise grab_error(400, "The time chosen is outside the service available time")
    return {"pickupTimeFrom": schedule["pickupTimeFrom"], "pickupTimeTo": schedule["pickupTimeTo"]}


def grab_error(status, message, reason="invalid_argument"):
    return ApiError(status, {"reason": reason, "message": message})


class GrabApiMixin:
    """Token endpoint, routes, answers and webhook events of the Grab-like API.

    A part of :class:`~.server.CourierSandbox`: works on its state (``_lock``,
    ``_config``, ``_stats``, the order indexes).
    """

    def _grab_token(self, handler, method, body):
        if method != "POST":
            raise grab_error(405, "use POST", "method_not_allowed")
        with self._lock:
            self._stats["token_requests"] += 1
            expected_id = str(self._config["grab_client_id"])
            expected_secret = str(self._config["grab_client_secret"])
            ttl = self._config["token_ttl_s"]
        if body.get("grant_type") != "client_credentials":
            raise ApiError(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be client_credentials",
                },
            )
        if body.get("scope") not in (None, "", "grab_express.partner_deliveries"):
            raise ApiError(400, {"error": "invalid_scope", "error_description": "unknown scope"})
        client_id = str(body.get("client_id") or "")
        client_secret = str(body.get("client_secret") or "")
        if not (
            hmac.compare_digest(client_id.encode(), expected_id.encode())
            and hmac.compare_digest(client_secret.encode(), expected_secret.encode())
        ):
            with self._lock:
                self._stats["auth_failures"] += 1
            raise ApiError(
                401,
                {"error": "invalid_client", "error_description": "client authentication failed"},
            )
        token = "sbx." + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.monotonic() + ttl
            if len(self._tokens) > 10000:
                now = time.monotonic()
                self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
        self._reply(
            handler, 200, {"access_token": token, "token_type": "Bearer", "expires_in": ttl}
        )

    def _grab_auth(self, handler):
        header = handler.headers.get("Authorization") or ""
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        with self._lock:
            expiry = self._tokens.get(token)
            valid = expiry is not None and time.monotonic() < expiry
            if not valid:
                self._stats["auth_failures"] += 1
        if not valid:
            raise grab_error(401, "invalid or expired access token", "unauthorized")

    def _grab_route(self, handler, method, seg, body):
        if seg[:1] != ["v1"]:
            raise grab_error(404, "not found", "not_found")
        rest = seg[1:]
        if method == "POST" and rest == ["deliveries", "quotes"]:
            return self._reply(handler, 200, self._grab_quotes(body))
        if method == "POST" and rest == ["deliveries"]:
            return self._grab_create(handler, body)
        if len(rest) == 2 and rest[0] == "deliveries" and method in ("GET", "DELETE"):
            with self._lock:
                order = self._by_courier_ref.get(rest[1])
                if order is None or order["api"] != "grab":
                    raise grab_error(404, "delivery not found", "not_found")
                if method == "GET":
                    view = self._grab_view(order)
                else:
                    view = None
                    events = [self._grab_cancel(order)]
            if view is not None:
                return self._reply(handler, 200, view)
            self._enqueue(order, events)
            return self._reply(handler, 204)
        if len(rest) == 3 and rest[:2] == ["merchant", "deliveries"]:
            # Grab documents only the DELETE here: no GET by merchantOrderID
            if method != "DELETE":
                raise grab_error(405, "method not allowed", "method_not_allowed")
            ref = rest[2]
            with self._lock:
                orders = [o for o in self._by_ref.get(ref, ()) if o["api"] == "grab"]
                if not orders:
                    raise grab_error(404, "no delivery for this merchantOrderID", "not_found")
                live = [o for o in orders if o["stage"] not in FINAL_STAGES]
                if any(o["stage"] not in CANCELLABLE for o in live) or not live:
                    raise grab_error(409, "deliveries can not be cancelled", "conflict")
                cancelled = [(o, [self._grab_cancel(o)]) for o in live]
            for order, events in cancelled:
                self._enqueue(order, events)
            return self._reply(handler, 204)
        raise grab_error(404, "not found", "not_found")

    def _grab_cancel(self, order):
        """Cancel a Grab order (caller holds the lock) or raise 409."""
        if order["stage"] in ("cancelled", "cancelled_by_courier"):
            raise grab_error(409, "delivery is already cancelled", "conflict")
        if order["stage"] not in CANCELLABLE:
            raise grab_error(409, "delivery can not be cancelled after pickup", "conflict")
        return self._apply_stage(order, "cancelled")

    def _grab_places(self, body):
        origin, destination = _coords(body.get("origin")), _coords(body.get("destination"))
        if origin is None or destination is None:
            raise grab_error(400, "origin and destination need coordinates")
        packages = body.get("packages")
        if not isinstance(packages, list) or not packages:
            raise grab_error(400, "packages is required")
        km = haversine_km(*origin, *destination)
        if km > SERVICE_LIMIT_KM["grab"]:
            # Grab's docs: 35 km by default; the business message "Distance SLA Exceeded"
            raise grab_error(400, "Distance SLA Exceeded")
        return origin, destination, km

    def _grab_quote(self, service_type, km):
        per_km, minimum, minutes = (
            (2600, 16000, 60) if service_type == "INSTANT" else (1700, 11000, 360)
        )
        now = utc_now()
        return {
            "service": {
                "id": 0,
                "type": service_type,
                "name": f"GrabExpress {service_type.replace('_', ' ').title()}",
            },
            "currency": {"code": "IDR", "symbol": "Rp", "exponent": 0},
            "amount": float(max(minimum, int(math.ceil(km * per_km / 500.0)) * 500)),
            "estimatedTimeline": {
                "pickup": to_iso(now + timedelta(minutes=15)),
                "dropoff": to_iso(now + timedelta(minutes=minutes)),
            },
            "distance": int(km * 1000),
        }

    def _grab_quotes(self, body):
        _origin, _destination, km = self._grab_places(body)
        service_type = body.get("serviceType")
        if service_type not in (None, "", "INSTANT", "SAME_DAY"):
            raise grab_error(400, "Invalid ServiceType")
        grab_vehicle_type(body)
        types = [service_type] if service_type else ["INSTANT", "SAME_DAY"]
        return {
            "quotes": [self._grab_quote(t, km) for t in types],
            "origin": body.get("origin"),
            "destination": body.get("destination"),
            "packages": body.get("packages"),
        }

    def _grab_create(self, handler, body):
        origin, destination, km = self._grab_places(body)
        our_ref = body.get("merchantOrderID")
        service_type = body.get("serviceType")
        if not our_ref:
            raise grab_error(400, "merchantOrderID is required")
        if service_type not in ("INSTANT", "SAME_DAY"):
            raise grab_error(400, "Invalid ServiceType")
        if body.get("paymentMethod", "CASHLESS") not in ("CASH", "CASHLESS"):
            raise grab_error(400, "Invalid payment method")
        vehicle = grab_vehicle_type(body)
        schedule = grab_schedule(body, utc_now())
        sender, recipient = body.get("sender") or {}, body.get("recipient") or {}
        for role, person in (("sender", sender), ("recipient", recipient)):
            if not person.get("firstName") or not (person.get("phone") or person.get("email")):
                raise grab_error(400, f"{role} needs firstName and phone or email")
            # "Create Delivery": smsEnabled is required (a boolean); the recipient's sends
            # an SMS on pickup, the sender's is not supported
            if not isinstance(person.get("smsEnabled"), bool):
                raise grab_error(400, f"Invalid parameters: {role}.smsEnabled")
        if sender["smsEnabled"]:
            raise grab_error(400, "Invalid parameters: sender SMS is not supported")
        quote = self._grab_quote(service_type, km)
        order = self._new_order(
            "grab",
            our_ref,
            service_type,
            {
                "name": sender.get("firstName"),
                "phone": sender.get("phone"),
                "address": (body.get("origin") or {}).get("address", ""),
                "lat": origin[0],
                "lng": origin[1],
            },
            {
                "name": recipient.get("firstName"),
                "phone": recipient.get("phone"),
                "address": (body.get("destination") or {}).get("address", ""),
                "lat": destination[0],
                "lng": destination[1],
            },
            (body.get("packages") or [{}])[0].get("description"),
            quote["amount"],
            km,
            {
                "quote": quote,
                "sender": sender,
                "recipient": recipient,
                "paymentMethod": body.get("paymentMethod", "CASHLESS"),
                "vehicleType": vehicle,
                "schedule": schedule,
            },
        )
        self._maybe_timeout()
        with self._lock:
            view = self._grab_view(order)
        self._reply(handler, 200, view)

    def _grab_view(self, order):
        # Grab's "Get Delivery Details": the recipient as booked, no proof link (the
        # receiver and dropoffProofURL come only in the webhook)
        driver = order["driver"]
        extra = order["extra"]
        recipient = dict(extra.get("recipient") or {})
        failed = order["failed_reason"] if self._raw_status(order) == "FAILED" else None
        return {
            "deliveryID": order["courier_ref"],
            "merchantOrderID": order["our_ref"],
            "paymentMethod": extra.get("paymentMethod", "CASHLESS"),
            "payer": "SENDER",
            "quote": extra.get("quote"),
            "sender": extra.get("sender"),
            "recipient": recipient,
            "status": self._raw_status(order),
            "trackingURL": self._tracking(order),
            "courier": {
                "name": driver["name"],
                "phone": driver["phone"],
                "pictureURL": driver["photo_url"],
                "rating": 4.9,
                # "Get Delivery Details": courier.coordinates, where the driver is now
                "coordinates": dict(
                    zip(("latitude", "longitude"), _driver_position(order), strict=True)
                ),
                "vehicle": {
                    "licensePlate": driver["plate"],
                    "model": driver["model"],
                    "physicalVehicleType": extra.get("vehicleType") or "BIKE",
                },
            }
            if driver
            else None,
            "timeline": dict(order["timeline"]),
            "schedule": extra.get("schedule"),
            "cashOnDelivery": None,
            "invoiceNo": "",
            "pickupPin": "",
            "advanceInfo": {"failedReason": failed} if failed else None,
        }

    def _grab_event(self, order, stage, raw_override=None):
        _details, hook, failed_reason = GRAB_RAW[stage]
        if raw_override:
            hook = str(raw_override).upper()
        driver = order["driver"]
        delivered = stage == "delivered"
        receiver = order["receiver"] or {}
        dest = order["destination"]
        return {
            "deliveryID": order["courier_ref"],
            "merchantOrderID": order["our_ref"],
            "timestamp": int(time.time()),
            "status": hook,
            "trackURL": self._tracking(order),
            "pickupPin": "",
            "failedReason": (order["failed_reason"] or failed_reason or "")
            if hook == "FAILED"
            else "",
            "sender": {
                "name": order["origin"].get("name", ""),
                "address": order["origin"].get("address", ""),
                "relationship": "",
            },
            "recipient": {
                "name": receiver.get("name", "") if delivered else dest.get("name", ""),
                "address": dest.get("address", ""),
                "relationship": receiver.get("relationship", "") if delivered else "",
            },
            "driver": {
                "name": driver["name"],
                "phone": driver["phone"],
                "licensePlate": driver["plate"],
                "photoURL": driver["photo_url"],
                # "Tracking Webhook": driver.currentLat/currentLng
                "currentLat": _driver_position(order)[0],
                "currentLng": _driver_position(order)[1],
            }
            if driver
            else None,
            "distance": int(order["distance_km"] * 1000),
            "pickupProofURL": "",
            "dropoffProofURL": (order["proof_photo_url"] or "") if delivered else "",
            "cancelProofURL": "",
        }


def _driver_position(order):
    """Where the sandbox's driver is: at the pickup point until the parcel is on board,
    half-way while it rides, at the recipient's once there."""
    origin, dest = order["origin"], order["destination"]
    stage = order["stage"]
    if stage in ("booked", "driver_assigned"):
        return origin.get("lat"), origin.get("lng")
    if stage == "picked_up" and None not in (origin.get("lat"), dest.get("lat")):
        return (
            round((origin["lat"] + dest["lat"]) / 2, 6),
            round((origin["lng"] + dest["lng"]) / 2, 6),
        )
    return dest.get("lat"), dest.get("lng")
