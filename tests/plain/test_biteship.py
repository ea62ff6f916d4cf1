# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Biteship client (``clients/biteship.py``): Biteship's own example payloads
(``fixtures/biteship/``, copied from its public docs) parsed, then the client against the
sandbox's Biteship API over real HTTP on 127.0.0.1. No Odoo, nothing mocked."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addons" / "pemkab_delivery"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))

from clients import (  # noqa: E402
    AuthError,
    BiteshipClient,
    CourierTimeout,
    Location,
    OrderNotFound,
    Package,
    PermanentError,
)
from clients.biteship import WEBHOOK_HEADER  # noqa: E402
from sandbox.courier_sandbox import CourierSandbox  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "biteship"
KEY = "biteship_test.sandbox-key"
ORIGIN = Location(
    "Puskesmas Sobo", "+62 333 421 000", "Jl. Letjen S. Parman", -8.2191, 114.3691, note="Loket"
)
DESTINATION = Location("Ibu Siti Aminah", "0812-3456-7890", "Dusun Krajan", -8.2080, 114.3267)
FAR_VILLAGE = Location("Bapak Darmo", "0812-1111-2222", "Desa Sumberagung", -8.5800, 114.0300)
PACKAGE = Package("PKT-0001", "Paket layanan kesehatan", weight_kg=0.5)


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def client(sandbox, company="gojek", courier_type="instant", key=KEY, **kwargs):
    return BiteshipClient(
        sandbox.url + "/biteship",
        {"api_key": key},
        courier_company=company,
        courier_type=courier_type,
        timeout=(2, 5),
        **kwargs,
    )


@pytest.fixture(scope="module")
def sandbox():
    with CourierSandbox(seed=7, webhook_on_create=False) as box:
        yield box


@pytest.fixture(autouse=True)
def _fresh(sandbox):
    sandbox.reset()


# --------------------------------------------------------------------------------------
# Biteship's own examples (fixtures)
# --------------------------------------------------------------------------------------
def test_docs_webhook_order_status_parses():
    event = BiteshipClient.parse_webhook(fixture("webhook_order_status.json"))
    assert event.courier_ref == "5dd6da88f43bd430ecd5aa2e"
    assert event.our_ref is None, "Biteship's webhook carries no reference of ours"
    assert (event.status, event.courier_status) == ("booked", "confirmed")
    assert event.order.driver_name == "Maulana Imran"
    assert event.order.driver_plate == "B 1234 AAA"
    assert event.order.driver_photo_url == "https://picsum.photos/200"
    assert event.order.tracking_url == "https://xxx-yyy-zzz.com"
    assert event.order.price == 100000.0
    again = BiteshipClient.parse_webhook(fixture("webhook_order_status.json"))
    assert again.event_id == event.event_id, "a duplicate carries the same derived id"


def test_docs_webhook_price_and_waybill_events_parse():
    price = BiteshipClient.parse_webhook(fixture("webhook_order_price.json"))
    assert (price.status, price.order.price) == ("picked_up", 100000.0)
    waybill = BiteshipClient.parse_webhook(fixture("webhook_order_waybill_id.json"))
    assert (waybill.courier_ref, waybill.status) == ("AbSASD12213dadas", "picked_up")
    assert waybill.order.price is None
    assert len({price.event_id, waybill.event_id}) == 2


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"event": "order.status", "status": "delivered"},  # no order
        {"event": "order.cancel", "order_id": "X", "status": "cancelled"},  # no such event
    ],
)
def test_malformed_webhooks_refused(payload):
    with pytest.raises(PermanentError):
        BiteshipClient.parse_webhook(payload)


