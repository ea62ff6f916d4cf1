# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A local courier sandbox speaking GoSend-like and GrabExpress-like APIs (no Odoo import).

Stdlib only (``http.server``, ``threading``, ``json``, ``random``, ``hmac``) plus
``requests`` to post webhooks. Run it::

    python addons/pemkab_delivery/sandbox/courier_sandbox.py --port 8070 \\
        --webhook-url-gosend http://127.0.0.1:8069/pemkab_delivery/webhook/<provider id> \\
        --webhook-url-grab http://127.0.0.1:8069/pemkab_delivery/webhook/<provider id> \\
        --auto-advance --advance-interval 5 --seed 42

or use it from Python (tests)::

    with CourierSandbox(seed=1) as sandbox:           # serves on a free 127.0.0.1 port
        GoSendClient(sandbox.url + "/gosend", {...})
        sandbox.advance("REF-1", "delivered")

It listens on loopback only by default. Nothing here is authenticated on the control
side (``/_sandbox/...``): never expose it.

APIs (same paths as :mod:`..clients.gosend` and :mod:`..clients.grab` document)
------------------------------------------------------------------------------
GoSend-like under ``/gosend`` (headers ``Client-ID`` + ``Pass-Key``)::

    GET  /gosend/gokilat/v10/calculate/price?origin=lat,lng&destination=lat,lng&paymentType=3
    POST /gosend/gokilat/v10/booking                          -> 201 {"id","orderNo",...}
    GET  /gosend/gokilat/v10/booking/storeOrderId/<our_ref>   -> latest booking of the ref
    GET  /gosend/gokilat/v10/booking/orderno/<orderNo>
    PUT  /gosend/gokilat/v10/booking/cancel  {"orderNo"}      -> 200, or 400 after pickup

Grab-like under ``/grab`` (``Authorization: Bearer <token>``)::

    POST   /grab/grabid/v1/oauth2/token                       -> {"access_token",...}
    POST   /grab/v1/deliveries/quotes
    POST   /grab/v1/deliveries
    GET    /grab/v1/deliveries/<deliveryID>
    DELETE /grab/v1/deliveries/<deliveryID>                   -> 204, or 409 after pickup
    GET    /grab/v1/merchant/deliveries/<merchantOrderID>     -> {"merchantOrderID","deliveries"}
    DELETE /grab/v1/merchant/deliveries/<merchantOrderID>     -> 204 / 409 / 404

Booking is NOT idempotent (like the real APIs): two bookings with the same reference
create two orders, and ``count(ref)`` becomes 2.

Control (JSON, no auth)::

    GET  /_sandbox/health
    GET  /_sandbox/orders                 {"orders":[...], "counts":{ref:n}, "stats":{...}}
    GET  /_sandbox/orders/count?ref=REF   {"ref": REF, "count": n}   (&api=gosend|grab)
    GET  /_sandbox/orders/<ref>           {"ref", "orders":[...]}
    GET  /_sandbox/stats                  counters (token_requests, requests, webhooks...)
    GET  /_sandbox/config                 current behaviour
    POST /_sandbox/config                 merge {"error_rate": 0.5, ...}; returns config
    POST /_sandbox/reset                  forget orders, tokens, counters; restore the
                                          start-up config unless {"keep_config": true}
    POST /_sandbox/tokens/revoke          invalidate every Grab access token
    POST /_sandbox/orders/<ref>/advance   {"status": "driver_assigned"|"picked_up"|
                                          "delivered"|"no_driver"|"rejected"|"returned"|
                                          "cancelled"|"cancelled_by_courier"|"on_hold"|
                                          "failed"|<raw courier status>, "webhook": true,
                                          "api": optional, "courier_ref": optional}
                                          -> {"ref","api","courier_ref","status",
                                              "courier_status","events":[...],
                                              "webhooks":[{"event_id","status",
                                              "status_code","error","payload",...}],
                                              "payload": last payload sent,
                                              "webhook_status": its HTTP status}
    POST /_sandbox/orders/<ref>/webhook   {"event_index": i} or {"event_id": id} resends a
                                          stored event as is; {"status": s} sends a fresh
                                          event for status s without moving the order.
    GET  /track/<courier_ref>             a tiny tracking page (tracking URLs point here)
    GET  /proof/<courier_ref>.png         a 1x1 proof-of-delivery picture

Behaviour (constructor keyword arguments, CLI flags, ``POST /_sandbox/config``)
-----------------------------------------------------------------------------
``latency_ms``, ``error_rate`` (share of API calls answered 503, nothing created; the
token endpoint is spared), ``timeout_rate`` (share of booking calls that create the order
then wait ``timeout_sleep_s`` before answering), ``no_driver_rate`` (auto-advance only),
``duplicate_webhook_rate`` (post an event twice), ``out_of_order_rate`` (several new
events are posted newest first; a single one is followed by the previous event again),
``rate_limit_per_s`` (number, or ``{"gosend": n, "grab": m}``; 0 = unlimited; answer 429
beyond it), ``seed`` (``random.Random(seed)``), ``auto_advance``/``advance_interval``,
``webhook_url_gosend``/``webhook_url_grab``, ``webhook_secret_gosend``/
``webhook_secret_grab``, ``grab_webhook_auth`` (``token`` = Grab's documented static
``Authorization`` header, ``hmac`` = ``X-Grab-Signature`` hex HMAC-SHA256 of the body,
``both``), ``webhook_on_create`` (post the "booked" event after each booking),
credentials ``gosend_client_id``/``gosend_pass_key``/``grab_client_id``/
``grab_client_secret`` and ``token_ttl_s``.

Webhooks
--------
GoSend (``Authorization: <webhook_secret_gosend>``)::

    {"entity_id", "type", "event_date" (epoch ms), "event_id", "partner_id", "booking_id",
     "status", "booking_type", "store_order_id", "driver_name", "driver_phone",
     "driver_photo_url", "vehicle_number", "total_distance_in_kms", "price",
     "receiver_name", "receiver_relation", "proof_of_delivery_url",
     "cancellation_reason", "live_tracking_url"}

GrabExpress (``Authorization: <webhook_secret_grab>`` and/or ``X-Grab-Signature``)::

    {"deliveryID", "merchantOrderID", "timestamp" (epoch s), "status", "trackURL",
     "pickupPin", "failedReason", "sender": {"name","address","relationship"},
     "recipient": {"name","address","relationship"},
     "driver": {"name","phone","licensePlate","photoURL","currentLat","currentLng"},
     "distance", "pickupProofURL", "dropoffProofURL", "cancelProofURL"}

