# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Our words for courier deliveries: statuses and the plain data that goes in and out.

* booking statuses (:data:`STATUSES`, :data:`FINAL_STATUSES`, :data:`STATUS_RANK`) and
  :data:`COURIER_FAILURE_REASONS` (the booking's vocabulary, ``const.py``, builds on them);
* plain dataclasses for what goes in (:class:`Location`, :class:`Package`) and what comes
  out (:class:`Quote`, :class:`OrderInfo`, :class:`WebhookEvent`);
* the conversions the couriers' answers need (:func:`phone_digits`, :func:`to_iso`,
  :func:`float_or_none`, :func:`derived_event_id`).

No Odoo import.
"""

import dataclasses
import hashlib
import math
from datetime import datetime, timedelta, timezone

from .errors import PermanentError

__all__ = [
    "COURIER_FAILURE_REASONS",
    "FINAL_STATUSES",
    "STATUSES",
    "STATUS_RANK",
    "WIB",
    "Location",
    "OrderInfo",
    "Package",
    "Quote",
    "Terms",
    "WebhookEvent",
    "choose_vehicle",
    "derived_event_id",
    "pickup_window",
    "float_or_none",
    "now_iso",
    "phone_digits",
    "to_iso",
]

#: Our booking statuses, in lifecycle order.
STATUSES = (
    "requested",
    "booked",
    "driver_assigned",
    "picked_up",
    "delivered",
    "cancelled",
    "failed",
)

#: Statuses after which nothing changes any more.
FINAL_STATUSES = frozenset({"delivered", "cancelled", "failed"})

#: Forward order of the statuses: an update whose rank is not higher than the current
#: one (an old or duplicated webhook) must not move a booking backwards.
STATUS_RANK = {
    "requested": 0,
    "booked": 1,
    "driver_assigned": 2,
    "picked_up": 3,
    "delivered": 4,
    "cancelled": 4,
    "failed": 4,
}

#: Machine-readable failure reasons put in :attr:`OrderInfo.failure_reason` (couriers may
#: also give free text, which is passed through as is): the first codes of the booking's
#: ``FAILURE_REASONS`` (``const.py``), which adds the officers' own.
COURIER_FAILURE_REASONS = ("no_driver", "rejected", "cancelled_by_courier", "returned")

# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Location:
    """A pickup or drop-off point.

    ``phone`` is sent to the courier as digits only (``+62 812...`` -> ``62812...``).
    ``sms_enabled``: the courier may text this person (Grab's recipient SMS on pickup).
    """

    name: str
    phone: str
    address: str
    latitude: float
    longitude: float
    note: str = ""
    sms_enabled: bool = False

    @property
    def latlong(self):
        """``"lat,lng"`` with 7 decimals (GoSend's format)."""
        return f"{float(self.latitude):.7f},{float(self.longitude):.7f}"

    def validate(self, role="location"):
        """Raise :class:`PermanentError` (``invalid_location``) when unusable."""
        problems = []
        try:
            lat, lng = float(self.latitude), float(self.longitude)
            if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
                problems.append("coordinates out of range")
            if math.isnan(lat) or math.isnan(lng):
                problems.append("coordinates are not numbers")
        except (TypeError, ValueError):
            problems.append("coordinates are not numbers")
        if not (self.name or "").strip():
            problems.append("no name")
        if not phone_digits(self.phone):
            problems.append("no phone number")
        if not (self.address or "").strip():
            problems.append("no address")
        if problems:
            raise PermanentError(f"{role}: {', '.join(problems)}", code="invalid_location")


@dataclasses.dataclass
class Package:
    """What is carried. ``description`` is passed through untouched: it is the caller's
    job to never put medicine names in it (couriers show it to drivers)."""

    code: str
    description: str
    weight_kg: float = 1.0
    value: float = 0


@dataclasses.dataclass
class Terms:
    """How the courier carries a parcel, as planned for its booking.

    ``vehicle``: ``"bike"`` (a motorbike, the couriers' default) or ``"car"``;
    ``pickup_from`` / ``pickup_until``: the pickup window (aware datetimes), or None for
    a pickup now (GrabExpress's ``schedule``); ``insured``: the declared value
    (:attr:`Package.value`) is insured, for ``insurance_fee`` (GoSend's
    ``insuranceDetails``).
    """

    vehicle: str = "bike"
    pickup_from: datetime | None = None
    pickup_until: datetime | None = None
    insured: bool = False
    insurance_fee: float = 0

    @property
    def scheduled(self):
        return bool(self.pickup_from and self.pickup_until)


def choose_vehicle(weight_kg, bike_max_kg=None, car=False, car_max_kg=None):
    """The vehicle that takes a parcel of ``weight_kg``: ``"bike"`` while a motorbike
    may carry it (``bike_max_kg``: its limit, None: none known), else ``"car"`` when the
    account offers a car (``car``) that may carry it (``car_max_kg``, None: none known),
    else None: no vehicle of the courier takes it (refused before booking)."""
    weight = float(weight_kg or 0)
    if bike_max_kg is None or weight <= bike_max_kg:
        return "bike"
    if car and (car_max_kg is None or weight <= car_max_kg):
        return "car"
    return None


def pickup_window(now, hour, tz, hours=2.0, lead_minutes=30):
    """The next pickup window that opens at ``hour`` (0-24, e.g. 8.5 for 08:30) local
    time in ``tz`` (a ``tzinfo``): today when it opens at least ``lead_minutes`` from
    ``now`` (aware), else tomorrow; ``hours`` long (Grab recommends 1 to 3). Returns
    ``(start, end)``, aware datetimes in UTC: within Grab's same day or next day."""
    local = now.astimezone(tz)
    minutes = round(float(hour) * 60)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(minutes=minutes)
    if start < local + timedelta(minutes=lead_minutes):
        start += timedelta(days=1)
    start = start.astimezone(timezone.utc)
    return start, start + timedelta(hours=hours)


@dataclasses.dataclass
class Quote:
    """A price estimate."""

    price: float
    currency: str
    service_type: str
    distance_km: float | None
    eta_minutes: int | None
    raw: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class OrderInfo:
    """A courier order as we understand it.

    ``status`` is ours (:data:`STATUSES`) or None when the courier status is unknown to
    us (then keep the current status); ``courier_status`` is the courier's raw string.
    ``failure_reason`` is one of :data:`COURIER_FAILURE_REASONS`, the courier's free text, or None.
    ``delivered_at`` is an ISO 8601 string with a UTC offset, or None.
    """

    our_ref: str | None
    courier_ref: str | None
    status: str | None
    courier_status: str | None
    price: float | None = None
    tracking_url: str | None = None
    driver_name: str | None = None
    driver_phone: str | None = None
    driver_plate: str | None = None
    failure_reason: str | None = None
    receiver_name: str | None = None
    receiver_relation: str | None = None
    proof_photo_url: str | None = None
    driver_photo_url: str | None = None
    delivered_at: str | None = None
    #: where the driver is now (Grab's webhook ``driver.currentLat/currentLng``, its
    #: details ``courier.coordinates``; GoSend tells none in any public source)
    driver_latitude: float | None = None
    driver_longitude: float | None = None
    #: the courier's own words on why it ended (Grab's ``failedReason``, GoSend's
    #: ``cancelled_by``), kept beside our ``failure_reason`` code
    courier_reason: str | None = None
    raw: dict = dataclasses.field(default_factory=dict)

    #: What only a webhook may carry (Grab's delivery details have no receiver, no proof
    #: link and the driver's picture under another name): kept from the webhook when the
    #: courier's own lookup confirms it (:meth:`merged_with`).
    EVENT_DETAILS = (
        "tracking_url",
        "driver_name",
        "driver_phone",
        "driver_plate",
        "driver_photo_url",
        "failure_reason",
        "receiver_name",
        "receiver_relation",
        "proof_photo_url",
        "delivered_at",
        "driver_latitude",
        "driver_longitude",
        "courier_reason",
    )

    @property
    def is_final(self):
        return self.status in FINAL_STATUSES

    def merged_with(self, event_order):
        """This order (the courier's lookup, which wins) completed by what the webhook's
        ``event_order`` carried and the lookup did not: the receiver, the relation and
        the proof photo of a Grab delivery exist only in its webhook."""
        if event_order is None or (
            event_order.courier_ref
            and self.courier_ref
            and event_order.courier_ref != self.courier_ref
        ):
            return dataclasses.replace(self)
        filled = {
            name: getattr(event_order, name)
            for name in self.EVENT_DETAILS
            if getattr(self, name) in (None, "") and getattr(event_order, name) not in (None, "")
        }
        if self.status != event_order.status:
            # another state than the event's: its delivery details do not belong to it
            filled = {
                name: value
                for name, value in filled.items()
                if name
                not in ("receiver_name", "receiver_relation", "proof_photo_url", "delivered_at")
            }
        return dataclasses.replace(self, **filled)

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class WebhookEvent:
    """A status notification pushed by a courier.

    ``event_id`` is stable for a given event (duplicates carry the same id), so the
    receiver can drop repeats; ``occurred_at`` is ISO 8601 with a UTC offset.
    """

    event_id: str
    our_ref: str | None
    courier_ref: str | None
    status: str | None
    courier_status: str | None
    occurred_at: str
    order: OrderInfo
    raw: dict = dataclasses.field(default_factory=dict)

    def to_dict(self):
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def phone_digits(phone):
    """An Indonesian number as E.164 digits without ``+``, as couriers want them:
    ``"+62 812-3456-7890"``, ``"0812 3456 7890"`` and ``"812 3456 7890"`` all give
    ``"6281234567890"``. Other digits are returned as they are."""
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits


def to_iso(value, naive_tz=timezone.utc):
    """Normalise a courier timestamp to ISO 8601 with offset, or None.

    Accepts epoch seconds or milliseconds (int/float/digit string), ISO 8601 strings
    (``Z`` suffix allowed) and ``"YYYY-MM-DD HH:MM:SS"``; naive values are taken in
    ``naive_tz``.
    """
    if value in (None, "", 0):
        return None
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            number = float(value)
            if number > 1e11:  # milliseconds
                number /= 1000.0
            moment = datetime.fromtimestamp(number, tz=timezone.utc)
        else:
            text = str(value).strip().replace("Z", "+00:00")
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=naive_tz)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment.replace(microsecond=0).isoformat()


def now_iso():
    return datetime.now(tz=timezone.utc).replace(microsecond=0).isoformat()


def float_or_none(value):
    """``float(value)``, or None for None, empty or non-numeric values."""
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def derived_event_id(*parts):
    """A stable event id for couriers that send none: same event, same id."""
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


#: Asia/Jakarta (WIB), used for naive timestamps of Indonesian couriers.
WIB = timezone(timedelta(hours=7), "WIB")


class CourierTermsPlanner:
    """The rules of what a courier is asked for, for bookings of some accounts and
    agencies (the booking's ``_courier_terms_planner`` reads them): ``clients``
    ``{account id: (client class or None, car service)}`` (None: a courier without an
    API), ``windows`` ``{agency id: (pickup from, pickup until)}`` and ``insure_from``
    ``{agency id: declared value from which a parcel is insured}``."""

    def __init__(self, clients, windows, insure_from):
        self.clients = clients
        self.windows = windows
        self.thresholds = insure_from

    def insure_from(self, provider_id, agency_id):
        """The declared value from which a parcel of the account and agency is insured,
        or None (the courier does not insure, or the agency sets no threshold)."""
        client_class, _car = self.clients.get(provider_id, (None, False))
        if client_class is None or not client_class.INSURANCE:
            return None
        return self.thresholds.get(agency_id) or None

    def plan(self, provider_id, agency_id, service, weight, value):
        """``(vehicle, pickup from, pickup until, insured)`` of a parcel: the vehicle by
        its weight at a courier that offers vehicles (None: the account's default), the
        agency's window at a courier that takes one, insured when its declared value
        reaches the agency's threshold at a courier that insures."""
        client_class, car = self.clients.get(provider_id, (None, False))
        vehicle, window = None, (None, None)
        if client_class is not None:
            if client_class.OFFERS_VEHICLES:
                vehicle = client_class.vehicle_for(service, weight or 0, car) or None
            if client_class.SCHEDULED_PICKUP:
                window = self.windows.get(agency_id, window)
        threshold = self.insure_from(provider_id, agency_id)
        insured = threshold is not None and (value or 0) >= threshold
        return (vehicle, *window, insured)
