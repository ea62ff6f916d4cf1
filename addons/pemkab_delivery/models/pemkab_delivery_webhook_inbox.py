# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The inbox of courier webhooks: what the couriers posted, not yet applied. It only
stores.

The webhook (``controllers/main.py``) authenticates the courier and checks the body, then
records the event here in ONE statement (:meth:`_receive`: the booking found by an indexed
lookup, a duplicate skipped by the unique key of the history and of this table) and answers
200 at once. The exchange (``pemkab.delivery.exchange._cron_apply_news``) applies the news
in batches; an applied event leaves the inbox: its history line
(``pemkab.delivery.booking.event``) is what remains.

A webhook may outrun the booking answer: GoSend's events name only its order number
(``laravel-delivery-gosend``'s sample has no ``storeOrderId``), which the booking learns
from that answer. Such an event, whose order no booking knows yet, is kept without its
booking (:meth:`_receive` answers ``'kept'``, not 404) and given to the booking as soon as
it records that number (:meth:`_adopt`); one never claimed is dropped after
:data:`ORPHAN_DAYS`.
"""

import json
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

#: A process wakes the scheduled action at most this often (seconds): a run applies all
#: that is waiting and runs again while events keep coming (``remaining``); an event that
#: arrives just as a run ends waits at most the action's interval (1 minute).
TRIGGER_EVERY = 1.0
_last_trigger = {"at": float("-inf")}
#: An event whose order no booking came to know is dropped after this many days.
ORPHAN_DAYS = 2


class PemkabDeliveryWebhookInbox(models.Model):
    _name = "pemkab.delivery.webhook.inbox"
    _description = "Courier Webhook Inbox"
    _order = "id"
    _log_access = False  # written by one INSERT of the webhook: received_at says when

    # no index but the event key's: the inbox holds only what waits (applied events
    # leave it), and every index costs each webhook's INSERT
    provider_id = fields.Many2one("pemkab.courier.provider", required=True, ondelete="cascade")
    booking_id = fields.Many2one(
        "pemkab.delivery.booking",
        ondelete="cascade",
        help="Empty while the event names an order number no booking has recorded yet.",
    )
    courier_ref = fields.Char(
        string="Courier Order", help="The courier's order number the event names."
    )
    event_key = fields.Char(help="The courier's id of the event.")
    signed = fields.Boolean(help="Whether the request signed its body (HMAC).")
    payload = fields.Text(required=True, help="The courier's event as it came (JSON).")
    occurred_at = fields.Datetime(help="When the courier says the event happened.")
    received_at = fields.Datetime(required=True, default=fields.Datetime.now)
    # the exchange's: a token-borne final state waits for the courier's API
    attempt_count = fields.Integer(
        help="Lookups at the courier's API that could not confirm a final state."
    )
    next_attempt_at = fields.Datetime(
        help="Not applied before this time (a lookup failed, or one is under way)."
    )
    claim_token = fields.Char(
        help="Which run of the exchange is looking the event's final state up at the "
        "courier's API: only its answer is recorded."
    )

    _event_key_uniq = models.UniqueIndex(
        "(booking_id, event_key) WHERE event_key IS NOT NULL",
        "This courier event was already received.",
    )
    _orphan_key_uniq = models.UniqueIndex(
        "(provider_id, event_key) WHERE booking_id IS NULL AND event_key IS NOT NULL",
        "This courier event was already received.",
    )
    _orphan_idx = models.Index("(provider_id, courier_ref) WHERE booking_id IS NULL")

    # ------------------------------------------------------------------
    # The webhook's side: one statement
    # ------------------------------------------------------------------
    @api.model
    def _receive(self, provider, event, payload, signed, occurred_at):
        """Record a checked, authentic event of ``provider``; return ``'queued'``,
        ``'duplicate'`` (already received or applied), ``'kept'`` (it names only an order
        number no booking knows yet: kept for the booking that records it) or
        ``'unknown'`` (no such order).

        One statement finds the booking (our reference, else the courier's), skips an
        event already in its history and inserts the event unless it is already waiting.
        """
        event_key = event.event_id or None
        booking_sql = SQL(
            """
            SELECT b.id
              FROM pemkab_delivery_booking b
             WHERE b.provider_id = %(provider)s
               AND (b.name = %(ref)s OR b.courier_order_ref = %(courier_ref)s)
             ORDER BY b.name = %(ref)s DESC NULLS LAST, b.id
             LIMIT 1
            """,
            provider=provider.id,
            ref=event.our_ref,
            courier_ref=event.courier_ref,
        )
        # a concurrent batch that applies (and removes) this booking's waiting events makes
        # PostgreSQL refuse the ON CONFLICT check under REPEATABLE READ: a serialization
        # failure, which Odoo's request loop replays (service.model.retrying); expected,
        # so not logged as a bad query
        self.env.cr.execute(
            SQL(
                """
                WITH booking AS (%(booking)s)
                INSERT INTO pemkab_delivery_webhook_inbox
                       (provider_id, booking_id, courier_ref, event_key, signed, payload,
                        occurred_at, received_at, attempt_count)
                SELECT %(provider)s, booking.id, %(courier_ref)s, %(key)s, %(signed)s,
                       %(payload)s, %(occurred_at)s, %(now)s, 0
                  FROM booking
                 WHERE %(key)s::varchar IS NULL
                    OR NOT EXISTS (
                        SELECT 1 FROM pemkab_delivery_booking_event e
                         WHERE e.booking_id = booking.id AND e.event_key = %(key)s)
                    ON CONFLICT (booking_id, event_key) WHERE event_key IS NOT NULL DO NOTHING
             RETURNING id
                """,
                booking=booking_sql,
                provider=provider.id,
                courier_ref=event.courier_ref,
                key=event_key,
                signed=bool(signed),
                payload=json.dumps(payload, sort_keys=True),
                occurred_at=occurred_at or None,
                now=fields.Datetime.now(),
            ),
            log_exceptions=False,
        )
        if self.env.cr.fetchone():
            if time.monotonic() - _last_trigger["at"] >= TRIGGER_EVERY:
                _last_trigger["at"] = time.monotonic()
                self._trigger_apply()
            return "queued"
        # nothing inserted: a duplicate, or no such order (the rare path pays a lookup)
        self.env.cr.execute(booking_sql)
        if self.env.cr.fetchone():
            return "duplicate"
        if event.our_ref or not event.courier_ref:
            return "unknown"
        return self._keep_orphan(provider, event, payload, signed, occurred_at)

    @api.model
    def _keep_orphan(self, provider, event, payload, signed, occurred_at):
        """Keep an event naming only an order number no booking has recorded yet (the
        courier's webhook outran the booking answer): ``'kept'`` or ``'duplicate'``."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO pemkab_delivery_webhook_inbox
                       (provider_id, courier_ref, event_key, signed, payload, occurred_at,
                        received_at, attempt_count)
                VALUES (%(provider)s, %(courier_ref)s, %(key)s, %(signed)s, %(payload)s,
                        %(occurred_at)s, %(now)s, 0)
                    ON CONFLICT (provider_id, event_key)
                       WHERE booking_id IS NULL AND event_key IS NOT NULL DO NOTHING
             RETURNING id
                """,
                provider=provider.id,
                courier_ref=event.courier_ref,
                key=event.event_id or None,
                signed=bool(signed),
                payload=json.dumps(payload, sort_keys=True),
                occurred_at=occurred_at or None,
                now=fields.Datetime.now(),
            ),
            log_exceptions=False,
        )
        return "kept" if self.env.cr.fetchone() else "duplicate"

    # ------------------------------------------------------------------
    # The booking's side: an order number recorded
    # ------------------------------------------------------------------
    @api.model
    def _adopt(self, bookings=None):
        """Give the kept events to the bookings (all, or ``bookings``) that now know their
        order number, in one statement; drop those nobody claimed for
        :data:`ORPHAN_DAYS`. Returns how many were given."""
        self.env["pemkab.delivery.booking"].flush_model(["courier_order_ref", "provider_id"])
        self.flush_model()
        only = SQL("AND b.id = ANY(%s)", bookings.ids) if bookings is not None else SQL()
        self.env.cr.execute(
            SQL(
                """
                UPDATE pemkab_delivery_webhook_inbox i
                   SET booking_id = b.id
                  FROM pemkab_delivery_booking b
                 WHERE i.booking_id IS NULL
                   AND b.provider_id = i.provider_id
                   AND b.courier_order_ref = i.courier_ref
                   %s
                   AND (i.event_key IS NULL OR NOT EXISTS (
                        SELECT 1 FROM pemkab_delivery_webhook_inbox j
                         WHERE j.booking_id = b.id AND j.event_key = i.event_key))
                   AND (i.event_key IS NULL OR NOT EXISTS (
                        SELECT 1 FROM pemkab_delivery_booking_event e
                         WHERE e.booking_id = b.id AND e.event_key = i.event_key))
             RETURNING i.id
                """,
                only,
            )
        )
        adopted = len(self.env.cr.fetchall())
        if bookings is None:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM pemkab_delivery_webhook_inbox "
                    "WHERE booking_id IS NULL AND received_at < %s",
                    fields.Datetime.now() - timedelta(days=ORPHAN_DAYS),
                )
            )
        if adopted:
            self.invalidate_model(["booking_id"])
            self._trigger_apply()
        return adopted

    @api.model
    def _trigger_apply(self):
        self.env["pemkab.delivery.exchange"]._trigger_apply_news()
