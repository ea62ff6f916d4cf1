# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the couriers offer and a regency needs (issue 19): the vehicle chosen by the
parcel's weight, Grab's pickup window and vehicle type, GoSend's car and insurance. The
clients' bodies against the sources' payloads (``fixtures/``), and the sandbox refusing
what the couriers refuse. Plain pytest, no Odoo."""

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addons" / "pemkab_delivery"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))

from clients import (  # noqa: E402
    BiteshipClient,
    CourierTermsPlanner,
    GoSendClient,
    GrabExpressClient,
    Location,
    Package,
    PermanentError,
    Terms,
    choose_vehicle,
)
from sandbox.courier_sandbox import CourierSandbox  # noqa: E402
from sandbox.gosend import insurance_problem  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WIB = timezone(timedelta(hours=7))
ORIGIN = Location(
    "Gudang Dinsos Banyuwangi",
    "0333 421000",
    "Jl. Letjen S. Parman, Banyuwangi",
    -8.2191,
    114.3691,
    note="Ambil di gudang",
)
DESTINATION = Location(
    "Siti Aminah",
    "0812 3456 7890",
    "Desa Kemiren, Kec. Glagah, Banyuwangi",
    -8.2080,
    114.3267,
    note="Rumah pagar hijau dekat masjid",
)


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def shape(value):
    """The JSON shape of ``value``: its keys and the types of its leaves."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    return (
        "number"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else (type(value).__name__)
    )


def grab():
    return GrabExpressClient(
        "https://partner-api.grab.com/grab-express", {"client_id": "c", "client_secret": "s"}
    )


def gosend():
    return GoSendClient("https://kilat-api.gojekapi.com", {"client_id": "c", "pass_key": "p"})


# ----------------------------------------------------------------------
# choose_vehicle
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("weight", "bike_max", "car", "car_max", "expected"),
    [
        (5.0, 20.0, False, None, "bike"),
        (20.0, 20.0, False, None, "bike"),  # the limit itself still goes by motorbike
        (20.5, 20.0, True, None, "car"),
        (20.5, 20.0, False, None, None),  # no car service: refused
        (60.0, 20.0, True, 50.0, None),  # heavier than the car takes
        (60.0, None, False, None, "bike"),  # no limit known
        (0, 20.0, False, None, "bike"),
    ],
)
def test_choose_vehicle(weight, bike_max, car, car_max, expected):
    assert choose_vehicle(weight, bike_max, car=car, car_max_kg=car_max) == expected


def test_clients_declare_their_vehicles_and_limits():
    # GoSend Instant: 20 kg by motorbike, InstantCar beside it; none for SameDay
    assert GoSendClient.vehicle_for("instant", 25.0) is None
    assert GoSendClient.vehicle_for("instant", 25.0, car=True) == "car"
    assert GoSendClient.vehicle_for("same_day", 25.0, car=True) == "bike"  # no limit known
    assert GoSendClient.route_problem("instant", 10.0, 25.0) == ("weight", 20.0)
    assert GoSendClient.route_problem("instant", 10.0, 25.0, car=True) is None
    # Grab: BIKE 20 kg (per agreement), CAR for both services
    assert GrabExpressClient.vehicle_for("same_day", 30.0, car=True) == "car"
    assert GrabExpressClient.route_problem("same_day", 10.0, 30.0) == ("weight", 20.0)
    assert GrabExpressClient.route_problem("instant", 10.0, 30.0, car=True) is None
    # the distance is checked first, whatever the vehicle
    assert GrabExpressClient.route_problem("instant", 36.0, 30.0, car=True) == ("distance", 35.0)
    assert GrabExpressClient.SCHEDULED_PICKUP and not GoSendClient.SCHEDULED_PICKUP
    assert GoSendClient.INSURANCE and not GrabExpressClient.INSURANCE
    assert not BiteshipClient.OFFERS_VEHICLES


GOSEND, GRAB, BITESHIP, OWN_FLEET, GOSEND_CAR = 1, 2, 3, 4, 5
DINSOS, RSUD = 10, 11
WINDOW = (datetime(2026, 12, 7, 1, 0), datetime(2026, 12, 7, 3, 0))
PLANNER = CourierTermsPlanner(
    {
        GOSEND: (GoSendClient, False),
        GRAB: (GrabExpressClient, True),
        BITESHIP: (BiteshipClient, False),
        OWN_FLEET: (None, False),
        GOSEND_CAR: (GoSendClient, True),
    },
    {DINSOS: WINDOW},
    {DINSOS: 0.0, RSUD: 500000.0},
)