def test_docs_orders_parse():
    bare = BiteshipClient("http://127.0.0.1:9", {"api_key": KEY})
    created = bare._order_from(fixture("order_created.json"), "BK-1")
    assert (created.courier_ref, created.status, created.price) == (
        "5dd599ebdefcd4158eb8470b",
        "booked",
        48000.0,
    )
    assert created.our_ref == "BK-1"
    retrieved = bare._order_from(fixture("order_retrieved.json"), None)
    assert (retrieved.status, retrieved.driver_name, retrieved.driver_plate) == (
        "driver_assigned",
        "John Doe",
        "B 1234 ABC",
    )
    assert retrieved.tracking_url == "https://example.com/10298309123809"
    assert fixture("order_cancelled.json")["status"] == "cancelled"
    taken = fixture("order_reference_taken.json")
    assert (taken["code"], taken["details"]["order_id"]) == (40002060, "660105377589b8dea565208b")


@pytest.mark.parametrize(
    ("raw", "ours", "reason"),
    [
        ("confirmed", "booked", None),
        ("scheduled", "booked", None),
        ("allocated", "driver_assigned", None),
        ("picking_up", "driver_assigned", None),
        ("picked", "picked_up", None),
        ("dropping_off", "picked_up", None),
        ("return_in_transit", "picked_up", None),
        ("on_hold", None, None),  # before or after the pickup: recorded only
        ("delivered", "delivered", None),
        ("cancelled", "cancelled", None),
        ("courier_not_found", "failed", "no_driver"),
        ("rejected", "failed", "rejected"),
        ("returned", "failed", "returned"),
        ("disposed", "failed", "damaged"),
    ],
)
def test_every_documented_status_maps(raw, ours, reason):
    assert BiteshipClient.map_status(raw) == ours
    assert BiteshipClient.failure_reason(raw) == reason


def test_key_prefix_and_company_required():
    with pytest.raises(ValueError):
        BiteshipClient("http://127.0.0.1:9", {"api_key": "sk_live_other"})
    with pytest.raises(ValueError):
        BiteshipClient("http://127.0.0.1:9", {"api_key": KEY}, courier_company="")


def test_webhook_token_and_probe():
    headers = {WEBHOOK_HEADER: "s3cret", "Content-Type": "application/json"}
    assert BiteshipClient.verify_webhook(headers, b"{}", "s3cret")
    assert not BiteshipClient.verify_webhook(headers, b"{}", "other")
    assert not BiteshipClient.verify_webhook({"Authorization": "s3cret"}, b"{}", "s3cret")
    assert not BiteshipClient.webhook_is_signed(headers), "a static token, never a signature"
    assert BiteshipClient.is_webhook_probe({}, b"")
    assert not BiteshipClient.is_webhook_probe({}, b'{"event": "order.status"}')


# --------------------------------------------------------------------------------------
# Against the sandbox, over HTTP
# --------------------------------------------------------------------------------------
def test_book_look_up_cancel(sandbox):
    api = client(sandbox)
    quote = api.quote(ORIGIN, DESTINATION)
    assert quote.price >= 15000
    info = api.book("BK-1", ORIGIN, DESTINATION, PACKAGE)
    assert (info.status, info.courier_status, info.our_ref) == ("booked", "confirmed", "BK-1")
    sent = sandbox.orders("BK-1")[0]
    assert sent["destination"]["phone"] == "081234567890", "local form, as the docs' examples"
    sandbox.advance("BK-1", "driver_assigned", webhook=False)
    found = api.get_order_by_courier_ref(info.courier_ref)
    assert (found.status, found.courier_status) == ("driver_assigned", "allocated")
    assert found.driver_name and found.tracking_url
    cancelled = api.cancel("BK-1", info.courier_ref)
    assert cancelled.status == "cancelled"
    assert sandbox.orders("BK-1")[0]["stage"] == "cancelled"


def test_second_booking_call_finds_the_first_order(sandbox):
    """Biteship refuses a reference_id already used and names its order: a booking call
    repeated after a lost answer never makes a second order."""
    api = client(sandbox)
    first = api.book("BK-2", ORIGIN, DESTINATION, PACKAGE)
    again = api.book("BK-2", ORIGIN, DESTINATION, PACKAGE)
    assert again.courier_ref == first.courier_ref
    assert sandbox.count("BK-2") == 1


