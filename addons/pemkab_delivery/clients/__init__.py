# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Plain-Python HTTP clients of the app-based couriers (GoSend, GrabExpress, Biteship).

No Odoo import: usable as ``odoo.addons.pemkab_delivery.clients`` and standalone (with
``addons/pemkab_delivery`` on ``sys.path``: ``import clients``). Only relative imports
inside this package. One file per concern:

* :mod:`.errors`: the :class:`CourierError` hierarchy (retry, reconcile, or give up);
* :mod:`.values`: our statuses and the plain data that goes in and out;
* :mod:`.transport`: the HTTP layer (one call, timeouts, error classification,
  redacted exchange log, webhook header checks);
* :mod:`.base`: :class:`CourierClient`, the abstract base of the couriers' clients;
* :mod:`.gosend`, :mod:`.grab`, :mod:`.biteship` (an aggregator): one file per courier;
* :mod:`.sms_gateway`: the HTTP SMS gateway (Zenziva-like) the citizens' SMS go through;
* :mod:`.satusehat`: SATUSEHAT, the Ministry of Health's FHIR R4 platform, to which
  ``pemkab_health`` reports the medicines handed over at home.

Import what you need from here (the package top level). Odoo picks the class of a provider
through the provider model's ``_<kind>_client_class`` methods. Typical use::

    from odoo.addons.pemkab_delivery.clients import CourierTimeout, GoSendClient

    client = GoSendClient(base_url, {"client_id": "...", "pass_key": "..."},
                          on_exchange=store_log)
    try:
        info = client.book(ref, origin, destination, package)
    except CourierTimeout:
        info = client.get_order(ref)  # the order may exist: reconcile, never re-book blindly
"""

from .base import CourierClient
from .biteship import BiteshipClient
from .errors import (
    AuthError,
    CourierError,
    CourierTimeout,
    OrderNotFound,
    PermanentError,
    RetryableError,
)
from .gosend import GoSendClient
from .grab import GrabExpressClient, clear_token_cache
from .satusehat import SatusehatClient, clear_satusehat_tokens
from .sms_gateway import SMS_FAILURES, SmsGatewayClient, SmsResult, gateway_url_problem
from .values import (
    COURIER_FAILURE_REASONS,
    FINAL_STATUSES,
    STATUS_RANK,
    STATUSES,
    CourierTermsPlanner,
    Location,
    OrderInfo,
    Package,
    Quote,
    Terms,
    WebhookEvent,
    choose_vehicle,
    pickup_window,
)

__all__ = [
    "COURIER_FAILURE_REASONS",
    "FINAL_STATUSES",
    "STATUSES",
    "STATUS_RANK",
    "SMS_FAILURES",
    "AuthError",
    "BiteshipClient",
    "CourierClient",
    "CourierError",
    "CourierTermsPlanner",
    "CourierTimeout",
    "GoSendClient",
    "GrabExpressClient",
    "Location",
    "OrderInfo",
    "OrderNotFound",
    "Package",
    "PermanentError",
    "Quote",
    "RetryableError",
    "SatusehatClient",
    "SmsGatewayClient",
    "SmsResult",
    "Terms",
    "WebhookEvent",
    "choose_vehicle",
    "clear_satusehat_tokens",
    "clear_token_cache",
    "gateway_url_problem",
    "pickup_window",
]