Grab sends no event id: the clients derive one from (deliveryID, status, timestamp), so a
duplicate carries the same id. Events are stored per order and keep their payload, so a
resend is byte-identical.
"""

import argparse
import collections
import copy
import hashlib
import hmac
import json
import logging
import math
import queue
import random
import secrets
import signal
import struct
import sys
import threading
import time
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import requests

__all__ = ["DEFAULT_CONFIG", "CourierSandbox", "main"]

_logger = logging.getLogger(__name__)

APIS = ("gosend", "grab")

DEFAULT_CONFIG = {
    "latency_ms": 0,
    "error_rate": 0.0,
    "timeout_rate": 0.0,
    "timeout_sleep_s": 3.0,
    "no_driver_rate": 0.0,
    "duplicate_webhook_rate": 0.0,
    "out_of_order_rate": 0.0,
    "rate_limit_per_s": {"gosend": 0, "grab": 0},
    "seed": None,
    "auto_advance": False,
    "advance_interval": 5.0,
    "webhook_url_gosend": None,
    "webhook_url_grab": None,
    "webhook_secret_gosend": "sandbox-webhook-gosend",
    "webhook_secret_grab": "sandbox-webhook-grab",
    "grab_webhook_auth": "token",
    "webhook_on_create": True,
    "webhook_timeout_s": 5.0,
    "gosend_client_id": "sandbox-client",
    "gosend_pass_key": "sandbox-pass",
    "grab_client_id": "sandbox-client",
    "grab_client_secret": "sandbox-secret",
    "token_ttl_s": 3600.0,
    "max_orders": 10000,
}

_RATES = (
    "error_rate",
    "timeout_rate",
    "no_driver_rate",
    "duplicate_webhook_rate",
    "out_of_order_rate",
)

# Sandbox stages. The forward chain is filled in when advancing several steps at once.
CHAIN = ("booked", "driver_assigned", "picked_up", "delivered")
STAGE_RANK = {"booked": 0, "driver_assigned": 1, "picked_up": 2, "on_hold": 2, "delivered": 3}
FINAL_STAGES = frozenset(
    {
        "delivered",
        "cancelled",
        "cancelled_by_courier",
        "no_driver",
        "rejected",
        "returned",
        "failed",
    }
)
STAGES = tuple(STAGE_RANK) + tuple(sorted(FINAL_STAGES - {"delivered"}))
CANCELLABLE = frozenset({"booked", "driver_assigned"})

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

DRIVERS = (
    ("Agus Santoso", "Honda Beat"),
    ("Budi Hartono", "Yamaha NMAX"),
    ("Dewi Lestari", "Honda Vario"),
    ("Eko Prasetyo", "Yamaha Mio"),
    ("Fitri Handayani", "Honda Scoopy"),
    ("Hadi Wijaya", "Suzuki Nex"),
    ("Joko Susilo", "Honda Supra"),
    ("Slamet Riyadi", "Yamaha Aerox"),
)
RELATIONS = ("self", "self", "family", "neighbour", "village officer")
SERVICE_LIMIT_KM = 40.0
MAX_BODY = 1024 * 1024


def _png_1x1():
    def chunk(kind, data):
        raw = kind + data
        return struct.pack(">I", len(data)) + raw + struct.pack(">I", zlib.crc32(raw))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x2e\x8b\x57")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PROOF_PNG = _png_1x1()


def _now():
    return datetime.now(tz=timezone.utc)


def _iso(moment=None):
    return (moment or _now()).replace(microsecond=0).isoformat()


def _haversine_km(a, b):
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _parse_latlong(text):
    try:
        lat, lng = (float(part) for part in str(text).split(","))
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
        return None
    return lat, lng


def _coords(place):
    coords = (place or {}).get("coordinates") or {}
    try:
        lat, lng = float(coords["latitude"]), float(coords["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def _is_gosend_hook_status(text):
    """GoSend webhook statuses are snake case ("out_for_pickup"); lookups use words."""
    return text == text.lower() and " " not in text


class _ApiError(Exception):
    def __init__(self, status, payload, headers=None):
        super().__init__(status)
        self.status = status
        self.payload = payload
        self.headers = headers or {}


def _gosend_error(status, message, code="error"):
    return _ApiError(status, {"errors": [{"message": message, "code": code}]})


def _grab_error(status, message, reason="invalid_argument"):
    return _ApiError(status, {"reason": reason, "message": message})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # clients that timed out and left: expected in timeout tests
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_version = "CourierSandbox/1.0"
    timeout = 15  # seconds to read a request: a stuck client never pins a thread

    def do_GET(self):
        self.server.sandbox._handle(self, "GET")

    def do_POST(self):
        self.server.sandbox._handle(self, "POST")

    def do_PUT(self):
        self.server.sandbox._handle(self, "PUT")

    def do_DELETE(self):
        self.server.sandbox._handle(self, "DELETE")

    def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
        if self.server.sandbox.verbose:
            return super().log_message(format, *args)
        return None


class CourierSandbox:
    """In-memory GoSend/Grab look-alike with deterministic controls.

    :param host: interface to bind (loopback by default).
    :param port: TCP port; 0 picks a free one (see :attr:`url` after :meth:`start`).
    :param verbose: log every request to stderr.
    :param config: any key of :data:`DEFAULT_CONFIG`.
    """

    def __init__(self, host="127.0.0.1", port=0, verbose=False, **config):
        self.host = host
        self.port = port
        self.verbose = verbose
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._server = None
        self._threads = []
        self._webhook_queue = queue.Queue(maxsize=1000)
        self._initial_config = self._merged(copy.deepcopy(DEFAULT_CONFIG), config)
        self._config = copy.deepcopy(self._initial_config)
        self._rng = random.Random(self._config["seed"])
        self._http = requests.Session()
        self._http.trust_env = False
        self._clear_state()

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def url(self):
        """``http://host:port`` once started, else None."""
        if self._server is None:
            return None
        host = self.host if self.host not in ("0.0.0.0", "") else "127.0.0.1"
        return f"http://{host}:{self.port}"

    def start(self):
        """Serve in background threads; returns self."""
        if self._server is not None:
            return self
        self._stop.clear()
        self._server = _Server((self.host, self.port), _Handler)
        self._server.sandbox = self
        self.port = self._server.server_address[1]
        for target, name in (
            (self._server.serve_forever, "http"),
            (self._webhook_worker, "webhooks"),
            (self._auto_advance_loop, "auto-advance"),
        ):
            kwargs = {"poll_interval": 0.1} if name == "http" else {}
            thread = threading.Thread(
                target=target, kwargs=kwargs, daemon=True, name=f"courier-sandbox-{name}"
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self):
        """Stop serving and join the background threads (bounded waits)."""
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- configuration & state ---------------------------------------------------------

    @staticmethod
    def _merged(base, changes):
        unknown = set(changes) - set(DEFAULT_CONFIG)
        if unknown:
            raise ValueError(f"unknown sandbox setting(s): {', '.join(sorted(unknown))}")
        for key, value in changes.items():
            if key == "rate_limit_per_s":
                current = dict(base["rate_limit_per_s"])
                if isinstance(value, dict):
                    bad = set(value) - set(APIS)
                    if bad:
                        raise ValueError(f"rate_limit_per_s: unknown API(s) {sorted(bad)}")
                    current.update({k: float(v or 0) for k, v in value.items()})
                else:
                    current = {api: float(value or 0) for api in APIS}
                value = current
            elif key in _RATES:
                value = float(value or 0)
                if not 0 <= value <= 1:
                    raise ValueError(f"{key} must be between 0 and 1")
            elif key == "grab_webhook_auth" and value not in ("token", "hmac", "both"):
                raise ValueError("grab_webhook_auth must be token, hmac or both")
            elif key in (
                "latency_ms",
                "timeout_sleep_s",
                "advance_interval",
                "webhook_timeout_s",
                "token_ttl_s",
            ):
                value = float(value or 0)
                if value < 0:
                    raise ValueError(f"{key} must not be negative")
            base[key] = value
        return base

    def configure(self, **changes):
        """Merge ``changes`` into the running behaviour; returns the new config."""
        with self._lock:
            self._config = self._merged(copy.deepcopy(self._config), changes)
            if "seed" in changes:
                self._rng = random.Random(changes["seed"])
            return copy.deepcopy(self._config)

    @property
    def config(self):
        with self._lock:
            return copy.deepcopy(self._config)

    def _clear_state(self):
        self._orders = []
        self._by_ref = collections.defaultdict(list)  # our_ref -> [orders], oldest first
        self._by_courier_ref = {}
        self._tokens = {}
        self._seq = 0
        self._windows = {api: collections.deque() for api in APIS}
        self._stats = {
            "requests": {api: 0 for api in APIS},
            "token_requests": 0,
            "bookings": {api: 0 for api in APIS},
            "injected_errors": 0,
            "injected_timeouts": 0,
            "rate_limited": 0,
            "auth_failures": 0,
            "webhooks_sent": 0,
            "webhooks_failed": 0,
            "webhooks_dropped": 0,
        }

    def reset(self, keep_config=False):
        """Forget orders, tokens and counters; restore the start-up config (and seed)."""
        with self._lock:
            self._clear_state()
            if not keep_config:
                self._config = copy.deepcopy(self._initial_config)
                self._rng = random.Random(self._config["seed"])
        while True:
            try:
                self._webhook_queue.get_nowait()
            except queue.Empty:
                break

    def revoke_tokens(self):
        """Invalidate every Grab access token (the next API call gets 401)."""
        with self._lock:
            self._tokens.clear()

    def stats(self):
        with self._lock:
            return copy.deepcopy(self._stats)

    def count(self, ref, api=None):
        """How many courier orders were created for our reference ``ref``."""
        with self._lock:
            return sum(1 for o in self._by_ref.get(ref, ()) if api in (None, o["api"]))

    def orders(self, ref=None):
        """Snapshots of the orders (all, or those of ``ref``), oldest first."""
        with self._lock:
            source = self._by_ref.get(ref, []) if ref is not None else self._orders
            return [self._summary(order) for order in source]

    def counts(self):
        with self._lock:
            return {ref: len(orders) for ref, orders in self._by_ref.items()}

    # -- randomness --------------------------------------------------------------------

    def _chance(self, key):
        with self._lock:
            rate = self._config[key]
            return rate > 0 and self._rng.random() < rate

    # -- orders ------------------------------------------------------------------------

    def _summary(self, order):
        return {
            "api": order["api"],
            "our_ref": order["our_ref"],
            "courier_ref": order["courier_ref"],
            "stage": order["stage"],
            "courier_status": self._raw_status(order),
            "service_type": order["service_type"],
            "price": order["price"],
            "distance_km": order["distance_km"],
            "created_at": order["created_at"],
            "updated_at": order["updated_at"],
            "driver": copy.deepcopy(order["driver"]),
            # what the courier was told: lets tests prove nothing sensitive was sent
            "origin": copy.deepcopy(order["origin"]),
            "destination": copy.deepcopy(order["destination"]),
            "item": copy.deepcopy(order["item"]),
            "events": [
                {"event_id": e["event_id"], "stage": e["stage"], "status": e["status"]}
                for e in order["events"]
            ],
        }

    def _find(self, ref, api=None, courier_ref=None):
        with self._lock:
            if courier_ref:
                order = self._by_courier_ref.get(courier_ref)
                if order is None or (ref and order["our_ref"] != ref):
                    raise KeyError(courier_ref)
                return order
            candidates = [o for o in self._by_ref.get(ref, ()) if api in (None, o["api"])]
            if not candidates:
                raise KeyError(ref)
            return candidates[-1]

    def _new_order(
        self, api, our_ref, service_type, origin, destination, item, price, distance_km, extra
    ):
        with self._lock:
            self._seq += 1
            if api == "gosend":
                numeric_id = 170000 + self._seq
                courier_ref = f"GK-11-{numeric_id}"
            else:
                numeric_id = self._seq
                suffix = "".join(
                    self._rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16)
                )
                courier_ref = f"IN-2-{suffix}"
            now = _iso()
            order = {
                "api": api,
                "id": numeric_id,
                "courier_ref": courier_ref,
                "our_ref": our_ref,
                "service_type": service_type,
                "stage": "booked",
                "raw_override": None,
                "created_at": now,
                "updated_at": now,
                "timeline": {"create": now},
                "origin": origin,
                "destination": destination,
                "item": item,
                "price": price,
                "distance_km": round(distance_km, 2),
                "driver": None,
                "receiver": None,
                "proof_photo_url": None,
                "delivered_at": None,
                "cancel_reason": None,
                "failed_reason": None,
                "events": [],
                "next_step_at": time.monotonic() + self._config["advance_interval"],
                "extra": extra,
            }
            self._orders.append(order)
            self._by_ref[our_ref].append(order)
            self._by_courier_ref[courier_ref] = order
            self._stats["bookings"][api] += 1
            if len(self._orders) > self._config["max_orders"]:
                old = self._orders.pop(0)
                self._by_courier_ref.pop(old["courier_ref"], None)
                self._by_ref[old["our_ref"]].remove(old)
            event = self._make_event(order, "booked")
            order["events"].append(event)
        if self._config["webhook_on_create"]:
            self._enqueue(order, [event])
        return order

    def _raw_status(self, order, kind="lookup"):
        stage = order["stage"]
        if order["api"] == "gosend":
            lookup, hook, _type = GOSEND_RAW[stage]
            override = order["raw_override"]
            if override and _is_gosend_hook_status(override) == (kind != "lookup"):
                return override
            return lookup if kind == "lookup" else hook
        details, hook, _reason = GRAB_RAW[stage]
        if order["raw_override"]:
            return order["raw_override"]
        return details if kind == "lookup" else hook

    def _resolve_stage(self, api, status):
        """``(stage, raw_override)`` for a stage name or a raw courier status."""
        if status in STAGE_RANK or status in FINAL_STAGES:
            return status, None
        text = str(status or "").strip()
        if api == "gosend":
            key = text.lower()
            for stage, (lookup, hook, type_) in GOSEND_RAW.items():
                if key in (lookup.lower(), hook, type_.lower()):
                    return stage, None
            if key in GOSEND_RAW_ALIASES:
                return GOSEND_RAW_ALIASES[key], text
        else:
            key = text.lower()
            if key in GRAB_RAW_ALIASES:
                return GRAB_RAW_ALIASES[key], text.upper()
            for stage, (details, hook, _reason) in GRAB_RAW.items():
                if key in (details.lower(), hook.lower()):
                    return stage, None
        raise ValueError(f"unknown status {status!r} for {api}")

    def _assign_driver(self, order):
        if order["driver"] is not None:
            return
        name, model = self._rng.choice(DRIVERS)
        digits = "".join(self._rng.choice("0123456789") for _ in range(8))
        plate = (
            f"P {self._rng.randint(1000, 9999)} "
            f"{self._rng.choice('ABCDEFGHKLMNRSTUVWXYZ')}{self._rng.choice('ABCEGHKNUVZ')}"
        )
        order["driver"] = {
            "id": self._rng.randint(100000, 999999),
            "name": name,
            "phone": f"62812{digits}",
            "plate": plate,
            "model": model,
            "photo_url": f"{self.url}/proof/driver-{order['courier_ref']}.png",
        }

    def _apply_stage(self, order, stage, raw_override=None, reason=None):
        """Move ``order`` to ``stage`` (caller holds the lock); returns the new event."""
        now = _iso()
        order["stage"] = stage
        order["raw_override"] = raw_override
        order["updated_at"] = now
        order["next_step_at"] = time.monotonic() + self._config["advance_interval"]
        timeline = order["timeline"]
        if stage in ("driver_assigned", "picked_up", "on_hold", "delivered"):
            self._assign_driver(order)
            timeline.setdefault("allocate", now)
        if stage in ("picked_up", "on_hold", "delivered"):
            timeline.setdefault("pickup", now)
        if stage == "delivered":
            timeline["dropoff"] = timeline["completed"] = now
            order["delivered_at"] = now
            order["receiver"] = {
                "name": order["destination"].get("name") or "Penerima",
                "relationship": self._rng.choice(RELATIONS),
            }
            order["proof_photo_url"] = f"{self.url}/proof/{order['courier_ref']}.png"
        elif stage in ("cancelled", "cancelled_by_courier"):
            timeline["cancel"] = now
            order["cancel_reason"] = reason or (
                "Cancelled by merchant" if stage == "cancelled" else "Cancelled by courier CS"
            )
        elif stage == "returned":
            timeline["return"] = now
        elif stage in FINAL_STAGES:
            timeline["fail"] = now
            if order["api"] == "grab":
                order["failed_reason"] = reason or GRAB_RAW[stage][2]
            else:
                order["failed_reason"] = reason
        event = self._make_event(order, stage, raw_override)
        order["events"].append(event)
        return event

    def _path_to(self, order, stage):
        current = order["stage"]
        if stage in CHAIN and current in CHAIN and CHAIN.index(stage) > CHAIN.index(current):
            return list(CHAIN[CHAIN.index(current) + 1 : CHAIN.index(stage) + 1])
        if stage in ("delivered", "on_hold") and current == "on_hold":
            return [stage]
        if stage == "on_hold" and current in ("booked", "driver_assigned"):
            return list(CHAIN[CHAIN.index(current) + 1 : CHAIN.index("picked_up") + 1]) + [
                "on_hold"
            ]
        return [stage]

    # -- public controls ---------------------------------------------------------------

    def advance(self, ref, status, webhook=True, api=None, courier_ref=None, reason=None):
        """Move the latest order of ``ref`` to ``status`` (a stage or a raw courier
        status), filling in skipped forward steps, and post the webhook(s) when
        ``webhook``. Returns what was sent (see the module docstring)."""
        with self._lock:
            order = self._find(ref, api, courier_ref)
            if order["stage"] in FINAL_STAGES:
                raise ValueError(f"order {order['courier_ref']} is final ({order['stage']})")
            stage, raw_override = self._resolve_stage(order["api"], status)
            events = []
            path = self._path_to(order, stage)
            for step in path:
                override = raw_override if step == path[-1] else None
                events.append(self._apply_stage(order, step, override, reason))
        results = self._dispatch(order, events) if webhook else []
        return self._advance_result(order, events, results)

    def send_webhook(
        self, ref, status=None, event_index=None, event_id=None, api=None, courier_ref=None
    ):
        """(Re)send one event of the order of ``ref`` without moving it: a stored event
        (``event_index`` or ``event_id``, byte-identical) or a fresh one for ``status``."""
        with self._lock:
            order = self._find(ref, api, courier_ref)
            if event_id is not None:
                matches = [e for e in order["events"] if e["event_id"] == event_id]
                if not matches:
                    raise KeyError(event_id)
                event = matches[0]
            elif event_index is not None:
                event = order["events"][int(event_index)]
            elif status is not None:
                stage, raw_override = self._resolve_stage(order["api"], status)
                event = self._make_event(order, stage, raw_override=raw_override)
            else:
                event = order["events"][-1]
        results = [self._post_event(order["api"], event)]
        return self._advance_result(order, [event], results)

    def _advance_result(self, order, events, results):
        last = next((r for r in reversed(results) if "status_code" in r), None)
        return {
            "ref": order["our_ref"],
            "api": order["api"],
            "courier_ref": order["courier_ref"],
            "status": order["stage"],
            "courier_status": self._raw_status(order),
            "events": [
                {
                    "event_id": e["event_id"],
                    "stage": e["stage"],
                    "status": e["status"],
                    "payload": e["payload"],
                }
                for e in events
            ],
            "webhooks": results,
            "payload": last["payload"] if last else (events[-1]["payload"] if events else None),
            "webhook_status": last["status_code"] if last else None,
        }

    # -- events & webhooks -------------------------------------------------------------

    def _make_event(self, order, stage, raw_override=None):
        """Build (not send) the webhook event of ``order`` at ``stage``."""
        builder = self._gosend_event if order["api"] == "gosend" else self._grab_event
        payload = builder(order, stage, raw_override)
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if order["api"] == "gosend":
            event_id = payload["event_id"]
        else:
            event_id = hashlib.sha256(
                f"{payload['deliveryID']}|{payload['status']}|{payload['timestamp']}".encode()
            ).hexdigest()[:32]
        return {
            "event_id": event_id,
            "stage": stage,
            "status": payload["status"],
            "payload": payload,
            "body": body,
        }

    def _gosend_event(self, order, stage, raw_override=None):
        _lookup, hook, type_ = GOSEND_RAW[stage]
        if raw_override and _is_gosend_hook_status(raw_override):
            hook = raw_override
        driver = order["driver"] or {}
        delivered = stage == "delivered"
        receiver = order["receiver"] or {}
        return {
            "entity_id": order["courier_ref"],
            "type": type_,
            "event_date": int(time.time() * 1000),
            "event_id": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "partner_id": self._config["gosend_client_id"],
            "booking_id": order["courier_ref"],
            "status": hook,
            "booking_type": order["service_type"].lower(),
            "store_order_id": order["our_ref"],
            "driver_name": driver.get("name", ""),
            "driver_phone": driver.get("phone", ""),
            "driver_photo_url": driver.get("photo_url", ""),
            "vehicle_number": driver.get("plate", ""),
            "total_distance_in_kms": order["distance_km"],
            "price": order["price"],
            "receiver_name": receiver.get("name", "") if delivered else "",
            "receiver_relation": receiver.get("relationship", "") if delivered else "",
            "proof_of_delivery_url": (order["proof_photo_url"] or "") if delivered else "",
            "cancellation_reason": (order["cancel_reason"] or "")
            if stage in ("cancelled", "cancelled_by_courier")
            else "",
            "live_tracking_url": self._tracking(order),
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
                "currentLat": dest.get("lat"),
                "currentLng": dest.get("lng"),
            }
            if driver
            else None,
            "distance": int(order["distance_km"] * 1000),
            "pickupProofURL": "",
            "dropoffProofURL": (order["proof_photo_url"] or "") if delivered else "",
            "cancelProofURL": "",
        }

    def _tracking(self, order):
        return f"{self.url}/track/{order['courier_ref']}" if order["driver"] else ""

    def _sequence(self, order, events):
        """The order in which to post ``events`` (out-of-order and duplicate modes)."""
        sequence = list(events)
        if self._chance("out_of_order_rate"):
            if len(sequence) > 1:
                sequence.reverse()
            else:
                with self._lock:
                    index = order["events"].index(events[0]) if events else 0
                    previous = order["events"][index - 1] if index > 0 else None
                if previous is not None:
                    sequence.append(previous)
        doubled = []
        for event in sequence:
            doubled.append((event, False))
            if self._chance("duplicate_webhook_rate"):
                doubled.append((event, True))
        return doubled

    def _dispatch(self, order, events):
        """Post ``events`` now (caller's thread); returns one result per post."""
        return [
            self._post_event(order["api"], event, duplicate)
            for event, duplicate in self._sequence(order, events)
        ]

    def _enqueue(self, order, events):
        """Post ``events`` from the webhook worker thread (bounded queue)."""
        for event, duplicate in self._sequence(order, events):
            try:
                self._webhook_queue.put_nowait((order["api"], event, duplicate))
            except queue.Full:
                with self._lock:
                    self._stats["webhooks_dropped"] += 1

    def _webhook_headers(self, api, body):
        config = self._config
        headers = {"Content-Type": "application/json", "User-Agent": "CourierSandbox/1.0"}
        secret = config[f"webhook_secret_{api}"]
        if not secret:
            return headers
        if api == "gosend":
            headers["Authorization"] = secret
        else:
            mode = config["grab_webhook_auth"]
            if mode in ("token", "both"):
                headers["Authorization"] = secret
            if mode in ("hmac", "both"):
                headers["X-Grab-Signature"] = hmac.new(
                    secret.encode("utf-8"), body, hashlib.sha256
                ).hexdigest()
        return headers

    def _post_event(self, api, event, duplicate=False):
        with self._lock:
            url = self._config[f"webhook_url_{api}"]
            headers = self._webhook_headers(api, event["body"])
            timeout = self._config["webhook_timeout_s"]
        result = {
            "event_id": event["event_id"],
            "status": event["status"],
            "stage": event["stage"],
            "duplicate": duplicate,
            "url": url,
            "payload": event["payload"],
        }
        if not url:
            result["skipped"] = "no webhook URL configured"
            return result
        try:
            response = self._http.post(
                url, data=event["body"], headers=headers, timeout=float(timeout or 5)
            )
            result["status_code"] = response.status_code
            result["error"] = None if response.status_code < 300 else response.text[:500]
        except requests.RequestException as exc:
            result["status_code"] = None
            result["error"] = f"{type(exc).__name__}: {exc}"
        with self._lock:
            key = "webhooks_sent" if result["error"] is None else "webhooks_failed"
            self._stats[key] += 1
        return result

    def _webhook_worker(self):
        while not self._stop.is_set():
            try:
                api, event, duplicate = self._webhook_queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self._post_event(api, event, duplicate)

    def _auto_advance_loop(self):
        while not self._stop.wait(0.05):
            with self._lock:
                if not self._config["auto_advance"]:
                    continue
                now = time.monotonic()
                due = []
                for order in self._orders:
                    if order["stage"] in FINAL_STAGES or order["next_step_at"] > now:
                        continue
                    stage = order["stage"]
                    if stage == "booked":
                        rate = self._config["no_driver_rate"]
                        nxt = (
                            "no_driver"
                            if rate > 0 and self._rng.random() < rate
                            else "driver_assigned"
                        )
                    elif stage == "driver_assigned":
                        nxt = "picked_up"
                    else:
                        nxt = "delivered"
                    due.append((order, [self._apply_stage(order, nxt)]))
            for order, events in due:
                self._enqueue(order, events)

    # -- HTTP plumbing -----------------------------------------------------------------

    def _reply(
        self, handler, status, payload=None, headers=None, raw=None, content_type="application/json"
    ):
        if raw is not None:
            body = raw
        elif payload is None or status == 204:
            body = b""
        else:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            handler.send_response(status)
            if body or status != 204:
                handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            if body:
                handler.wfile.write(body)
        except (ConnectionError, TimeoutError) as exc:
            # The client gave up (timeout tests): nobody is left to answer.
            _logger.debug("client left before the answer: %s", exc)

    def _read_json(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise _ApiError(413, {"message": "request body too large"})
        raw = handler.rfile.read(length) if length else b""
        if not raw:
            return {}
        content_type = handler.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" in content_type:
            return {k: v[-1] for k, v in parse_qs(raw.decode("utf-8")).items()}
        try:
            return json.loads(raw)
        except ValueError:
            raise _ApiError(400, {"message": "body is not JSON"}) from None

    def _handle(self, handler, method):
        split = urlsplit(handler.path)
        segments = [unquote(part) for part in split.path.split("/")[1:]]
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        try:
            head = segments[0] if segments else ""
            if head == "_sandbox":
                status, payload = self._control(handler, method, segments[1:], query)
                self._reply(handler, status, payload)
            elif head in APIS:
                self._api(handler, head, method, segments[1:], query)
            elif head == "track" and method == "GET" and len(segments) == 2:
                self._track_page(handler, segments[1])
            elif head == "proof" and method == "GET" and len(segments) == 2:
                self._reply(handler, 200, raw=PROOF_PNG, content_type="image/png")
            else:
                self._reply(handler, 404, {"message": f"no route {method} {split.path}"})
        except _ApiError as exc:
            self._reply(handler, exc.status, exc.payload, exc.headers)
        except Exception as exc:  # a sandbox bug must answer, not hang the client
            self._reply(handler, 500, {"message": f"sandbox error: {type(exc).__name__}: {exc}"})
            if self.verbose:
                raise

    def _track_page(self, handler, courier_ref):
        with self._lock:
            order = self._by_courier_ref.get(courier_ref)
            if order is None:
                self._reply(handler, 404, {"message": "unknown order"})
                return
            text = (
                f"<html><body><h1>{order['courier_ref']}</h1>"
                f"<p>Status: {self._raw_status(order)}</p></body></html>"
            )
        self._reply(handler, 200, raw=text.encode("utf-8"), content_type="text/html")

    # -- control endpoints -------------------------------------------------------------

    def _control(self, handler, method, seg, query):
        body = self._read_json(handler) if method in ("POST", "PUT") else {}
        if not isinstance(body, dict):
            raise _ApiError(400, {"message": "body must be a JSON object"})
        try:
            if method == "GET":
                answer = self._control_get(seg, query)
            elif method == "POST":
                answer = self._control_post(seg, body)
            else:
                answer = None
        except KeyError as exc:
            raise _ApiError(404, {"message": f"no such order/event: {exc.args[0]}"}) from None
        except (ValueError, TypeError, IndexError) as exc:
            raise _ApiError(400, {"message": str(exc)}) from None
        if answer is None:
            raise _ApiError(404, {"message": f"no control route {method} /{'/'.join(seg)}"})
        return 200, answer

    def _control_get(self, seg, query):
        if seg == ["health"]:
            return {"status": "ok", "url": self.url, "apis": list(APIS)}
        if seg == ["orders"]:
            return {"orders": self.orders(), "counts": self.counts(), "stats": self.stats()}
        if seg == ["orders", "count"]:
            ref = query.get("ref")
            if not ref:
                raise ValueError("ref is required")
            return {"ref": ref, "count": self.count(ref, query.get("api"))}
        if len(seg) == 2 and seg[0] == "orders":
            return {"ref": seg[1], "orders": self.orders(seg[1])}
        if seg == ["stats"]:
            return self.stats()
        if seg == ["config"]:
            return self.config
        return None

    def _control_post(self, seg, body):
        if seg == ["config"]:
            return self.configure(**body)
        if seg == ["reset"]:
            self.reset(keep_config=bool(body.get("keep_config")))
            return {"ok": True}
        if seg == ["tokens", "revoke"]:
            self.revoke_tokens()
            return {"ok": True}
        if len(seg) == 3 and seg[0] == "orders" and seg[2] == "advance":
            if not body.get("status"):
                raise ValueError("status is required")
            return self.advance(
                seg[1],
                body["status"],
                webhook=body.get("webhook", True),
                api=body.get("api"),
                courier_ref=body.get("courier_ref"),
                reason=body.get("reason"),
            )
        if len(seg) == 3 and seg[0] == "orders" and seg[2] == "webhook":
            return self.send_webhook(
                seg[1],
                status=body.get("status"),
                event_index=body.get("event_index"),
                event_id=body.get("event_id"),
                api=body.get("api"),
                courier_ref=body.get("courier_ref"),
            )
        return None

    # -- courier APIs ------------------------------------------------------------------

    def _api(self, handler, api, method, seg, query):
        is_token = api == "grab" and seg == ["grabid", "v1", "oauth2", "token"]
        with self._lock:
            self._stats["requests"][api] += 1
            latency = self._config["latency_ms"] / 1000.0
        if latency:
            self._stop.wait(latency)
        if not is_token:
            self._check_rate(api)
            if self._chance("error_rate"):
                with self._lock:
                    self._stats["injected_errors"] += 1
                raise _ApiError(503, {"message": "Service temporarily unavailable (sandbox)"})
        body = self._read_json(handler) if method in ("POST", "PUT") else {}
        if api == "gosend":
            self._gosend_auth(handler)
            self._gosend_route(handler, method, seg, query, body)
        elif is_token:
            self._grab_token(handler, method, body)
        else:
            self._grab_auth(handler)
            self._grab_route(handler, method, seg, body)

    def _check_rate(self, api):
        with self._lock:
            limit = self._config["rate_limit_per_s"].get(api) or 0
            if limit <= 0:
                return
            window = self._windows[api]
            now = time.monotonic()
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                self._stats["rate_limited"] += 1
                raise _ApiError(429, {"message": "Too many requests"}, {"Retry-After": "1"})
            window.append(now)

    def _maybe_timeout(self):
        """Booking calls only: after creating the order, answer too late."""
        if self._chance("timeout_rate"):
            with self._lock:
                self._stats["injected_timeouts"] += 1
                sleep = self._config["timeout_sleep_s"]
            self._stop.wait(sleep)

    # GoSend ---------------------------------------------------------------------------

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
            raise _gosend_error(401, "Invalid Client-ID or Pass-Key", "unauthorized")

    def _gosend_route(self, handler, method, seg, query, body):
        if seg[:2] != ["gokilat", "v10"]:
            raise _gosend_error(404, "Not found", "not_found")
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
                    raise _gosend_error(404, "Not found", "not_found")
                if order is None:
                    raise _gosend_error(404, "Booking not found", "not_found")
                view = self._gosend_view(order)
            return self._reply(handler, 200, view)
        if method == "PUT" and rest == ["booking", "cancel"]:
            return self._gosend_cancel(handler, body)
        raise _gosend_error(404, "Not found", "not_found")

    @staticmethod
    def _gosend_block(method, km):
        if method == "Instant":
            price, description = (
                max(15000, int(math.ceil(km * 2500 / 500.0)) * 500),
                "Instant 1 - 2 jam",
            )
        else:
            price, description = (
                max(10000, int(math.ceil(km * 1600 / 500.0)) * 500),
                "Same Day 6 - 8 jam",
            )
        serviceable = km <= SERVICE_LIMIT_KM
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
                    "message": f"Distance exceeds {SERVICE_LIMIT_KM:.0f} km",
                    "code": "distance_exceeded",
                }
            ],
        }

    def _gosend_price(self, query):
        origin = _parse_latlong(query.get("origin"))
        destination = _parse_latlong(query.get("destination"))
        if origin is None or destination is None:
            raise _gosend_error(400, "origin and destination must be 'lat,lng'", "invalid_latlong")
        km = _haversine_km(origin, destination)
        return {method: self._gosend_block(method, km) for method in ("Instant", "SameDay")}

    def _gosend_book(self, handler, body):
        routes = body.get("routes")
        if not isinstance(routes, list) or not routes or not isinstance(routes[0], dict):
            raise _gosend_error(400, "routes must hold one route", "invalid_routes")
        route = routes[0]
        method = body.get("shipment_method")
        if method not in ("Instant", "SameDay"):
            raise _gosend_error(
                400, "shipment_method must be Instant or SameDay", "invalid_shipment_method"
            )
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
            raise _gosend_error(
                400, f"invalid or missing: {', '.join(missing)}", "validation_error"
            )
        km = _haversine_km(origin, destination)
        block = self._gosend_block(method, km)
        if not block["serviceable"]:
            raise _gosend_error(400, block["errors"][0]["message"], "distance_exceeded")
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
            {},
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
            "driverPhoto": driver.get("photo_url", ""),
            "vehicleNumber": driver.get("plate", ""),
            "totalPrice": order["price"],
            "receiverName": receiver.get("name", ""),
            "receiverRelation": receiver.get("relationship", ""),
            "deliveryProofPhotoUrl": order["proof_photo_url"] or "",
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
                raise _gosend_error(404, "Booking not found", "not_found")
            if order["stage"] in ("cancelled", "cancelled_by_courier"):
                raise _gosend_error(400, "Booking is already cancelled", "already_cancelled")
            if order["stage"] not in CANCELLABLE:
                raise _gosend_error(
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

    # Grab -----------------------------------------------------------------------------

    def _grab_token(self, handler, method, body):
        if method != "POST":
            raise _grab_error(405, "use POST", "method_not_allowed")
        with self._lock:
            self._stats["token_requests"] += 1
            expected_id = str(self._config["grab_client_id"])
            expected_secret = str(self._config["grab_client_secret"])
            ttl = self._config["token_ttl_s"]
        if body.get("grant_type") != "client_credentials":
            raise _ApiError(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be client_credentials",
                },
            )
        if body.get("scope") not in (None, "", "grab_express.partner_deliveries"):
            raise _ApiError(400, {"error": "invalid_scope", "error_description": "unknown scope"})
        client_id = str(body.get("client_id") or "")
        client_secret = str(body.get("client_secret") or "")
        if not (
            hmac.compare_digest(client_id.encode(), expected_id.encode())
            and hmac.compare_digest(client_secret.encode(), expected_secret.encode())
        ):
            with self._lock:
                self._stats["auth_failures"] += 1
            raise _ApiError(
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
            raise _grab_error(401, "invalid or expired access token", "unauthorized")

    def _grab_route(self, handler, method, seg, body):
        if seg[:1] != ["v1"]:
            raise _grab_error(404, "not found", "not_found")
        rest = seg[1:]
        if method == "POST" and rest == ["deliveries", "quotes"]:
            return self._reply(handler, 200, self._grab_quotes(body))
        if method == "POST" and rest == ["deliveries"]:
            return self._grab_create(handler, body)
        if len(rest) == 2 and rest[0] == "deliveries" and method in ("GET", "DELETE"):
            with self._lock:
                order = self._by_courier_ref.get(rest[1])
                if order is None or order["api"] != "grab":
                    raise _grab_error(404, "delivery not found", "not_found")
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
            ref = rest[2]
            with self._lock:
                orders = [o for o in self._by_ref.get(ref, ()) if o["api"] == "grab"]
                if not orders:
                    raise _grab_error(404, "no delivery for this merchantOrderID", "not_found")
                if method == "GET":
                    payload = {
                        "merchantOrderID": ref,
                        "deliveries": [self._grab_view(o) for o in orders],
                    }
                    return self._reply(handler, 200, payload)
                if method != "DELETE":
                    raise _grab_error(405, "method not allowed", "method_not_allowed")
                live = [o for o in orders if o["stage"] not in FINAL_STAGES]
                if any(o["stage"] not in CANCELLABLE for o in live) or not live:
                    raise _grab_error(409, "deliveries can not be cancelled", "conflict")
                cancelled = [(o, [self._grab_cancel(o)]) for o in live]
            for order, events in cancelled:
                self._enqueue(order, events)
            return self._reply(handler, 204)
        raise _grab_error(404, "not found", "not_found")

    def _grab_cancel(self, order):
        """Cancel a Grab order (caller holds the lock) or raise 409."""
        if order["stage"] in ("cancelled", "cancelled_by_courier"):
            raise _grab_error(409, "delivery is already cancelled", "conflict")
        if order["stage"] not in CANCELLABLE:
            raise _grab_error(409, "delivery can not be cancelled after pickup", "conflict")
        return self._apply_stage(order, "cancelled")

    def _grab_places(self, body):
        origin, destination = _coords(body.get("origin")), _coords(body.get("destination"))
        if origin is None or destination is None:
            raise _grab_error(400, "origin and destination need coordinates")
        packages = body.get("packages")
        if not isinstance(packages, list) or not packages:
            raise _grab_error(400, "packages is required")
        km = _haversine_km(origin, destination)
        if km > SERVICE_LIMIT_KM:
            raise _grab_error(400, "Distance SLA Exceeded")
        return origin, destination, km

    def _grab_quote(self, service_type, km):
        per_km, minimum, minutes = (
            (2600, 16000, 60) if service_type == "INSTANT" else (1700, 11000, 360)
        )
        now = _now()
        return {
            "service": {
                "id": 0,
                "type": service_type,
                "name": f"GrabExpress {service_type.replace('_', ' ').title()}",
            },
            "currency": {"code": "IDR", "symbol": "Rp", "exponent": 0},
            "amount": float(max(minimum, int(math.ceil(km * per_km / 500.0)) * 500)),
            "estimatedTimeline": {
                "pickup": _iso(now + timedelta(minutes=15)),
                "dropoff": _iso(now + timedelta(minutes=minutes)),
            },
            "distance": int(km * 1000),
        }

    def _grab_quotes(self, body):
        _origin, _destination, km = self._grab_places(body)
        service_type = body.get("serviceType")
        if service_type not in (None, "", "INSTANT", "SAME_DAY"):
            raise _grab_error(400, "Invalid ServiceType")
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
            raise _grab_error(400, "merchantOrderID is required")
        if service_type not in ("INSTANT", "SAME_DAY"):
            raise _grab_error(400, "Invalid ServiceType")
        if body.get("paymentMethod", "CASHLESS") not in ("CASH", "CASHLESS"):
            raise _grab_error(400, "Invalid payment method")
        sender, recipient = body.get("sender") or {}, body.get("recipient") or {}
        for role, person in (("sender", sender), ("recipient", recipient)):
            if not person.get("firstName") or not (person.get("phone") or person.get("email")):
                raise _grab_error(400, f"{role} needs firstName and phone or email")
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
            },
        )
        self._maybe_timeout()
        with self._lock:
            view = self._grab_view(order)
        self._reply(handler, 200, view)

    def _grab_view(self, order):
        driver = order["driver"]
        extra = order["extra"]
        delivered = order["stage"] == "delivered"
        recipient = dict(extra.get("recipient") or {})
        if delivered and order["receiver"]:
            recipient.update(order["receiver"])
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
                "coordinates": {
                    "latitude": order["destination"]["lat"],
                    "longitude": order["destination"]["lng"],
                },
                "vehicle": {
                    "licensePlate": driver["plate"],
                    "model": driver["model"],
                    "physicalVehicleType": "BIKE",
                },
            }
            if driver
            else None,
            "timeline": dict(order["timeline"]),
            "schedule": None,
            "cashOnDelivery": None,
            "invoiceNo": "",
            "pickupPin": "",
            "advanceInfo": {"failedReason": failed} if failed else None,
            "dropoffProofURL": order["proof_photo_url"] if delivered else "",
        }


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def _parser():
    parser = argparse.ArgumentParser(
        description="Courier sandbox speaking GoSend-like (/gosend) and Grab-like (/grab) APIs."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default loopback)")
    parser.add_argument("--port", type=int, default=8070, help="TCP port (0 = any free)")
    parser.add_argument("--webhook-url", help="webhook URL for both APIs")
    parser.add_argument("--webhook-url-gosend")
    parser.add_argument("--webhook-url-grab")
    parser.add_argument("--webhook-secret", help="webhook secret for both APIs")
    parser.add_argument("--webhook-secret-gosend")
    parser.add_argument("--webhook-secret-grab")
    parser.add_argument("--grab-webhook-auth", choices=("token", "hmac", "both"))
    parser.add_argument(
        "--auto-advance", action="store_true", help="drive orders through their lifecycle over time"
    )
    parser.add_argument("--advance-interval", type=float, help="seconds between steps")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--latency-ms", type=float)
    for rate in _RATES:
        parser.add_argument("--" + rate.replace("_", "-"), type=float)
    parser.add_argument("--timeout-sleep-s", type=float)
    parser.add_argument("--rate-limit-per-s", type=float, help="both APIs")
    parser.add_argument("--rate-limit-gosend", type=float)
    parser.add_argument("--rate-limit-grab", type=float)
    parser.add_argument("--token-ttl-s", type=float)
    parser.add_argument("--gosend-client-id")
    parser.add_argument("--gosend-pass-key")
    parser.add_argument("--grab-client-id")
    parser.add_argument("--grab-client-secret")
    parser.add_argument("--no-webhook-on-create", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def _config_from_args(args):
    config = {}
    for api in APIS:
        url = getattr(args, f"webhook_url_{api}") or args.webhook_url
        secret = getattr(args, f"webhook_secret_{api}") or args.webhook_secret
        if url:
            config[f"webhook_url_{api}"] = url
        if secret:
            config[f"webhook_secret_{api}"] = secret
    simple = (
        "grab_webhook_auth",
        "advance_interval",
        "seed",
        "latency_ms",
        "timeout_sleep_s",
        "token_ttl_s",
        "gosend_client_id",
        "gosend_pass_key",
        "grab_client_id",
        "grab_client_secret",
    ) + _RATES
    for key in simple:
        value = getattr(args, key)
        if value is not None:
            config[key] = value
    if args.auto_advance:
        config["auto_advance"] = True
    if args.no_webhook_on_create:
        config["webhook_on_create"] = False
    limits = {}
    if args.rate_limit_per_s is not None:
        limits = {api: args.rate_limit_per_s for api in APIS}
    for api in APIS:
        value = getattr(args, f"rate_limit_{api}")
        if value is not None:
            limits[api] = value
    if limits:
        config["rate_limit_per_s"] = limits
    return config


def main(argv=None):
    args = _parser().parse_args(argv)
    sandbox = CourierSandbox(
        host=args.host, port=args.port, verbose=args.verbose, **_config_from_args(args)
    )
    sandbox.start()
    sys.stdout.write(
        f"Courier sandbox listening on {sandbox.url}\n"
        f"  GoSend base_url: {sandbox.url}/gosend   Grab base_url: {sandbox.url}/grab\n"
        f"  control: {sandbox.url}/_sandbox/health (Ctrl-C to stop)\n"
    )
    sys.stdout.flush()
    stopped = threading.Event()

    def _stop(_signum, _frame):
        stopped.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopped.wait(0.5):
        pass
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