def test_timeout_then_the_repeated_call_finds_the_order(sandbox):
    sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.0)
    api = client(sandbox)
    api.timeout = (2, 0.3)
    with pytest.raises(CourierTimeout):
        api.book("BK-3", ORIGIN, DESTINATION, PACKAGE)
    sandbox.configure(timeout_rate=0.0)
    api.timeout = (2, 5)
    info = api.book("BK-3", ORIGIN, DESTINATION, PACKAGE)
    assert info.courier_ref == sandbox.orders("BK-3")[0]["courier_ref"]
    assert sandbox.count("BK-3") == 1


def test_no_lookup_by_our_reference():
    assert BiteshipClient.LOOKUP_BY_REFERENCE is False
    with pytest.raises(PermanentError):
        BiteshipClient("http://127.0.0.1:9", {"api_key": KEY}).get_order("BK-1")


def test_cancel_after_pickup_refused(sandbox):
    api = client(sandbox)
    info = api.book("BK-4", ORIGIN, DESTINATION, PACKAGE)
    sandbox.advance("BK-4", "picked_up", webhook=False)
    with pytest.raises(PermanentError) as refused:
        api.cancel("BK-4", info.courier_ref)
    assert refused.value.code == "cancel_after_pickup"


def test_errors_read_by_code(sandbox):
    with pytest.raises(AuthError):
        client(sandbox, key="biteship_test.wrong").book("BK-5", ORIGIN, DESTINATION, PACKAGE)
    with pytest.raises(OrderNotFound):
        client(sandbox).get_order_by_courier_ref("0123456789abcdef01234567")
    with pytest.raises(PermanentError) as unknown_type:
        client(sandbox, courier_type="reg").book("BK-6", ORIGIN, DESTINATION, PACKAGE)
    assert unknown_type.value.code == "40002027"
    assert sandbox.count("BK-5") == sandbox.count("BK-6") == 0


def test_instant_couriers_refuse_a_far_village_regular_couriers_take_it(sandbox):
    with pytest.raises(PermanentError) as refused:
        client(sandbox).book("BK-7", ORIGIN, FAR_VILLAGE, PACKAGE)
    assert refused.value.code == "40001010"
    with pytest.raises(PermanentError) as no_quote:
        client(sandbox).quote(ORIGIN, FAR_VILLAGE)
    assert no_quote.value.code == "not_serviceable"
    info = client(sandbox, company="jne", courier_type="reg").book(
        "BK-7", ORIGIN, FAR_VILLAGE, PACKAGE
    )
    assert info.status == "booked"


def test_api_key_never_logged(sandbox):
    entries = []
    api = client(sandbox, on_exchange=entries.append)
    api.book("BK-8", ORIGIN, DESTINATION, PACKAGE)
    text = json.dumps(entries)
    assert KEY not in text
    assert entries[0]["request_headers"]["Authorization"] == "***"


class _Receiver:
    def __init__(self):
        self.calls = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.calls.append((dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_sandbox_posts_biteship_webhooks_with_the_static_header(sandbox):
    receiver = _Receiver()
    try:
        sandbox.configure(webhook_url_biteship=receiver.url, webhook_secret_biteship="tok")
        api = client(sandbox)
        info = api.book("BK-9", ORIGIN, DESTINATION, PACKAGE)
        sent = sandbox.advance("BK-9", "delivered")
        assert [w["status_code"] for w in sent["webhooks"]] == [200, 200, 200]
        headers, body = receiver.calls[-1]
        assert BiteshipClient.verify_webhook(headers, body, "tok")
        event = BiteshipClient.parse_webhook(json.loads(body))
        assert (event.courier_ref, event.status) == (info.courier_ref, "delivered")
        assert event.event_id == sent["events"][-1]["event_id"]
    finally:
        receiver.close()
