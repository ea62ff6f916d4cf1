# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier status webhooks: ``POST /pemkab_delivery/webhook/<provider id>``.

The courier is authenticated by its token or signature (per provider, compared in
constant time by the client class); a forged or unsigned call gets 401 and changes
nothing. The answer is fast: an authentic, well-formed event of a known order is
recorded in the inbox in one statement and answered 200 (Grab asks for 200 or 204; a
duplicate 200 too; an event naming only our reference that matches no booking 404; an
event naming only the courier's order number that no booking knows yet is kept until
its booking records that number, since the courier's webhook may outrun the booking
answer); the exchange's scheduled action applies the news in batches
(``models/pemkab_delivery_exchange.py``).

Whatever the body, the answer is a 4xx, never a 500, and never echoes an exception:
a body that is not JSON (415), too large (413), not an object, malformed or with
values of the wrong type (400). A signed event older (or newer) than the tolerance is
refused (400), as Odoo's Stripe webhook does. A final state (delivered, cancelled,
failed) carried only by a static token is looked up at the courier (a job of the
exchange, after the batch has committed) before it is applied: a leaked token alone
cannot mark parcels delivered. A courier whose dashboard checks a URL with an empty
body when it is saved (Biteship) gets 200 for it, and nothing is recorded.
"""

import json
import logging
from datetime import timedelta

from odoo import SUPERUSER_ID, fields, http
from odoo.http import request

from ..clients import CourierError
from ..models.pemkab_delivery_booking import parse_courier_datetime

_logger = logging.getLogger(__name__)

#: Largest webhook body accepted (bytes): courier events are a few hundred bytes.
MAX_BODY_BYTES = 64 * 1024
#: Seconds a signed event may be away from now (ir.config_parameter
#: ``pemkab_delivery.webhook_tolerance_seconds``).
DEFAULT_TOLERANCE = 600
#: What the courier's event carries as text: anything else is a malformed event.
TEXT_ATTRIBUTES = (
    "our_ref",
    "courier_ref",
    "courier_status",
    "tracking_url",
    "driver_name",
    "driver_phone",
    "driver_plate",
    "failure_reason",
    "receiver_name",
    "receiver_relation",
    "proof_photo_url",
    "driver_photo_url",
    "delivered_at",
)


class _Refused(Exception):
    """A webhook refused: the short answer and its HTTP status."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message = message
        self.status = status


def _error(message, status):
    return request.make_json_response({"error": message}, status=status)


def _well_formed(event):
    """Whether the parsed event's texts are texts (a number or a list as a reference is
    a malformed event, not a search)."""
    values = [getattr(event.order, name) for name in TEXT_ATTRIBUTES]
    values += [event.event_id, event.occurred_at, event.our_ref, event.courier_ref]
    return all(
        value is None or (isinstance(value, str) and "\x00" not in value) for value in values
    ) and (event.order.price is None or isinstance(event.order.price, float))


class PemkabDeliveryWebhookController(http.Controller):
    @http.route(
        "/pemkab_delivery/webhook/<int:provider_id>",
        type="http",
        auth="none",
        readonly=False,  # it stores the event: a read-only cursor would fail and serve it twice
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def courier_webhook(self, provider_id, **_kwargs):
        if not request.db:
            return _error("unknown provider", 404)
        # no user session: the courier is authenticated by its token or signature
        env = request.env(user=SUPERUSER_ID, su=True)
        # an archived account still hears of its live bookings
        provider = (
            env["pemkab.courier.provider"]
            .with_context(active_test=False)
            .search_fetch(
                [("id", "=", provider_id)],
                ["kind", "webhook_secret", "webhook_auth_id"],
                limit=1,
            )
        )
        if not provider or not provider._has_api():
            return _error("unknown provider", 404)
        if self._is_probe(provider):
            # a courier's dashboard checking the URL it saves: nothing to record
            return request.make_json_response({"status": "ok"})
        try:
            payload, event, signed = self._read_event(env, provider)
        except _Refused as refusal:
            return _error(refusal.message, refusal.status)
        received = env["pemkab.delivery.webhook.inbox"]._receive(
            provider, event, payload, signed, parse_courier_datetime(event.occurred_at)
        )
        if received == "unknown":
            return _error("unknown order", 404)
        if received == "duplicate":
            return request.make_json_response({"status": "duplicate"})
        # Grab's docs, "Tracking Webhook": respond 200 or 204
        return request.make_json_response({"status": received})

    def _is_probe(self, provider):
        """Whether the request only checks that the URL answers (Biteship's dashboard
        posts an empty body when a webhook is saved, and wants 200): answered at once,
        nothing read from it is kept."""
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY_BYTES:
            return False
        return provider._courier_client_class().is_webhook_probe(
            dict(httprequest.headers), httprequest.get_data()
        )

    def _read_event(self, env, provider):
        """The request's payload, parsed event and whether it is signed; raise
        :class:`_Refused` for anything but a well-formed, authentic, fresh event."""
        httprequest = request.httprequest
        if httprequest.mimetype != "application/json":
            raise _Refused("content type must be application/json", 415)
        if (httprequest.content_length or 0) > MAX_BODY_BYTES:
            raise _Refused("body too large", 413)
        body = httprequest.get_data()
        if len(body) > MAX_BODY_BYTES:
            raise _Refused("body too large", 413)
        client_class = provider._courier_client_class()
        headers = dict(httprequest.headers)
        # the id the courier sends with its token (Grab's Authorization-Id), when the
        # account has one
        auth = {"auth_id": provider.webhook_auth_id} if provider.webhook_auth_id else {}
        if not provider.webhook_secret or not client_class.verify_webhook(
            headers, body, provider.webhook_secret, **auth
        ):
            _logger.warning("Courier webhook for provider %s: bad signature, refused", provider.id)
            raise _Refused("unauthorized", 401)
        try:
            payload = json.loads(body or b"{}")
            if not isinstance(payload, dict):
                raise _Refused("bad payload: not a JSON object", 400)
            event = client_class.parse_webhook(payload)
        except (ValueError, RecursionError, CourierError, KeyError, TypeError, AttributeError):
            _logger.info("Courier webhook for provider %s: malformed body", provider.id)
            raise _Refused("bad payload", 400) from None
        if not _well_formed(event):
            raise _Refused("bad payload", 400)
        signed = client_class.webhook_is_signed(headers)
        if signed and not self._fresh(env, client_class.webhook_signed_at(payload)):
            _logger.warning("Courier webhook for provider %s: stale event, refused", provider.id)
            raise _Refused("stale or undated event", 400)
        return payload, event, signed

    def _fresh(self, env, signed_at):
        """Whether a signed event's time is within the tolerance of now."""
        moment = parse_courier_datetime(signed_at) if signed_at else None
        if not moment:
            return False
        try:
            tolerance = int(
                env["ir.config_parameter"].get_param(
                    "pemkab_delivery.webhook_tolerance_seconds", DEFAULT_TOLERANCE
                )
            )
        except ValueError:
            tolerance = DEFAULT_TOLERANCE
        return abs(fields.Datetime.now() - moment) <= timedelta(seconds=tolerance)