@pytest.mark.parametrize(
    ("account", "agency", "service", "weight", "value", "expected"),
    [
        # the motorbike while it carries the parcel, then the account's car
        (GOSEND, RSUD, "instant", 5.0, 0, ("bike", None, None, False)),
        (GOSEND_CAR, RSUD, "instant", 25.0, 0, ("car", None, None, False)),
        (GOSEND, RSUD, "instant", 25.0, 0, (None, None, None, False)),
        # insured from the agency's threshold, at GoSend only; no threshold, no insurance
        (GOSEND, RSUD, "instant", 1.0, 500000.0, ("bike", None, None, True)),
        (GOSEND, RSUD, "instant", 1.0, 499999.0, ("bike", None, None, False)),
        (GOSEND, DINSOS, "instant", 1.0, 9e9, ("bike", None, None, False)),
        (GRAB, RSUD, "instant", 1.0, 9e9, ("bike", None, None, False)),
        # Grab's window from the agency's pickup hour; none where the agency sets none
        (GRAB, DINSOS, "same_day", 30.0, 0, ("car", *WINDOW, False)),
        (GRAB, RSUD, "same_day", 2.0, 0, ("bike", None, None, False)),
        (GOSEND, DINSOS, "instant", 2.0, 0, ("bike", None, None, False)),
        # an aggregator offers no vehicle; the own fleet is asked nothing
        (BITESHIP, RSUD, "instant", 30.0, 9e9, (None, None, None, False)),
        (OWN_FLEET, DINSOS, "instant", 30.0, 9e9, (None, None, None, False)),
    ],
)
def test_courier_terms_planner(account, agency, service, weight, value, expected):
    assert PLANNER.plan(account, agency, service, weight, value) == expected


def test_courier_terms_planner_threshold_only_where_the_courier_insures():
    assert PLANNER.insure_from(GOSEND, RSUD) == 500000.0
    assert PLANNER.insure_from(GOSEND, DINSOS) is None  # 0: no threshold set
    assert PLANNER.insure_from(GRAB, RSUD) is None
    assert PLANNER.insure_from(OWN_FLEET, RSUD) is None


# ----------------------------------------------------------------------
# The bodies, against the sources' payloads
# ----------------------------------------------------------------------
def test_grab_body_carries_vehicle_type_and_schedule_as_grab_documents():
    start = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)  # 08:00 WIB
    terms = Terms(vehicle="car", pickup_from=start, pickup_until=start + timedelta(hours=2))
    package = Package("BANSOS-0007", "Paket sembako", weight_kg=25.0)
    body = grab().build_delivery_payload(
        "PKB/DLV/2026/00046", ORIGIN, DESTINATION, package, "instant", terms
    )
    expected = fixture("grab_delivery_request_scheduled.json")
    assert shape(body) == shape(expected)
    assert body["vehicleType"] == "CAR"
    assert body["schedule"] == expected["schedule"]
    assert body["packages"][0]["dimensions"]["weight"] == 25000
    # no terms: a motorbike, now
    plain = grab().build_delivery_payload("REF-1", ORIGIN, DESTINATION, package)
    assert plain["vehicleType"] == "BIKE" and "schedule" not in plain


def test_gosend_body_carries_instant_car_and_insurance_as_integrations_send_it():
    terms = Terms(vehicle="car", insured=True, insurance_fee=2500)
    package = Package("RX-0001", "Paket", weight_kg=22.0, value=750000)
    body = gosend().build_booking_payload(
        "PKB/DLV/2026/00045", ORIGIN, DESTINATION, package, "instant", terms
    )
    expected = fixture("gosend_booking_request_insured.json")
    assert shape(body["routes"]) == shape(expected["routes"])
    assert set(expected) <= set(body)
    assert body["shipment_method"] == "InstantCar"
    assert body["routes"][0]["insuranceDetails"] == expected["routes"][0]["insuranceDetails"]
    # never a medicine's name: the parcel's code
    assert "RX-0001" in body["routes"][0]["insuranceDetails"]["product_description"]
    # the README's own sample is well formed for the sandbox, and so is ours
    readme = {
        "applied": "false",
        "fee": "0",
        "product_description": "Sepatu, Sendal, Kaos Kaki",
        "product_price": "500.000",
    }
    assert insurance_problem(readme) is None
    assert insurance_problem(body["routes"][0]["insuranceDetails"]) is None
    # uninsured, by motorbike: nothing more than before
    plain = gosend().build_booking_payload("REF-1", ORIGIN, DESTINATION, package)
    assert plain["shipment_method"] == "Instant"
    assert "insuranceDetails" not in plain["routes"][0]
    with pytest.raises(PermanentError):
        gosend().build_booking_payload(
            "REF-1", ORIGIN, DESTINATION, package, "same_day", Terms(vehicle="car")
        )


