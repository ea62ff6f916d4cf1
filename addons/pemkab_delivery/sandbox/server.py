# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The courier sandbox's HTTP server: :class:`CourierSandbox`, routing and control.

:class:`CourierSandbox` serves on loopback from background threads (HTTP, webhook
worker, auto-advance loop), holds the configuration and the in-memory state, routes
``/gosend/...``, ``/grab/...`` and ``/biteship/...`` to the courier APIs (:mod:`.gosend`,
:mod:`.grab`, :mod:`.biteship`) and
answers the control endpoints ``/_sandbox/...``, ``/track/<courier_ref>`` and
``/proof/<courier_ref>.png``. The order store and lifecycle are in :mod:`.orders`, fault
injection in :mod:`.faults`, webhooks in :mod:`.webhooks`.
"""

import collections
import copy
import json
import logging
import queue
import random
import struct
import sys
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import requests

from .biteship import BiteshipApiMixin
from .common import APIS, DEFAULT_CONFIG, RATES, ApiError
from .faults import FaultsMixin
from .gosend import GoSendApiMixin
from .grab import GrabApiMixin
from .orders import OrdersMixin
from .satusehat import SatusehatMixin
from .sms import SmsGatewayMixin
from .webhooks import WebhooksMixin

__all__ = ["CourierSandbox"]

_logger = logging.getLogger(__name__)

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

    def do_PATCH(self):
        self.server.sandbox._handle(self, "PATCH")

    def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
        if self.server.sandbox.verbose:
            return super().log_message(format, *args)
        return None


class CourierSandbox(
    OrdersMixin,
    WebhooksMixin,
    FaultsMixin,
    GoSendApiMixin,
    GrabApiMixin,
    BiteshipApiMixin,
    SmsGatewayMixin,
    SatusehatMixin,
):
    """In-memory GoSend/Grab/Biteship look-alike with deterministic controls, an SMS
    gateway and SATUSEHAT (:mod:`.satusehat`).

    :param host: interface to bind (loopback by default).
    :param port: TCP port; 0 picks a free one (see :attr:`url` after :meth:`start`).
    :param verbose: log every request to stderr.
    :param config: any key of :data:`~.common.DEFAULT_CONFIG`.
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
            elif key in RATES:
                value = float(value or 0)
                if not 0 <= value <= 1:
                    raise ValueError(f"{key} must be between 0 and 1")
            elif key == "satusehat_unknown_niks":
                if not isinstance(value, list | tuple) or not all(
                    isinstance(nik, str) for nik in value
                ):
                    raise ValueError("satusehat_unknown_niks must be a list of NIKs (strings)")
                value = list(value)
            elif key == "sms_refuse_numbers":
                if not isinstance(value, list | tuple) or not all(
                    isinstance(number, str) for number in value
                ):
                    raise ValueError("sms_refuse_numbers must be a list of numbers (strings)")
                value = list(value)
            elif key in (
                "latency_ms",
                "timeout_sleep_s",
                "advance_interval",
                "webhook_timeout_s",
                "token_ttl_s",
                "satusehat_rate_limit_per_s",
                "satusehat_token_ttl_s",
                "proof_link_ttl_s",
                "driver_photo_ttl_s",
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
        self._sms_clear()
        self._satusehat_clear()

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
        """Invalidate every Grab and SATUSEHAT access token (the next API call gets 401)."""
        with self._lock:
            self._tokens.clear()
            self._ss_tokens.clear()

    def stats(self):
        with self._lock:
            return copy.deepcopy(self._stats)

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
            for key, value in {
                **getattr(handler, "sandbox_headers", {}),
                **(headers or {}),
            }.items():
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
            raise ApiError(413, {"message": "request body too large"})
        raw = handler.rfile.read(length) if length else b""
        if not raw:
            return {}
        content_type = handler.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" in content_type:
            return {k: v[-1] for k, v in parse_qs(raw.decode("utf-8")).items()}
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(400, {"message": "body is not JSON"}) from None

    def _handle(self, handler, method):
        handler.sandbox_headers = {}  # a kept-alive connection serves several requests
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
            elif head == "sms":
                self._sms_route(handler, method, segments[1:], query)
            elif head == "satusehat":
                self._satusehat_route(handler, method, segments[1:], query)
            elif head == "track" and method == "GET" and len(segments) == 2:
                self._track_page(handler, segments[1])
            elif head == "proof" and method == "GET" and len(segments) == 2:
                self._photo(handler, query)
            else:
                self._reply(handler, 404, {"message": f"no route {method} {split.path}"})
        except ApiError as exc:
            self._reply(handler, exc.status, exc.payload, exc.headers)
        except Exception as exc:  # a sandbox bug must answer, not hang the client
            self._reply(handler, 500, {"message": f"sandbox error: {type(exc).__name__}: {exc}"})
            if self.verbose:
                raise

    def _photo(self, handler, query):
        """A courier's photo link: served until it expires, then 403 (Grab's signed
        links expire; a link without its expiry is refused as forged)."""
        try:
            expires = float(query.get("expires") or 0)
        except ValueError:
            expires = 0
        if expires < time.time():
            self._reply(handler, 403, {"message": "link expired"})
            return
        self._reply(handler, 200, raw=PROOF_PNG, content_type="image/png")

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
            raise ApiError(400, {"message": "body must be a JSON object"})
        try:
            if method == "GET":
                answer = self._control_get(seg, query)
            elif method == "POST":
                answer = self._control_post(seg, body)
            else:
                answer = None
        except KeyError as exc:
            raise ApiError(404, {"message": f"no such order/event: {exc.args[0]}"}) from None
        except (ValueError, TypeError, IndexError) as exc:
            raise ApiError(400, {"message": str(exc)}) from None
        if answer is None:
            raise ApiError(404, {"message": f"no control route {method} /{'/'.join(seg)}"})
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
        if seg == ["sms"]:
            return {"messages": self.sms_messages()}
        if seg == ["satusehat"]:
            counts = dict(self._ss_counts)
            return {"resources": self.satusehat_resources(), "counts": counts}
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
        if seg == ["satusehat", "fail"]:
            self.satusehat_fail_next(
                *body.get("statuses", []), lose_answers=body.get("lose_answers", 0)
            )
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
        self._before_api_call(api, is_token)
        body = self._read_json(handler) if method in ("POST", "PUT") else {}
        if api == "grab":
            # Grab's docs ("Partner obligations"): its answers carry a request id that
            # partners log (X-Grabkit-Grab-Requestid), errors included
            handler.sandbox_headers = {"X-Grabkit-Grab-Requestid": uuid.uuid4().hex}
        if api == "gosend":
            self._gosend_auth(handler)
            self._gosend_route(handler, method, seg, query, body)
        elif api == "biteship":
            self._biteship_auth(handler)
            self._biteship_route(handler, method, seg, body)
        elif is_token:
            self._grab_token(handler, method, body)
        else:
            self._grab_auth(handler)
            self._grab_route(handler, method, seg, body)
