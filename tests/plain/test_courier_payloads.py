# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The couriers' own payloads (``fixtures/``, each from a named source) read by the
clients, and the answers only a courier gives (a refusal in a header, a 2xx that
refuses or pre-books), served by a tiny canned HTTP server. Plain pytest, no Odoo."""

import dataclasses
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addons" / "pemkab_delivery"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))

from clients import (  # noqa: E402
    GoSendClient,
    GrabExpressClient,
    Location,
    Package,
    PermanentError,
)
from sandbox.courier_sandbox import CourierSandbox  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ORIGIN = Location(
    "RSUD Blambangan",
    "0333 421000",
    "Jl. Letjen S. Parman",
    -8.2191,
    114.3691,
    note="Ambil di loket farmasi",
)
DESTINATION = Location(
    "Siti Aminah",
    "0812 3456 7890",
    "Desa Kemiren",
    -8.2080,
    114.3267,
    note="Rumah pagar hijau dekat masjid",
)
PACKAGE = Package("RX-0001", "Paket layanan kesehatan", weight_kg=0.5)


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Canned:
    """Answers every request with the next canned ``(status, body, headers)``."""

    def __init__(self):
        self.answers = []
        self.requests = []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                canned.requests.append((self.command, self.path, self.rfile.read(length)))
                status, body, headers = canned.answers.pop(0)
                raw = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canned():
    server = Canned()
    yield server
    server.close()


def gosend(url):
    session = requests.Session()
    session.trust_env = False
    return GoSendClient(url, {"client_id": "c", "pass_key": "p"}, timeout=(2, 5), session=session)


# --------------------------------------------------------------------------------------
# Grab
# --------------------------------------------------------------------------------------


def test_grab_webhook_carries_receiver_proof_and_driver_photo():
    event = GrabExpressClient.parse_webhook(fixture("grab_webhook_completed.json"))
    order = event.order
    assert (event.status, event.our_ref, event.courier_ref) == (
        "delivered",
        "PKB/DLV/2026/00042",
        "IN-2-0BTPB1C1G8IL6W72ZHK8",
    )
    assert (order.receiver_name, order.receiver_relation) == ("Siti Aminah", "Anak")
    assert order.proof_photo_url.startswith("https://proof.grab.com/dropoff/")
    assert order.driver_photo_url.startswith("https://drivers.grab.com/photo/")


def test_grab_details_have_no_receiver_nor_proof_so_the_webhook_is_merged():
    client = GrabExpressClient(
        "https://partner-api.grab.com/grab-express", {"client_id": "c", "client_secret": "s"}
    )
    details = client._order_from_delivery(fixture("grab_delivery_details_completed.json"), None)
    assert details.status == "delivered" and details.delivered_at
    # the details carry the recipient as booked: not who received
    assert details.receiver_name is None and details.receiver_relation is None
    assert details.proof_photo_url is None
    assert details.driver_photo_url  # courier.pictureURL
    event = GrabExpressClient.parse_webhook(fixture("grab_webhook_completed.json"))
    merged = details.merged_with(event.order)
    assert (merged.receiver_name, merged.receiver_relation) == ("Siti Aminah", "Anak")
    assert merged.proof_photo_url == event.order.proof_photo_url
    assert merged.status == "delivered" and merged.raw == details.raw  # the lookup wins
    # another delivery's webhook is never merged in
    other = details.merged_with(
        GrabExpressClient.parse_webhook(
            dict(fixture("grab_webhook_completed.json"), deliveryID="IN-2-OTHER")
        ).order
    )
    assert other.receiver_name is None and other.proof_photo_url is None


def test_grab_directions_reach_the_driver_and_keywords_never_name_the_patient():
    client = GrabExpressClient(
        "https://partner-api.grab.com/grab-express", {"client_id": "c", "client_secret": "s"}
    )
    body = client.build_delivery_payload("REF-1", ORIGIN, DESTINATION, PACKAGE)
    # Grab shows sender.instruction to the driver; recipient.instruction is "currently unused"
    assert "Rumah pagar hijau dekat masjid" in body["sender"]["instruction"]
    assert "Ambil di loket farmasi" in body["sender"]["instruction"]
    assert not body["recipient"]["instruction"]
    assert DESTINATION.name not in json.dumps(body["destination"])
    assert body["origin"]["keywords"] == ORIGIN.name


def test_route_limits_before_booking():
    assert GrabExpressClient.route_problem("instant", 35.5) == ("distance", 35.0)
    assert GrabExpressClient.route_problem("instant", 34.0) is None
    assert GoSendClient.route_problem("instant", 39.0, 19.0) is None
    assert GoSendClient.route_problem("instant", 41.0) == ("distance", 40.0)
    assert GoSendClient.route_problem("instant", 10.0, 25.0) == ("weight", 20.0)


def test_sandbox_grab_refuses_past_35_km_and_has_no_merchant_get():
    far = Location("Siti", "0812 3456 7890", "Kalibaru", -8.2920, 113.9890)  # ~42 km west
    with CourierSandbox(seed=1) as sandbox:
        session = requests.Session()
        session.trust_env = False
        client = GrabExpressClient(
            f"{sandbox.url}/grab",
            {"client_id": "sandbox-client", "client_secret": "sandbox-secret"},
            session=session,
        )
        with pytest.raises(PermanentError) as refused:
            client.book("REF-FAR", ORIGIN, far, PACKAGE)
        assert refused.value.message == "Distance SLA Exceeded" and sandbox.count("REF-FAR") == 0
        client.book("REF-NEAR", ORIGIN, DESTINATION, PACKAGE)
        token = client._access_token()
        response = session.get(
            f"{sandbox.url}/grab/v1/merchant/deliveries/REF-NEAR",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert response.status_code == 405
        # the documented cancel by our reference
        cancelled = client.cancel("REF-NEAR", None)
        assert (
            cancelled.status == "cancelled"
            and sandbox.orders("REF-NEAR")[0]["stage"] == "cancelled"
        )


def test_sandbox_photo_links_expire():
    with CourierSandbox(seed=1, proof_link_ttl_s=0) as sandbox:
        session = requests.Session()
        session.trust_env = False
        client = GoSendClient(
            f"{sandbox.url}/gosend",
            {"client_id": "sandbox-client", "pass_key": "sandbox-pass"},
            session=session,
        )
        booked = client.book("REF-EXPIRE", ORIGIN, DESTINATION, PACKAGE)
        sandbox.advance("REF-EXPIRE", "delivered", webhook=False)
        done = client.get_order_by_courier_ref(booked.courier_ref)
        with pytest.raises(PermanentError) as expired:
            client.fetch_photo(done.proof_photo_url)
        assert expired.value.code == "photo_expired"
        # never from another host, whatever the link says
        with pytest.raises(PermanentError) as refused:
            client.fetch_photo("https://evil.example.com/proof.png")
        assert refused.value.code == "photo_refused"


# --------------------------------------------------------------------------------------
# GoSend
# --------------------------------------------------------------------------------------


def test_gosend_webhook_without_our_reference():
    event = GoSendClient.parse_webhook(fixture("gosend_webhook_no_driver.json"))
    assert event.our_ref is None and event.courier_ref == "GK-11-117385"
    assert (event.status, event.order.failure_reason) == ("failed", "no_driver")


def test_gosend_proofs_as_public_code_shows_them():
    event = GoSendClient.parse_webhook(fixture("gosend_webhook_delivered.json"))
    assert event.order.proof_photo_url == "https://photos.gojekapi.com/pod/GK-11-117386.jpg"
    assert event.order.driver_photo_url == "https://photos.gojekapi.com/driver/budi.jpg"
    assert event.order.receiver_name == "Siti Aminah" and event.order.receiver_relation is None
    client = gosend("https://integration-kilat-api.gojekapi.com")
    looked_up = client._order_from_booking(fixture("gosend_booking_status_completed.json"), None)
    assert looked_up.status == "delivered" and looked_up.our_ref == "PKB/DLV/2026/00043"
    assert looked_up.proof_photo_url == "https://photos.gojekapi.com/pod/GK-11-117386.jpg"
    assert looked_up.receiver_relation is None
    assert client.photo_url_allowed(looked_up.proof_photo_url)


def test_gosend_refusal_text_from_the_error_message_header(canned):
    canned.answers.append(
        (
            400,
            {"errors": [{"code": "x"}], "message": "Bad Request"},
            {"Error-Message": "Lokasi di luar area layanan"},
        )
    )
    with pytest.raises(PermanentError) as refused:
        gosend(canned.url).book("REF-AREA", ORIGIN, DESTINATION, PACKAGE)
    assert refused.value.message == "Lokasi di luar area layanan"
    assert "HTTP 400" not in refused.value.message


def test_gosend_2xx_with_errors_is_a_refusal(canned):
    canned.answers.append((200, fixture("gosend_booking_2xx_errors.json"), {}))
    with pytest.raises(PermanentError) as refused:
        gosend(canned.url).book("REF-2XX", ORIGIN, DESTINATION, PACKAGE)
    assert refused.value.message == "Lokasi tujuan di luar area layanan"
    assert refused.value.code == "out_of_service_area" and not refused.value.retryable


def test_gosend_2xx_prebook_is_a_prebooking(canned):
    canned.answers.append((201, fixture("gosend_booking_2xx_prebook.json"), {}))
    info = gosend(canned.url).book("PKB/DLV/2026/00045", ORIGIN, DESTINATION, PACKAGE, "same_day")
    assert (info.status, info.courier_ref, info.courier_status) == ("booked", None, "prebook")


def test_gosend_booking_answer_from_the_docs(canned):
    canned.answers.append((201, fixture("gosend_booking_created.json"), {}))
    info = gosend(canned.url).book("PKB/DLV/2026/00044", ORIGIN, DESTINATION, PACKAGE)
    assert (info.courier_ref, info.status) == ("GK-11-170563", "booked")


def test_sandbox_gosend_refusal_in_the_header():
    far = Location("Siti", "0812 3456 7890", "Wongsorejo", -7.8500, 114.4000)  # ~41 km north
    with CourierSandbox(seed=1) as sandbox:
        client = gosend(f"{sandbox.url}/gosend")
        client.credentials.update(client_id="sandbox-client", pass_key="sandbox-pass")
        with pytest.raises(PermanentError) as refused:
            client.book("REF-FAR", ORIGIN, far, PACKAGE)
        assert refused.value.message == "Distance exceeds 40 km"


# ----------------------------------------------------------------------
# What the couriers offer: the driver's position, who cancelled and why
# ----------------------------------------------------------------------
def test_grab_driver_position_and_failed_reason():
    """Grab's webhook carries ``driver.currentLat/currentLng`` and, with ``FAILED``, its
    ``failedReason`` (docs, "Tracking Webhook"); its details ``courier.coordinates``
    ("Get Delivery Details"). The reason's words are kept beside our code."""
    event = GrabExpressClient.parse_webhook(fixture("grab_webhook_failed.json"))
    order = event.order
    assert (order.driver_latitude, order.driver_longitude) == (-8.215, 114.3601)
    assert order.failure_reason == "cancelled_by_courier"
    assert order.courier_reason == "2|Driver canceled : fake sender/order"
    completed = GrabExpressClient.parse_webhook(fixture("grab_webhook_completed.json")).order
    assert completed.courier_reason is None, "no failedReason: nothing to show"
    client = GrabExpressClient(
        "https://partner-api.grab.com/grab-express", {"client_id": "c", "client_secret": "s"}
    )
    details = client._order_from_delivery(fixture("grab_delivery_details_completed.json"), None)
    coordinates = fixture("grab_delivery_details_completed.json")["courier"].get("coordinates")
    expected = (coordinates or {}).get("latitude"), (coordinates or {}).get("longitude")
    assert (details.driver_latitude, details.driver_longitude) == expected


