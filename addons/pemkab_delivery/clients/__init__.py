# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Plain-Python HTTP clients of the app-based couriers (GoSend, GrabExpress).

No Odoo import: usable as ``odoo.addons.pemkab_delivery.clients`` and standalone (with
``addons/pemkab_delivery`` on ``sys.path``: ``import clients``). Only relative imports
inside this package.

Typical use::

    from odoo.addons.pemkab_delivery import clients

    cls = clients.get_client_class("gosend")
    client = cls(base_url, {"client_id": "...", "pass_key": "..."}, on_exchange=store_log)
    try:
        info = client.book(ref, origin, destination, package)
    except clients.CourierTimeout:
        info = client.get_order(ref)  # the order may exist: reconcile, never re-book blindly
"""

from .base import (
    FAILURE_REASONS,
    FINAL_STATUSES,
    STATUS_RANK,
    STATUSES,
    AuthError,
    CourierClient,
    CourierError,
    CourierTimeout,
    Location,
    OrderInfo,
    OrderNotFound,
    Package,
    PermanentError,
    Quote,
    RetryableError,
    WebhookEvent,
    available_kinds,
    get_client_class,
    is_forward,
    register_client,
)
from .gosend import GoSendClient
from .grab import GrabExpressClient, clear_token_cache

__all__ = [
    "FAILURE_REASONS",
    "FINAL_STATUSES",
    "STATUSES",
    "STATUS_RANK",
    "AuthError",
    "CourierClient",
    "CourierError",
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
    "WebhookEvent",
    "available_kinds",
    "clear_token_cache",
    "get_client_class",
    "is_forward",
    "register_client",
]
