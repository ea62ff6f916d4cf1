# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier clients against the courier sandbox, over real HTTP on 127.0.0.1 (no Odoo).

Plain pytest: the file puts ``addons/pemkab_delivery`` on ``sys.path`` itself and imports
the ``clients`` and ``sandbox`` packages standalone. Nothing is mocked: the clients talk
HTTP to a :class:`CourierSandbox` started on a free loopback port, and the sandbox posts
its webhooks to a tiny ``http.server`` receiver.
"""

import hashlib
import hmac
import json
import logging
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addons" / "pemkab_delivery"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))

import clients  # noqa: E402
from clients import (  # noqa: E402
    FINAL_STATUSES,
    STATUS_RANK,
    STATUSES,
    AuthError,
    CourierError,
    CourierTimeout,
    GoSendClient,
    GrabExpressClient,
    Location,
    OrderNotFound,
    Package,
    PermanentError,
    RetryableError,
)
from conftest import sandbox_by_path  # noqa: E402
from sandbox.courier_sandbox import CourierSandbox  # noqa: E402

KINDS = ("gosend", "grab")
CLIENT_CLASSES = {"gosend": GoSendClient, "grab": GrabExpressClient}
CREDENTIALS = {
    "gosend": {"client_id": "sandbox-client", "pass_key": "sandbox-pass"},
    "grab": {"client_id": "sandbox-client", "client_secret": "sandbox-secret"},
}
WRONG_CREDENTIALS = {
    "gosend": {"client_id": "sandbox-client", "pass_key": "not-the-pass"},
    "grab": {"client_id": "sandbox-client", "client_secret": "not-the-secret"},
}
ORIGIN = Location(
    "Puskesmas Sobo",
    "+62 333 421 000",
    "Jl. Letjen S. Parman, Banyuwangi",
    -8.2191,
    114.3691,
    note="Ambil di loket farmasi",
)
DESTINATION = Location(
    "Ibu Siti Aminah",
    "0812-3456-7890",
    "Dusun Krajan, Desa Kemiren",
    -8.2080,
    114.3267,
    note="Rumah pagar hijau",
)
PACKAGE = Package("PKT-0001", "Paket layanan kesehatan", weight_kg=0.5)


# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox():
    server = CourierSandbox(seed=42, webhook_on_create=False).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_state(sandbox):
    sandbox.reset()
    clients.clear_token_cache()
    yield


class Receiver:
    """A tiny webhook receiver (http.server in a thread) recording every POST."""

    def __init__(self):
        self.requests = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._cond:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                    )
                    receiver._cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def wait_for(self, count, timeout=3.0):
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.requests)

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def receiver(sandbox):
    rec = Receiver()
    sandbox.configure(
        webhook_url_gosend=rec.url + "/gosend",
        webhook_url_grab=rec.url + "/grab",
        webhook_secret_gosend="gosend-webhook-token",
        webhook_secret_grab="grab-webhook-secret",
    )
    yield rec
    rec.stop()


def make_client(sandbox, kind, credentials=None, timeout=(2, 5), **kwargs):
    session = requests.Session()
    session.trust_env = False  # never route loopback through a proxy from the environment
    cls = CLIENT_CLASSES[kind]
    return cls(
        f"{sandbox.url}/{kind}",
        credentials or CREDENTIALS[kind],
        timeout=timeout,
        session=session,
        **kwargs,
    )


def lookup(client, sandbox, ref):
    """The courier's current order of ``ref`` the way each courier allows: GoSend by our
    reference; Grab (no GET by merchantOrderID) by the deliveryID of its latest order."""
    if client.LOOKUP_BY_REFERENCE:
        return client.get_order(ref)
    orders = [o for o in sandbox.orders(ref) if o["api"] == client.kind]
    if not orders:
        raise OrderNotFound(f"no order for {ref}")
    return client.get_order_by_courier_ref(orders[-1]["courier_ref"])


def control(sandbox, method, path, **kwargs):
    response = requests.request(method, f"{sandbox.url}/_sandbox/{path}", timeout=5, **kwargs)
    response.raise_for_status()
    return response.json()


# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------


def test_status_vocabulary():
    assert (GoSendClient.kind, GrabExpressClient.kind) == KINDS
    assert STATUSES == (
        "requested",
        "booked",
        "driver_assigned",
        "picked_up",
        "delivered",
        "cancelled",
        "failed",
    )
    assert FINAL_STATUSES == {"delivered", "cancelled", "failed"}
    assert [STATUS_RANK[s] for s in STATUSES] == [0, 1, 2, 3, 4, 4, 4]
    assert STATUS_RANK["picked_up"] > STATUS_RANK["booked"]
    assert STATUS_RANK["driver_assigned"] < STATUS_RANK["picked_up"]
    assert STATUS_RANK["failed"] == STATUS_RANK["delivered"], "a final status never moves"
    assert issubclass(CourierTimeout, RetryableError)
    assert issubclass(AuthError, PermanentError) and issubclass(OrderNotFound, PermanentError)


@pytest.mark.parametrize(
    ("raw", "ours"),
    [
        ("Finding Driver", "booked"),
        ("confirmed", "booked"),
        ("Driver Allocated", "driver_assigned"),
        ("Enroute Pickup", "driver_assigned"),
        ("out_for_pickup", "driver_assigned"),
        ("Item Picked by Driver", "picked_up"),
        ("Enroute Drop", "picked_up"),
        ("On Hold", "picked_up"),
        ("Completed", "delivered"),
        ("delivered", "delivered"),
        ("Cancelled", "cancelled"),
        ("Driver not found", "failed"),
        ("no_driver", "failed"),
        ("Rejected", "failed"),
        ("Returned", "failed"),
        ("Something New", None),
        (None, None),
    ],
)
def test_gosend_status_mapping(raw, ours):
    assert GoSendClient.map_status(raw) == ours


@pytest.mark.parametrize(
    ("raw", "ours"),
    [
        ("QUEUEING", "booked"),
        ("ALLOCATING", "booked"),
        ("PENDING_PICKUP", "driver_assigned"),
        ("PICKING_UP", "driver_assigned"),
        ("PENDING_DROP_OFF", "picked_up"),
        ("IN_DELIVERY", "picked_up"),
        ("IN_RETURN", "picked_up"),
        ("COMPLETED", "delivered"),
        ("CANCELED", "cancelled"),
        ("CANCELLED", "cancelled"),
        ("RETURNED", "failed"),
        ("FAILED", "failed"),
        ("TELEPORTED", None),
    ],
)
def test_grab_status_mapping(raw, ours):
    assert GrabExpressClient.map_status(raw) == ours


def test_failure_reasons():
    assert GoSendClient.failure_reason("Driver not found") == "no_driver"
    assert GoSendClient.failure_reason("rejected") == "rejected"
    assert GoSendClient.failure_reason("Returned") == "returned"
    assert GoSendClient.failure_reason("Completed") is None
    assert GrabExpressClient.failure_reason("FAILED", "6|Could not find driver") == "no_driver"
    assert GrabExpressClient.failure_reason("FAILED", "5|Canceled by Grab Operator") == (
        "cancelled_by_courier"
    )
    assert GrabExpressClient.failure_reason("RETURNED") == "returned"
    assert GrabExpressClient.failure_reason("FAILED", "Parcel too big") == "Parcel too big"


# --------------------------------------------------------------------------------------
# Happy paths
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_quote_book_get_cancel(sandbox, kind):
    client = make_client(sandbox, kind)
    ref = f"PKB/DLV/2026/{kind}/0001"  # slashes, as Odoo sequences make them

    quote = client.quote(ORIGIN, DESTINATION)
    assert quote.price > 0 and quote.currency == "IDR" and quote.service_type == "instant"
    assert 3 < quote.distance_km < 6
    same_day = client.quote(ORIGIN, DESTINATION, service_type="same_day")
    assert same_day.price < quote.price

    booked = client.book(ref, ORIGIN, DESTINATION, PACKAGE)
    assert booked.status == "booked" and booked.our_ref == ref and booked.courier_ref
    assert sandbox.count(ref) == 1

    found = lookup(client, sandbox, ref)
    assert (found.courier_ref, found.status, found.our_ref) == (booked.courier_ref, "booked", ref)
    assert found.price == pytest.approx(quote.price)
    assert found.tracking_url is None  # no driver yet

    cancelled = client.cancel(ref, booked.courier_ref)
    assert cancelled.status == "cancelled"
    after = lookup(client, sandbox, ref)
    assert after.status == "cancelled" and after.is_final
    again = client.cancel(ref, booked.courier_ref)  # idempotent on our side
    assert again.status == "cancelled"
    assert sandbox.count(ref) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_lifecycle_seen_by_lookup(sandbox, kind):
    client = make_client(sandbox, kind)
    ref = f"DLV-{kind}-LIFE"
    booked = client.book(ref, ORIGIN, DESTINATION, PACKAGE, service_type="same_day")

    sandbox.advance(ref, "driver_assigned", webhook=False)
    assigned = lookup(client, sandbox, ref)
    assert assigned.status == "driver_assigned"
    assert assigned.driver_name and assigned.driver_phone.startswith("62")
    assert assigned.driver_plate.startswith("P ")
    assert assigned.tracking_url.endswith(booked.courier_ref)

    sandbox.advance(ref, "delivered", webhook=False)
    done = client.get_order_by_courier_ref(booked.courier_ref)
    assert done.status == "delivered" and done.our_ref == ref
    assert done.delivered_at and done.delivered_at.endswith("+00:00")
    # nobody documents a receiver relation in a lookup
    assert done.receiver_relation is None
    if kind == "grab":
        # Grab's delivery details: no receiver, no proof link (only the webhook has them)
        assert done.receiver_name is None and done.proof_photo_url is None
        return
    assert done.receiver_name == DESTINATION.name
    photo, mimetype = client.fetch_photo(done.proof_photo_url)
    assert mimetype == "image/png" and photo.startswith(b"\x89PNG")


def test_booking_payloads_follow_the_courier_apis(sandbox):
    entries = []
    gosend = make_client(sandbox, "gosend", on_exchange=entries.append)
    gosend.book("REF-PAYLOAD", ORIGIN, DESTINATION, PACKAGE, service_type="same_day")
    booking = json.loads(entries[-1]["request_body"])
    route = booking["routes"][0]
    assert entries[-1]["method"] == "POST"
    assert entries[-1]["url"].endswith("/gosend/gokilat/v10/booking")
    assert booking["shipment_method"] == "SameDay" and booking["paymentType"] == 3
    assert route["storeOrderId"] == "REF-PAYLOAD"
    assert route["originLatLong"] == "-8.2191000,114.3691000"
    assert route["destinationContactPhone"] == "6281234567890"
    assert route["item"] == PACKAGE.description
    assert entries[-1]["request_headers"]["Client-ID"] == "sandbox-client"
    assert entries[-1]["request_headers"]["Pass-Key"] == "***"

    grab = make_client(sandbox, "grab", on_exchange=entries.append)
    grab.book("REF-PAYLOAD", ORIGIN, DESTINATION, PACKAGE)
    delivery = json.loads(entries[-1]["request_body"])
    assert entries[-1]["url"].endswith("/grab/v1/deliveries")
    assert delivery["merchantOrderID"] == "REF-PAYLOAD"
    assert (delivery["serviceType"], delivery["paymentMethod"]) == ("INSTANT", "CASHLESS")
    assert delivery["destination"]["coordinates"] == {"latitude": -8.208, "longitude": 114.3267}
    assert delivery["packages"][0]["dimensions"]["weight"] == 500
    assert delivery["recipient"]["phone"] == "6281234567890"
    assert sandbox.count("REF-PAYLOAD") == 2
    assert sandbox.count("REF-PAYLOAD", api="grab") == 1


@pytest.mark.parametrize("kind", KINDS)
def test_second_booking_is_a_second_order(sandbox, kind):
    """The sandbox does not deduplicate (nor do the real APIs): count proves it."""
    client = make_client(sandbox, kind)
    first = client.book("REF-TWICE", ORIGIN, DESTINATION, PACKAGE)
    client.cancel("REF-TWICE", first.courier_ref)
    second = client.book("REF-TWICE", ORIGIN, DESTINATION, PACKAGE)
    assert sandbox.count("REF-TWICE") == 2
    current = lookup(client, sandbox, "REF-TWICE")
    assert current.courier_ref == second.courier_ref and current.status == "booked"


# --------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_credentials_raise_auth_error(sandbox, kind):
    client = make_client(sandbox, kind, credentials=WRONG_CREDENTIALS[kind])
    with pytest.raises(AuthError) as info:
        client.quote(ORIGIN, DESTINATION)
    assert info.value.status_code == 401 and not info.value.retryable
    assert sandbox.count("x") == 0


@pytest.mark.parametrize("kind", KINDS)
def test_http_503_is_retryable_and_creates_nothing(sandbox, kind):
    client = make_client(sandbox, kind)
    if kind == "grab":
        client.quote(ORIGIN, DESTINATION)  # token first (the token endpoint is spared anyway)
    sandbox.configure(error_rate=1.0)
    with pytest.raises(RetryableError) as info:
        client.book("REF-503", ORIGIN, DESTINATION, PACKAGE)
    assert info.value.status_code == 503 and info.value.retryable
    assert not isinstance(info.value, CourierTimeout)
    assert sandbox.count("REF-503") == 0


@pytest.mark.parametrize("kind", KINDS)
def test_timeout_then_reconcile_by_our_reference(sandbox, kind):
    client = make_client(sandbox, kind, timeout=(2, 0.4))
    if kind == "grab":
        client.quote(ORIGIN, DESTINATION)  # get the token outside the slow booking
    sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.5)
    with pytest.raises(CourierTimeout) as info:
        client.book("REF-SLOW", ORIGIN, DESTINATION, PACKAGE)
    assert info.value.code == "read_timeout" and info.value.retryable
    sandbox.configure(timeout_rate=0.0)
    assert sandbox.count("REF-SLOW") == 1
    if kind == "grab":
        # Grab documents no GET by merchantOrderID: the client never calls one
        with pytest.raises(PermanentError) as refused:
            client.get_order("REF-SLOW")
        assert refused.value.code == "lookup_unsupported"
        assert not client.LOOKUP_BY_REFERENCE
        return
    # The order may exist: look it up by OUR reference instead of booking again.
    found = client.get_order("REF-SLOW")
    assert found.status == "booked" and found.our_ref == "REF-SLOW"
    with pytest.raises(OrderNotFound):
        client.get_order("REF-NEVER-BOOKED")


@pytest.mark.parametrize("kind", KINDS)
def test_no_driver(sandbox, kind):
    client = make_client(sandbox, kind)
    client.book("REF-NODRIVER", ORIGIN, DESTINATION, PACKAGE)
    sandbox.advance("REF-NODRIVER", "no_driver", webhook=False)
    info = lookup(client, sandbox, "REF-NODRIVER")
    assert (info.status, info.failure_reason) == ("failed", "no_driver")


def test_auto_advance_drives_orders_and_no_driver_rate(sandbox):
    sandbox.configure(auto_advance=True, advance_interval=0.05)
    gosend = make_client(sandbox, "gosend")
    grab = make_client(sandbox, "grab")
    gosend.book("REF-AUTO", ORIGIN, DESTINATION, PACKAGE)
    deadline = time.monotonic() + 5
    while lookup(gosend, sandbox, "REF-AUTO").status != "delivered" and time.monotonic() < deadline:
        time.sleep(0.05)
    delivered = lookup(gosend, sandbox, "REF-AUTO")
    assert delivered.status == "delivered" and delivered.receiver_name

    sandbox.configure(no_driver_rate=1.0)
    grab.book("REF-AUTO-ND", ORIGIN, DESTINATION, PACKAGE)
    deadline = time.monotonic() + 5
    while lookup(grab, sandbox, "REF-AUTO-ND").status != "failed" and time.monotonic() < deadline:
        time.sleep(0.05)
    failed = lookup(grab, sandbox, "REF-AUTO-ND")
    assert (failed.status, failed.failure_reason) == ("failed", "no_driver")


@pytest.mark.parametrize("kind", KINDS)
def test_cancel_after_pickup_is_refused(sandbox, kind):
    client = make_client(sandbox, kind)
    booked = client.book("REF-LATE-CANCEL", ORIGIN, DESTINATION, PACKAGE)
    sandbox.advance("REF-LATE-CANCEL", "picked_up", webhook=False)
    with pytest.raises(PermanentError) as info:
        client.cancel("REF-LATE-CANCEL", booked.courier_ref)
    assert info.value.code == "cancel_after_pickup"
    assert lookup(client, sandbox, "REF-LATE-CANCEL").status == "picked_up"


def test_grab_token_cached_then_refreshed(sandbox):
    sandbox.configure(token_ttl_s=1.0)
    client = make_client(sandbox, "grab")
    client.quote(ORIGIN, DESTINATION)
    client.quote(ORIGIN, DESTINATION)
    assert sandbox.stats()["token_requests"] == 1
    other = make_client(sandbox, "grab")  # same credentials: module-level cache
    other.quote(ORIGIN, DESTINATION)
    assert sandbox.stats()["token_requests"] == 1
    assert control(sandbox, "GET", "orders")["stats"]["token_requests"] == 1

    time.sleep(1.0)  # past expires_in (minus the safety margin)
    client.quote(ORIGIN, DESTINATION)
    assert sandbox.stats()["token_requests"] == 2

    entries = []
    client.on_exchange = entries.append
    sandbox.revoke_tokens()  # the courier forgets the token: 401, refresh once, retry
    client.quote(ORIGIN, DESTINATION)
    assert sandbox.stats()["token_requests"] == 3
    assert [e["status_code"] for e in entries] == [401, 200, 200]


@pytest.mark.parametrize("kind", KINDS)
def test_rate_limit_gives_retryable_429(sandbox, kind):
    client = make_client(sandbox, kind)
    if kind == "grab":
        client.quote(ORIGIN, DESTINATION)
    sandbox.configure(rate_limit_per_s={kind: 2})
    errors = []
    for _ in range(4):
        try:
            client.quote(ORIGIN, DESTINATION)
        except RetryableError as exc:
            errors.append(exc)
    assert errors, "no call was rate limited"
    assert all(e.status_code == 429 and e.code == "rate_limited" for e in errors)
    assert errors[0].retry_after == 1.0


def test_local_validation_and_courier_refusals(sandbox):
    gosend = make_client(sandbox, "gosend")
    grab = make_client(sandbox, "grab")
    nowhere = Location("X", "", "", 0, 0)
    with pytest.raises(PermanentError) as info:
        gosend.book("REF-BAD", ORIGIN, nowhere, PACKAGE)
    assert info.value.code == "invalid_location"
    with pytest.raises(PermanentError) as info:
        gosend.quote(ORIGIN, DESTINATION, service_type="next_week")
    assert info.value.code == "unsupported_service_type"
    surabaya = Location("RSUD Dr. Soetomo", "0315501078", "Surabaya", -7.2683, 112.7584)
    with pytest.raises(PermanentError) as info:
        gosend.quote(ORIGIN, surabaya)
    assert info.value.code == "not_serviceable"
    with pytest.raises(PermanentError) as info:
        grab.book("REF-FAR", ORIGIN, surabaya, PACKAGE)
    assert info.value.status_code == 400 and "Distance" in info.value.message
    assert sandbox.count("REF-FAR") == 0


def test_connection_refused_is_retryable_not_timeout():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = GoSendClient(f"http://127.0.0.1:{port}/gosend", CREDENTIALS["gosend"], timeout=(1, 1))
    with pytest.raises(RetryableError) as info:
        client.book("REF-DOWN", ORIGIN, DESTINATION, PACKAGE)
    assert not isinstance(info.value, CourierTimeout)
    assert info.value.status_code is None


# --------------------------------------------------------------------------------------
# Redacted exchange log
# --------------------------------------------------------------------------------------


def test_on_exchange_and_debug_log_are_redacted(sandbox, caplog):
    entries = []
    caplog.set_level(logging.DEBUG, logger="pemkab_delivery.clients")
    for kind in KINDS:
        client = make_client(sandbox, kind, on_exchange=entries.append)
        client.quote(ORIGIN, DESTINATION)
        info = client.book(f"REF-LOG-{kind}", ORIGIN, DESTINATION, PACKAGE)
        lookup(client, sandbox, info.our_ref)
    with pytest.raises(AuthError):
        make_client(
            sandbox, "grab", credentials=WRONG_CREDENTIALS["grab"], on_exchange=entries.append
        ).quote(ORIGIN, DESTINATION)

    assert {
        "method",
        "url",
        "request_headers",
        "request_body",
        "status_code",
        "response_body",
        "duration_ms",
        "error",
    } <= set(entries[0])
    dumped = json.dumps(entries) + caplog.text
    tokens = list(sandbox._tokens)
    assert tokens
    for secret in ("sandbox-pass", "sandbox-secret", "not-the-secret", *tokens):
        assert secret not in dumped
    assert re.search(r"Bearer\s+\S", dumped) is None
    token_call = next(
        e for e in entries if e["url"].endswith("/oauth2/token") and e["status_code"] == 200
    )
    assert json.loads(token_call["request_body"])["client_secret"] == "***"
    assert json.loads(token_call["response_body"])["access_token"] == "***"
    assert token_call["request_headers"].get("Authorization") is None
    api_call = next(e for e in entries if "/grab/v1/" in e["url"])
    assert api_call["request_headers"]["Authorization"] == "***"
    assert "pemkab_delivery.clients.gosend" in {r.name for r in caplog.records}


def test_request_id_the_courier_asks_partners_to_log(sandbox):
    """Grab asks partners to log the ``X-Grabkit-Grab-Requestid`` (or ``X-Request-ID``)
    of its answers (docs, "Partner obligations"): each exchange entry carries it, errors
    included. GoSend names none in any public source: nothing is read."""
    entries = []
    grab = make_client(sandbox, "grab", on_exchange=entries.append)
    grab.quote(ORIGIN, DESTINATION)
    with pytest.raises(OrderNotFound):
        grab.get_order_by_courier_ref("IN-NO-SUCH-DELIVERY")
    api_calls = [e for e in entries if "/grab/v1/" in e["url"]]
    assert len(api_calls) == 2
    ids = [e["request_id"] for e in api_calls]
    assert all(ids) and len(set(ids)) == 2, ids
    assert api_calls[1]["status_code"] == 404
    entries.clear()
    make_client(sandbox, "gosend", on_exchange=entries.append).quote(ORIGIN, DESTINATION)
    assert entries and entries[0]["request_id"] is None


# --------------------------------------------------------------------------------------
# Webhooks
# --------------------------------------------------------------------------------------


def test_verify_webhook_gosend():
    body = b'{"booking_id":"GK-11-1"}'
    assert GoSendClient.verify_webhook({"Authorization": "tok-123"}, body, "tok-123")
    assert GoSendClient.verify_webhook({"authorization": "Bearer tok-123"}, body, "tok-123")
    assert not GoSendClient.verify_webhook({"Authorization": "tok-124"}, body, "tok-123")
    assert not GoSendClient.verify_webhook({}, body, "tok-123")
    assert not GoSendClient.verify_webhook({"Authorization": ""}, body, "")


def test_verify_webhook_grab():
    """Grab's documented scheme: the static ``Authorization`` secret and, optionally, the
    ``Authorization-Id``; no HMAC (Grab signs nothing)."""
    body = b'{"deliveryID":"IN-2-X","status":"COMPLETED"}'
    assert GrabExpressClient.verify_webhook({"Authorization": "whsec"}, body, "whsec")
    assert not GrabExpressClient.verify_webhook({"Authorization": "guess"}, body, "whsec")
    assert not GrabExpressClient.verify_webhook({}, body, "whsec")
    assert not GrabExpressClient.verify_webhook({"Authorization": ""}, body, "")
    # an HMAC signature alone is not Grab's: refused
    signature = hmac.new(b"whsec", body, hashlib.sha256).hexdigest()
    assert not GrabExpressClient.verify_webhook({"X-Grab-Signature": signature}, body, "whsec")
    assert not GrabExpressClient.webhook_is_signed({"X-Grab-Signature": signature})
    # Authorization-Id: checked when the account has one
    with_id = {"Authorization": "whsec", "Authorization-Id": "pemkab-01"}
    assert GrabExpressClient.verify_webhook(with_id, body, "whsec", auth_id="pemkab-01")
    assert not GrabExpressClient.verify_webhook(with_id, body, "whsec", auth_id="pemkab-02")
    assert not GrabExpressClient.verify_webhook(
        {"Authorization": "whsec"}, body, "whsec", auth_id="pemkab-01"
    )
    assert GrabExpressClient.verify_webhook(with_id, body, "whsec")


@pytest.mark.parametrize(("kind", "auth_id"), [("gosend", None), ("grab", None), ("grab", "id-7")])
def test_sandbox_posts_authenticated_webhooks(sandbox, receiver, kind, auth_id):
    if auth_id:
        sandbox.configure(webhook_auth_id_grab=auth_id)
    secret = sandbox.config[f"webhook_secret_{kind}"]
    cls = CLIENT_CLASSES[kind]
    client = make_client(sandbox, kind)
    booked = client.book(f"REF-HOOK-{kind}", ORIGIN, DESTINATION, PACKAGE)

    result = sandbox.advance(booked.our_ref, "driver_assigned")
    assert result["webhook_status"] == 200
    first = receiver.wait_for(1)[0]
    assert first["path"] == f"/{kind}"
    kwargs = {"auth_id": auth_id} if auth_id else {}
    assert cls.verify_webhook(first["headers"], first["body"], secret, **kwargs)
    assert not cls.verify_webhook(first["headers"], first["body"], "forged-secret", **kwargs)
    assert "X-Grab-Signature" not in first["headers"]
    if auth_id:
        assert first["headers"]["Authorization-Id"] == auth_id
        assert not cls.verify_webhook(first["headers"], first["body"], secret, auth_id="other")
    event = cls.parse_webhook(json.loads(first["body"]))
    # GoSend's webhooks carry no storeOrderId (the laravel-delivery-gosend sample)
    expected_ref = booked.our_ref if kind == "grab" else None
    assert (event.status, event.our_ref, event.courier_ref) == (
        "driver_assigned",
        expected_ref,
        booked.courier_ref,
    )
    assert event.order.driver_name and event.order.driver_plate and event.order.tracking_url
    assert event.order.driver_photo_url
    assert event.event_id and event.occurred_at.endswith("+00:00")
    assert json.loads(first["body"]) == result["payload"]

    sandbox.advance(booked.our_ref, "delivered")
    hooks = receiver.wait_for(3)
    events = [cls.parse_webhook(json.loads(h["body"])) for h in hooks]
    assert [e.status for e in events] == ["driver_assigned", "picked_up", "delivered"]
    assert len({e.event_id for e in events}) == 3
    done = events[-1].order
    assert done.receiver_name == DESTINATION.name and done.delivered_at
    # Grab tells the relationship; GoSend has no such field
    assert bool(done.receiver_relation) == (kind == "grab")
    photo, _mimetype = client.fetch_photo(done.proof_photo_url)
    assert photo.startswith(b"\x89PNG")


@pytest.mark.parametrize("kind", KINDS)
def test_duplicate_webhooks_carry_the_same_event_id(sandbox, receiver, kind):
    sandbox.configure(duplicate_webhook_rate=1.0)
    cls = CLIENT_CLASSES[kind]
    booked = make_client(sandbox, kind).book(f"REF-DUP-{kind}", ORIGIN, DESTINATION, PACKAGE)
    result = sandbox.advance(booked.our_ref, "driver_assigned")
    assert [w["duplicate"] for w in result["webhooks"]] == [False, True]
    first, second = receiver.wait_for(2)
    assert first["body"] == second["body"]
    assert (
        cls.parse_webhook(json.loads(first["body"])).event_id
        == cls.parse_webhook(json.loads(second["body"])).event_id
    )


@pytest.mark.parametrize("kind", KINDS)
def test_out_of_order_webhooks_never_move_a_booking_backwards(sandbox, receiver, kind):
    sandbox.configure(out_of_order_rate=1.0)
    cls = CLIENT_CLASSES[kind]
    booked = make_client(sandbox, kind).book(f"REF-OOO-{kind}", ORIGIN, DESTINATION, PACKAGE)

    sandbox.advance(booked.our_ref, "picked_up")  # two new events, sent newest first
    statuses = [cls.parse_webhook(json.loads(h["body"])).status for h in receiver.wait_for(2)]
    assert statuses == ["picked_up", "driver_assigned"]

    sandbox.advance(booked.our_ref, "delivered")  # one new event, then the previous again
    hooks = receiver.wait_for(4)
    statuses = [cls.parse_webhook(json.loads(h["body"])).status for h in hooks]
    assert statuses[2:] == ["delivered", "picked_up"]

    current = "booked"  # what a receiver applying STATUS_RANK ends with
    for status in statuses:
        if STATUS_RANK[status] > STATUS_RANK[current]:
            current = status
    assert current == "delivered"


def test_resend_and_control_endpoints_over_http(sandbox, receiver):
    client = make_client(sandbox, "gosend")
    booked = client.book("REF/CTRL/1", ORIGIN, DESTINATION, PACKAGE)
    assert control(sandbox, "GET", "health")["status"] == "ok"
    count = control(sandbox, "GET", "orders/count", params={"ref": "REF/CTRL/1"})
    assert count == {"ref": "REF/CTRL/1", "count": 1}

    ref_path = requests.utils.quote("REF/CTRL/1", safe="")
    advanced = control(
        sandbox,
        "POST",
        f"orders/{ref_path}/advance",
        json={"status": "Enroute Pickup", "webhook": True},
    )
    assert advanced["webhook_status"] == 200 and advanced["courier_status"] == "Enroute Pickup"
    assert advanced["payload"]["status"] == "out_for_pickup"
    assert lookup(client, sandbox, "REF/CTRL/1").status == "driver_assigned"

    resent = control(sandbox, "POST", f"orders/{ref_path}/webhook", json={"event_index": 1})
    assert resent["webhooks"][0]["status_code"] == 200
    first, second = receiver.wait_for(2)
    assert first["body"] == second["body"]  # byte-identical resend (duplicate test tool)

    stale = control(sandbox, "POST", f"orders/{ref_path}/webhook", json={"status": "booked"})
    assert stale["payload"]["status"] == "confirmed"
    assert lookup(client, sandbox, "REF/CTRL/1").status == "driver_assigned"  # order did not move

    config = control(sandbox, "POST", "config", json={"latency_ms": 5, "error_rate": 0.25})
    assert (config["latency_ms"], config["error_rate"]) == (5.0, 0.25)
    listing = control(sandbox, "GET", "orders")
    assert listing["counts"] == {"REF/CTRL/1": 1}
    assert listing["orders"][0]["courier_ref"] == booked.courier_ref
    bad = requests.post(f"{sandbox.url}/_sandbox/config", json={"nonsense": 1}, timeout=5)
    assert bad.status_code == 400
    control(sandbox, "POST", "reset", json={})
    assert control(sandbox, "GET", "orders/count", params={"ref": "REF/CTRL/1"})["count"] == 0
    assert control(sandbox, "GET", "config")["error_rate"] == 0.0


def test_booking_posts_the_booked_webhook_when_enabled(sandbox, receiver):
    sandbox.configure(webhook_on_create=True)
    booked = make_client(sandbox, "grab").book("REF-CREATED", ORIGIN, DESTINATION, PACKAGE)
    hooks = receiver.wait_for(1)
    assert hooks, "no webhook after booking"
    event = GrabExpressClient.parse_webhook(json.loads(hooks[0]["body"]))
    assert (event.status, event.courier_ref) == ("booked", booked.courier_ref)


def test_seed_makes_runs_reproducible():
    drivers = []
    for _ in range(2):
        with CourierSandbox(seed=7) as box:
            client = make_client(box, "gosend")
            client.book("REF-SEED", ORIGIN, DESTINATION, PACKAGE)
            result = box.advance("REF-SEED", "driver_assigned", webhook=False)
            payload = result["events"][0]["payload"]
            drivers.append((payload["driver_name"], payload["vehicle_number"], payload["event_id"]))
    assert drivers[0] == drivers[1]


def test_command_line_sandbox_starts_and_stops():
    with sandbox_by_path("--seed", "1") as url:
        health = requests.get(url + "/_sandbox/health", timeout=5).json()
        assert health["status"] == "ok"
        config = requests.get(url + "/_sandbox/config", timeout=5).json()
        assert config["auto_advance"] is True and config["seed"] == 1
        assert config["webhook_url_grab"] == "http://127.0.0.1:9/none"


def test_errors_are_courier_errors():
    error = RetryableError("slow down", code="rate_limited", status_code=429, retry_after=2)
    assert isinstance(error, CourierError) and error.retryable
    assert str(error) == "[rate_limited] slow down (HTTP 429)"
    assert error.message == "slow down" and error.retry_after == 2