@pytest.mark.parametrize(
    ("details", "problem"),
    [
        (
            {"applied": True, "fee": "0", "product_description": "x", "product_price": "1"},
            "strings",
        ),
        ({"applied": "true", "fee": "0", "product_description": "x"}, "missing"),
        (
            {"applied": "yes", "fee": "0", "product_description": "x", "product_price": "1"},
            "applied",
        ),
        (
            {"applied": "true", "fee": "2,5", "product_description": "x", "product_price": "1"},
            "fee",
        ),
        ({"applied": "true", "fee": "0", "product_description": "", "product_price": "1"}, "needs"),
        ("yes", "object"),
    ],
)
def test_sandbox_gosend_insurance_problems(details, problem):
    assert problem in insurance_problem(details)


# ----------------------------------------------------------------------
# The sandbox refuses what the couriers refuse
# ----------------------------------------------------------------------
def _session():
    session = requests.Session()
    session.trust_env = False
    return session


def test_sandbox_grab_takes_a_car_and_a_window_and_refuses_the_rest():
    with CourierSandbox(seed=1) as sandbox:
        client = GrabExpressClient(
            f"{sandbox.url}/grab",
            {"client_id": "sandbox-client", "client_secret": "sandbox-secret"},
            session=_session(),
        )
        heavy = Package("BANSOS-1", "Paket sembako", weight_kg=25.0)
        # a 25 kg parcel on a motorbike: Grab's "Package over weight limit"
        with pytest.raises(PermanentError) as refused:
            client.book("REF-BIKE", ORIGIN, DESTINATION, heavy)
        assert refused.value.message == "Package over weight limit"
        start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=20)
        window = Terms(vehicle="car", pickup_from=start, pickup_until=start + timedelta(hours=2))
        info = client.book("REF-CAR", ORIGIN, DESTINATION, heavy, "instant", window)
        details = client.get_order_by_courier_ref(info.courier_ref).raw
        assert details["schedule"]["pickupTimeFrom"].endswith("+07:00")
        sandbox.advance("REF-CAR", "driver_assigned", webhook=False)
        details = client.get_order_by_courier_ref(info.courier_ref).raw
        assert details["courier"]["vehicle"]["physicalVehicleType"] == "CAR"
        # three days ahead: outside Grab's same day, T+1 or T+2
        late = start + timedelta(days=3)
        with pytest.raises(PermanentError) as refused:
            client.book(
                "REF-LATE",
                ORIGIN,
                DESTINATION,
                heavy,
                "instant",
                Terms(vehicle="car", pickup_from=late, pickup_until=late + timedelta(hours=2)),
            )
        assert refused.value.message == "The time chosen is outside the service available time"
        body = client.build_delivery_payload("REF-VAN", ORIGIN, DESTINATION, heavy)
        body["vehicleType"] = "HOVERCRAFT"
        token = client._access_token()
        answer = _session().post(
            f"{sandbox.url}/grab/v1/deliveries",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert answer.status_code == 400 and answer.json()["message"] == "Invalid vehicleType"
        # a naive time is no RFC 3339 with an offset
        body = client.build_delivery_payload("REF-NAIVE", ORIGIN, DESTINATION, heavy)
        body.update(
            vehicleType="CAR",
            schedule={
                "pickupTimeFrom": "2026-12-07T08:00:00",
                "pickupTimeTo": "2026-12-07T10:00:00",
            },
        )
        answer = _session().post(
            f"{sandbox.url}/grab/v1/deliveries",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert answer.status_code == 400
        assert sandbox.count("REF-LATE") == 0 and sandbox.count("REF-NAIVE") == 0


def test_sandbox_gosend_takes_instant_car_and_insurance_and_refuses_the_rest():
    with CourierSandbox(seed=1) as sandbox:
        client = GoSendClient(
            f"{sandbox.url}/gosend",
            {"client_id": "sandbox-client", "pass_key": "sandbox-pass"},
            session=_session(),
        )
        package = Package("RX-0001", "Paket", weight_kg=2.0, value=750000)
        terms = Terms(vehicle="car", insured=True, insurance_fee=2500)
        info = client.book("REF-INS", ORIGIN, DESTINATION, package, "instant", terms)
        assert info.courier_ref
        order = sandbox.orders("REF-INS")[0]
        assert order["service_type"] == "InstantCar"
        body = client.build_booking_payload("REF-BAD", ORIGIN, DESTINATION, package)
        headers = {"Client-ID": "sandbox-client", "Pass-Key": "sandbox-pass"}
        for change, message in (
            ({"shipment_method": "InstantTruck"}, "shipment_method"),
            (
                {"routes": [dict(body["routes"][0], insuranceDetails={"applied": True})]},
                "insurance",
            ),
        ):
            answer = _session().post(
                f"{sandbox.url}/gosend/gokilat/v10/booking",
                json=dict(body, **change),
                headers=headers,
                timeout=5,
            )
            assert answer.status_code == 400
            assert message in answer.headers["Error-Message"]
        assert sandbox.count("REF-BAD") == 0
