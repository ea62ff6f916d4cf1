# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The courier booking's vocabulary, once: its states, why a parcel did not arrive, who
took it, and the shelter board's columns (plain Python, no Odoo import, as Odoo's
``payment_stripe/const.py``).

The courier clients have their own words, which need no Odoo either
(``clients/values.py``: the statuses a courier's news maps to, which of them are final,
their order, the failure codes a courier's news carries): the booking's vocabulary is
built on them, so both always say the same.
"""

from .clients.values import COURIER_FAILURE_REASONS, FINAL_STATUSES, STATUSES

# ------------------------------------------------------------------
# States of a booking
# ------------------------------------------------------------------
_STATE_LABELS = {
    "draft": "Draft",
    "requested": "Requested",
    "booked": "Booked",
    "driver_assigned": "Driver Assigned",
    "picked_up": "Picked Up",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
    "failed": "Failed",
}
# a draft (not yet sent), then the courier statuses in their lifecycle order
BOOKING_STATES = [(state, _STATE_LABELS[state]) for state in ("draft", *STATUSES)]
# nothing moves any more
FINAL_STATES = tuple(sorted(FINAL_STATUSES))
# not final: the booking is under way (a document has at most one)
ACTIVE_STATES = tuple(state for state, _label in BOOKING_STATES if state not in FINAL_STATUSES)
# live: may still be cancelled (with the courier once it has the order); after these
# the driver has the parcel
CANCELLABLE_STATES = ("draft", "requested", "booked", "driver_assigned")
# the parcel still waits at the shelter for its driver: a closed shelter keeps it there
WAITING_AT_SHELTER_STATES = ("draft", "requested", "booked", "driver_assigned")
# on its way: the courier has the order (a driver is coming or has the parcel); it may be
# confirmed delivered, and its news is polled
ON_ITS_WAY_STATES = ("booked", "driver_assigned", "picked_up")

# ------------------------------------------------------------------
# Why a parcel did not arrive: one vocabulary for bookings and documents (the courier's
# or officer's own words are kept beside it). First the codes a courier's news carries.
# ------------------------------------------------------------------
_FAILURE_LABELS = {
    "no_driver": "No driver found",
    "rejected": "Rejected by the courier",
    "cancelled_by_courier": "Cancelled by the courier",
    "returned": "Returned to the shelter",
    "out_of_range": "Out of the courier's range",
    "not_home": "Nobody at the address",
    "wrong_address": "Address not found",
    "refused": "Refused by the recipient",
    "damaged": "Parcel damaged or lost",
    "error": "Could not be booked",
    "other": "Other reason",
}
FAILURE_REASONS = [
    (code, _FAILURE_LABELS[code])
    for code in (
        *COURIER_FAILURE_REASONS,
        "out_of_range",
        "not_home",
        "wrong_address",
        "refused",
        "damaged",
        "error",
        "other",
    )
]

# ------------------------------------------------------------------
# Who took the parcel
# ------------------------------------------------------------------
RECEIVER_TYPES = [
    ("recipient", "Recipient"),
    ("family", "Family Member"),
    ("proxy", "Named Proxy"),
]

# ------------------------------------------------------------------
# A parcel's column on a shelter's board of the day, by its booking's state (a booking
# its document released after a cancellation is on none)
# ------------------------------------------------------------------
BOARD_STAGES = [
    ("ready", "Ready"),
    ("waiting", "Waiting for a Driver"),
    ("picked_up", "Picked Up"),
    ("failed", "Failed"),
]
BOARD_STAGE_OF_STATE = {
    "draft": "ready",
    "requested": "ready",
    "booked": "waiting",
    "driver_assigned": "waiting",
    "picked_up": "picked_up",
    "delivered": "picked_up",
    "failed": "failed",
    "cancelled": "failed",
}
