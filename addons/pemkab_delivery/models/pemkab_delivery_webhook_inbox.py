# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The inbox of courier webhooks: what the couriers said, not yet applied.

The webhook (``controllers/main.py``) authenticates the courier and checks the body, then
records the event here in ONE statement (:meth:`_receive`: the booking found by an indexed
lookup, a duplicate skipped by the unique key of the history and of this table) and answers
202 at once. The scheduled action :meth:`_cron_apply` applies the news in batches, as the
outbox sends bookings: it claims the bookings that have news with ``FOR UPDATE SKIP LOCKED``,
applies each booking's events in the order they arrived (``_apply_courier_update``: a late
event is recorded, never moves a booking backwards; a duplicate is kept once), looks a final
state carried only by a static token up at the courier's API before applying it, and commits
each batch with ``_commit_progress``. An applied event leaves the inbox: its history line
(``pemkab.delivery.booking.event``) is what remains.
"""

import json
import logging
import random
import time
from datetime import timedelta

import psycopg2.errors
from psycopg2 import IntegrityError

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, mute_logger

from ..clients import FINAL_STATUSES, CourierError

_logger = logging.getLogger(__name__)

#: A token-borne final state the courier's API could not confirm is tried again this often
#: (doubling), then recorded as not applied: the poll looks the order up later.
CONFIRM_RETRY = timedelta(minutes=1)
CONFIRM_TRIES = 5
APPLY_TRIES = 3
#: A process wakes the scheduled action at most this often (seconds): a run applies all
#: that is waiting and runs again while events keep coming (``remaining``); an event that
#: arrives just as a run ends waits at most the action's interval (1 minute).
TRIGGER_EVERY = 1.0
_last_trigger = {"at": float("-inf")}


class PemkabDeliveryWebhookInbox(models.Model):
    _name = "pemkab.delivery.webhook.inbox"
    _description = "Courier Webhook Inbox"
    _order = "id"
    _log_access = False  # written by one INSERT of the webhook: received_at says when

    # no index but the event key's: the inbox holds only what waits (applied events
    # leave it), and every index costs each webhook's INSERT
    provider_id = fields.Many2one("pemkab.courier.provider", required=True, ondelete="cascade")
    booking_id = fields.Many2one("pemkab.delivery.booking", required=True, ondelete="cascade")
    event_key = fields.Char(help="The courier's id of the event.")
    signed = fields.Boolean(help="Whether the request signed its body (HMAC).")
    payload = fields.Text(required=True, help="The courier's event as it came (JSON).")
    occurred_at = fields.Datetime(help="When the courier says the event happened.")
    received_at = fields.Datetime(required=True, default=fields.Datetime.now)
    attempt_count = fields.Integer(
        help="Lookups at the courier's API that could not confirm a final state."
    )
    next_attempt_at = fields.Datetime(help="Not applied before this time (a lookup failed).")

    _event_key_uniq = models.UniqueIndex(
        "(booking_id, event_key) WHERE event_key IS NOT NULL",
        "This courier event was already received.",
    )

    # ------------------------------------------------------------------
    # The webhook's side: one statement
    # ------------------------------------------------------------------
    @api.model
    def _receive(self, provider, event, payload, signed, occurred_at):
        """Record a checked, authentic event of ``provider``; return ``'queued'``,
        ``'duplicate'`` (already received or applied) or ``'unknown'`` (no such order).

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
                       (provider_id, booking_id, event_key, signed, payload, occurred_at,
                        received_at, attempt_count)
                SELECT %(provider)s, booking.id, %(key)s, %(signed)s, %(payload)s,
                       %(occurred_at)s, %(now)s, 0
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
        return "duplicate" if self.env.cr.fetchone() else "unknown"

    @api.model
    def _trigger_apply(self, at=None):
        cron = self.env.ref("pemkab_delivery.ir_cron_webhook_inbox", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at)

    # ------------------------------------------------------------------
    # The scheduled action: apply the news in batches
    # ------------------------------------------------------------------
    @api.model
    def _cron_apply(self, batch_size=200, max_batches=1000):
        """Apply waiting courier events, in batches, in their order of arrival per
        booking. Safe to run on several servers at once: a booking's events are claimed
        with the booking row (``FOR UPDATE SKIP LOCKED``). Returns how many were handled.
        """
        auto_commit = not modules.module.current_test
        done = 0
        for _batch in range(max_batches):
            handled, claimed = self._apply_batch(batch_size, auto_commit)
            done += handled
            time_left = float("inf")
            if auto_commit:
                time_left = self.env["ir.cron"]._commit_progress(handled)
            if claimed < batch_size or time_left <= 0:
                break
        if auto_commit:
            self.env["ir.cron"]._commit_progress(remaining=self._due_count())
        return done

    @api.model
    def _due_sql(self, now):
        return SQL(
            "(i.next_attempt_at IS NULL OR i.next_attempt_at <= %s)",
            now,
        )

    @api.model
    def _due_count(self):
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM pemkab_delivery_webhook_inbox i WHERE %s",
                self._due_sql(fields.Datetime.now()),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _apply_batch(self, batch_size, auto_commit):
        """Claim up to ``batch_size`` waiting events (whole bookings) and apply them; a
        concurrent change of a claimed booking starts the batch again. Returns (events
        handled, events claimed)."""
        for attempt in range(1, APPLY_TRIES + 1):
            try:
                with mute_logger("odoo.sql_db"):
                    events = self._claim(batch_size)
                    return self._apply_events(events), len(events)
            except psycopg2.errors.SerializationFailure:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                if attempt == APPLY_TRIES:
                    _logger.warning("Courier webhook inbox: the batch kept conflicting; next run")
                time.sleep(random.uniform(0.01, 0.05 * attempt))  # noqa: S311 - jitter
        return 0, 0

    @api.model
    def _claim(self, batch_size):
        """The waiting events of the bookings of the oldest ``batch_size`` events whose
        booking no other run holds, oldest first (the booking rows stay locked)."""
        now = fields.Datetime.now()
        self.env["pemkab.delivery.booking"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT b.id
                  FROM pemkab_delivery_booking b
                 WHERE b.id IN (SELECT i.booking_id
                                  FROM pemkab_delivery_webhook_inbox i
                                 WHERE %(due)s
                                 ORDER BY i.id
                                 LIMIT %(limit)s)
                   FOR UPDATE OF b SKIP LOCKED
                """,
                due=self._due_sql(now),
                limit=batch_size,
            )
        )
        booking_ids = [row[0] for row in self.env.cr.fetchall()]
        if not booking_ids:
            return self.browse()
        return self.search(
            [
                ("booking_id", "in", booking_ids),
                "|",
                ("next_attempt_at", "=", False),
                ("next_attempt_at", "<=", now),
            ],
            order="id",
        )

    def _apply_events(self, events):
        """Apply ``events`` (in their order), then drop them from the inbox (or leave
        those whose confirmation at the courier failed for later)."""
        if not events:
            return 0
        lang = self.env["ir.default"]._get("res.partner", "lang") or self.env.user.lang
        events = events.with_context(lang=lang)
        events.fetch(["booking_id", "provider_id", "event_key", "payload", "signed"])
        events.booking_id.fetch(["state", "name", "courier_order_ref"])
        handled = self.browse()
        clients = {}
        for event in events:
            if event._apply_one(clients):
                handled |= event
        if handled:
            self.env.cr.execute(
                SQL("DELETE FROM pemkab_delivery_webhook_inbox WHERE id IN %s", tuple(handled.ids))
            )
        (events - handled).invalidate_recordset()
        return len(handled)

    def _apply_one(self, clients):
        """Apply this event to its booking; False when it waits for another try."""
        self.ensure_one()
        booking, provider = self.booking_id, self.provider_id
        if provider not in clients:
            clients[provider] = provider._courier_client_class()
        payload = json.loads(self.payload)
        event = clients[provider].parse_webhook(payload)
        event_key = self.event_key or None
        order = event.order
        if not self.signed and event.status in FINAL_STATUSES and event.status != booking.state:
            # a static token alone does not close a booking: the courier's API must agree
            try:
                order = provider._courier_client().get_order(booking.name)
            except (CourierError, UserError, ValueError):
                return self._confirmation_failed(event, payload)
            if order.status != event.status:
                _logger.warning(
                    "Courier webhook for provider %s: %s says %s, the courier %s",
                    provider.id,
                    booking.name,
                    event.status,
                    order.status,
                )
                event_key = None  # not this event: its genuine retry is no duplicate
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                booking._apply_courier_update(
                    order, "webhook", event_key=event_key, payload=payload, date=self.occurred_at
                )
        except IntegrityError:
            # the same event, already in the history (from elsewhere than the webhook's
            # own check): kept once
            _logger.info(
                "Courier webhook for provider %s: %s already has event %s",
                provider.id,
                booking.name,
                event_key,
            )
        except (UserError, ValidationError) as error:
            _logger.warning(
                "Courier webhook for provider %s: %s refused the event",
                provider.id,
                booking.name,
                exc_info=True,
            )
            booking._log_event(
                "webhook",
                status=event.status,
                courier_status=event.order.courier_status,
                note=self.env._("Not applicable: %s", str(error))[:250],
                payload=payload,
                date=self.occurred_at,
            )
        return True

    def _confirmation_failed(self, event, payload):
        """The courier's API could not be asked: try again later, and after the last try
        record the event as not applied (the poll looks the order up)."""
        self.ensure_one()
        booking = self.booking_id
        _logger.warning(
            "Courier webhook for provider %s: %s could not be confirmed",
            self.provider_id.id,
            booking.name,
        )
        if self.attempt_count + 1 < CONFIRM_TRIES:
            later = fields.Datetime.now() + CONFIRM_RETRY * 2**self.attempt_count
            self.write({"attempt_count": self.attempt_count + 1, "next_attempt_at": later})
            self._trigger_apply(later)
            return False
        booking._log_event(
            "webhook",
            status=event.status,
            courier_status=event.order.courier_status,
            note=self.env._(
                "Not applied: the courier could not confirm it; the booking is looked up later."
            ),
            payload=payload,
            date=self.occurred_at,
        )
        return True
