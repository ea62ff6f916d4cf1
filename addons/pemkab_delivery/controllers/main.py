# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier status webhooks: ``POST /pemkab_delivery/webhook/<provider id>``.

The courier is authenticated by its token or signature (per provider, compared in
constant time by the client class); a forged or unsigned call gets 401 and changes
nothing. The answer is fast: record, apply if it moves the booking forward, reply.
"""

import json
import logging

from psycopg2 import IntegrityError

from odoo import SUPERUSER_ID, http
from odoo.http import request
from odoo.tools import mute_logger

from ..clients import CourierError
from ..models.pemkab_delivery_booking_news import parse_courier_datetime

_logger = logging.getLogger(__name__)


class PemkabDeliveryWebhookController(http.Controller):
    @http.route(
        "/pemkab_delivery/webhook/<int:provider_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def courier_webhook(self, provider_id, **_kwargs):
        # the courier acts through OdooBot, not as the anonymous public user, and what it
        # writes in the chatter is in the regency's language, not the HTTP client's
        env = request.env(user=SUPERUSER_ID, su=True)
        lang = env["ir.default"]._get("res.partner", "lang") or env.user.lang
        env = env(context=dict(env.context, lang=lang))
        provider = env["pemkab.courier.provider"].browse(provider_id).exists()
        # an archived account still hears of its live bookings
        if not provider or not provider._has_api():
            return request.make_json_response({"error": "unknown provider"}, status=404)
        body = request.httprequest.get_data()
        client_class = provider._courier_client_class()
        headers = dict(request.httprequest.headers)
        if not provider.webhook_secret or not client_class.verify_webhook(
            headers, body, provider.webhook_secret
        ):
            _logger.warning("Courier webhook for provider %s: bad signature, refused", provider_id)
            return request.make_json_response({"error": "unauthorized"}, status=401)
        try:
            payload = json.loads(body or b"{}")
            event = client_class.parse_webhook(payload)
        except (ValueError, CourierError, KeyError, TypeError) as error:
            return request.make_json_response({"error": f"bad payload: {error}"}, status=400)
        Booking = env["pemkab.delivery.booking"]
        booking = Booking.browse()
        if event.our_ref:
            booking = Booking.search(
                [("name", "=", event.our_ref), ("provider_id", "=", provider.id)], limit=1
            )
        if not booking and event.courier_ref:
            # some couriers' callbacks carry only their own order number
            booking = Booking.search(
                [("courier_order_ref", "=", event.courier_ref), ("provider_id", "=", provider.id)],
                limit=1,
            )
        if not booking:
            return request.make_json_response({"error": "unknown order"}, status=404)
        event_key = event.event_id or None
        if event_key and env["pemkab.delivery.booking.event"].search_count(
            [("booking_id", "=", booking.id), ("event_key", "=", event_key)], limit=1
        ):
            return request.make_json_response({"status": "duplicate"})
        try:
            with mute_logger("odoo.sql_db"), env.cr.savepoint():
                applied = booking._apply_courier_update(
                    event.order,
                    "webhook",
                    event_key=event_key,
                    payload=payload,
                    date=parse_courier_datetime(event.occurred_at),
                )
        except IntegrityError:
            # the same event, delivered twice at once: the other request recorded it
            return request.make_json_response({"status": "duplicate"})
        return request.make_json_response(
            {"status": "applied" if applied else "recorded", "booking": booking.name}
        )