def test_gosend_cancelled_by_and_no_driver_position():
    """GoSend's webhook tells who cancelled (``cancelled_by``); no public source shows a
    driver position in its lookups or webhooks: none is read."""
    event = GoSendClient.parse_webhook(fixture("gosend_webhook_cancelled.json"))
    assert (event.status, event.order.courier_reason) == ("cancelled", "driver")
    assert event.order.driver_latitude is None and event.order.driver_longitude is None
    delivered = GoSendClient.parse_webhook(fixture("gosend_webhook_delivered.json")).order
    assert delivered.courier_reason is None


def test_grab_recipient_sms_on_pickup_only_where_asked():
    """Grab's ``recipient.smsEnabled`` "sends SMS on pickup" (docs, "Create Delivery");
    the sender's SMS is not supported: always off."""
    client = GrabExpressClient(
        "https://partner-api.grab.com/grab-express", {"client_id": "c", "client_secret": "s"}
    )
    quiet = client.build_delivery_payload("REF-1", ORIGIN, DESTINATION, PACKAGE)
    assert quiet["recipient"]["smsEnabled"] is False
    texted = dataclasses.replace(DESTINATION, sms_enabled=True)
    body = client.build_delivery_payload("REF-1", ORIGIN, texted, PACKAGE)
    assert body["recipient"]["smsEnabled"] is True
    assert body["sender"]["smsEnabled"] is False
