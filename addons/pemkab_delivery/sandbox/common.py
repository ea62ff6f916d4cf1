# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the parts of the courier sandbox share: settings, order stages, small helpers.

No Odoo import; stdlib only (and :mod:`..tools.geo` for distances).
"""

from datetime import datetime, timezone

try:
    from ..tools.geo import haversine_km
except ImportError:  # ``sandbox`` imported as a top-level package (run by path, tests,
    # bench): its parent folder, addons/pemkab_delivery, is then on sys.path.
    from tools.geo import haversine_km

__all__ = [
    "APIS",
    "CANCELLABLE",
    "CHAIN",
    "DEFAULT_CONFIG",
    "FINAL_STAGES",
    "RATES",
    "SERVICE_LIMIT_KM",
    "STAGES",
    "STAGE_RANK",
    "ApiError",
    "haversine_km",
    "to_iso",
    "utc_now",
]

APIS = ("gosend", "grab", "biteship")


DEFAULT_CONFIG = {
    "latency_ms": 0,
    "error_rate": 0.0,
    "timeout_rate": 0.0,
    "timeout_sleep_s": 3.0,
    "no_driver_rate": 0.0,
    "duplicate_webhook_rate": 0.0,
    "out_of_order_rate": 0.0,
    "rate_limit_per_s": {"gosend": 0, "grab": 0, "biteship": 0},
    "seed": None,
    "auto_advance": False,
    "advance_interval": 5.0,
    "webhook_url_gosend": None,
    "webhook_url_grab": None,
    "webhook_url_biteship": None,
    "webhook_secret_gosend": "sandbox-webhook-gosend",
    "webhook_secret_grab": "sandbox-webhook-grab",
    "webhook_secret_biteship": "sandbox-webhook-biteship",
    # the header Biteship's dashboard is told to add to its webhooks (clients/biteship.py)
    "biteship_webhook_header": "X-Pemkab-Webhook-Token",
    # Grab's optional Authorization-Id header (sent when set)
    "webhook_auth_id_grab": None,
    # Grab's signed photo links expire: proofs after 2 hours, driver photos after 3
    # (Grab's docs, "Tracking Webhook"); GoSend's are taken to expire alike (unknown:
    # the stricter reading)
    "proof_link_ttl_s": 7200.0,
    "driver_photo_ttl_s": 10800.0,
    "webhook_on_create": True,
    "webhook_timeout_s": 5.0,
    "gosend_client_id": "sandbox-client",
    "gosend_pass_key": "sandbox-pass",
    "grab_client_id": "sandbox-client",
    "grab_client_secret": "sandbox-secret",
    "token_ttl_s": 3600.0,
    "biteship_api_key": "biteship_test.sandbox-key",
    "max_orders": 10000,
    # the SMS gateway (sandbox/sms.py): its account's keys, and numbers it refuses
    "sms_userkey": "sandbox-userkey",
    "sms_passkey": "sandbox-passkey",
    "sms_refuse_numbers": [],
    # SATUSEHAT (sandbox/satusehat.py): one credential, its Organization and pharmacy
    # Location (the docs' examples), calls a second (0: no limit), NIKs it does not know
    "satusehat_client_id": "sandbox-satusehat-client",
    "satusehat_client_secret": "sandbox-satusehat-secret",
    "satusehat_organization_id": "10000004",
    "satusehat_location_id": "52e135eb-1956-4871-ba13-e833e662484d",
    "satusehat_rate_limit_per_s": 0.0,
    "satusehat_token_ttl_s": 14399.0,
    "satusehat_unknown_niks": [],
}

#: Settings that are shares of calls or events (0 to 1).
RATES = (
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
#: The longest route each courier takes by default: Grab 35 km (Grab's docs, "Limits
#: and configuration"), GoSend Instant 40 km (public integrations, sources.md; taken for
#: SameDay too, the stricter reading).
SERVICE_LIMIT_KM = {"grab": 35.0, "gosend": 40.0}


def utc_now():
    return datetime.now(tz=timezone.utc)


def to_iso(moment=None):
    return (moment or utc_now()).replace(microsecond=0).isoformat()


class ApiError(Exception):
    """Answer the current request with ``status`` and the JSON ``payload``."""

    def __init__(self, status, payload, headers=None):
        super().__init__(status)
        self.status = status
        self.payload = payload
        self.headers = headers or {}
