# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The exchange with couriers: one service model (no records) that owns the scheduled work
with couriers, in sections:

* **Send** (:meth:`_cron_send`): claims due bookings with ``FOR NO KEY UPDATE SKIP
  LOCKED`` plus a lease and a claim token, commits, prepares each job (client, payload,
  the shared rate limit), calls the couriers in worker threads (``outbox/runner.py``,
  plain Python) with no row locked, then records each answer in its own short
  transaction as its call returns, if the run still holds the claim;
* **Poll** (:meth:`_cron_poll`): bookings with no news for a while are looked up by their
  courier order number, the same way (prepare, call, record one answer per transaction);
* **Apply news** (:meth:`_cron_apply_news`): the webhook inbox's events, claimed by their
  bookings (``FOR NO KEY UPDATE SKIP LOCKED``: the webhook's insert, whose foreign key
  takes ``FOR KEY SHARE`` on the booking, never waits for a batch) and applied in their
  order of arrival, set-based (in rounds: the n-th event of every booking together). A
  final state carried only by a static token becomes a ``confirm`` job: the event is
  leased, the batch commits, the courier's API is asked through the rate limiter with no
  row locked, and the answers are recorded by groups as they return, one transaction a
  group;
* **Photos** (:meth:`_cron_fetch_photos`): the proof and driver photos the couriers'
  news linked to (Grab's links expire after 2 and 3 hours) are downloaded into the
  booking, the links kept as provenance: claimed with a lease (committed), fetched in
  worker threads through the rate limiter with no row locked, only from the courier's
  host, size-limited, images only, each answer recorded in its own transaction, tried
  again with a doubling delay;
* **Purge** (:meth:`_cron_purge`): the courier data of bookings final for longer than
  the retention period.

What to do with a claimed booking and how to settle each answer are plain functions
(``outbox/decisions.py``). The exchange reaches the booking through a few named methods
only: ``_courier_payload`` and ``_exchange_closed_until`` (what a job needs),
``_exchange_settle`` (apply a settlement), ``_apply_courier_update`` and
``_apply_courier_news`` (the courier's news, of one booking or of a batch), ``_log_event``
and ``_log_events`` (its history) and ``_purge_courier_data``.
"""

import collections
import contextlib
import functools
import json
import logging
import random
import time
import uuid
from datetime import timedelta

import psycopg2.errors
from psycopg2 import IntegrityError
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import api, fields, models, modules, sql_db
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, mute_logger, split_every

from ..clients import FINAL_STATUSES
from ..const import ON_ITS_WAY_STATES
from ..outbox import decisions, run_jobs
from ..outbox.limiter import SharedRateLimiter
from ..outbox.runner import exchange_note

_logger = logging.getLogger(__name__)

# how long after news brings photo links the photo job runs (see _trigger_photos)
PHOTOS_AFTER = timedelta(minutes=1)

CLAIM_TRIES = 5
RECORD_TRIES = 3
APPLY_TRIES = 3
#: The confirmations' answers recorded in one transaction, at most
CONFIRM_GROUP = 50
# a concurrent transaction on the same rows (a webhook): the answer is recorded again
CONFLICTS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
)
# retention
RETENTION_PARAM = "pemkab_delivery.retention_days"
DEFAULT_RETENTION_DAYS = 90


@contextlib.contextmanager
def _limiter_cursor(dbname):
    """A new cursor of its own for the rate limiter's token taking (outbox/limiter.py),
    committed when the block ends. Read committed: a taker waits for the other thread's or
    server's one-statement transaction on the bucket row and updates the row it committed,
    instead of failing to serialize (and being logged, by many threads at once) and trying
    again. The next cursor on the pooled connection sets its isolation level back."""
    with sql_db.db_connect(dbname).cursor() as cr:
        cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
        yield cr


def _round_robin(rows):
    """The claimed rows (provider id last) by id within each account, the accounts taken
    in turn: the worker threads start on every account at once."""
    by_provider = {}
    for row in sorted(rows):
        by_provider.setdefault(row[-1], []).append(row)
    queues = list(by_provider.values())
    ordered = []
    for index in range(max(map(len, queues), default=0)):
        ordered.extend(queue[index] for queue in queues if index < len(queue))
    return ordered


class PemkabDeliveryExchange(models.AbstractModel):
    _name = "pemkab.delivery.exchange"
    _description = "Courier Exchange"

    # ==================================================================
    # SEND: CLAIM, PREPARE, CALL, RECORD
    # ==================================================================
    @api.model
    def _cron_send(self, batch_size=200, max_batches=100):
        """Send due bookings to their couriers (book, look up, cancel), in parallel.

        Safe to run on several servers at once: a booking is claimed with
        ``FOR NO KEY UPDATE SKIP LOCKED`` and a lease that is committed before any call.
        A batch holds up to ``batch_size`` bookings of each account, called at once. Each
        answer is recorded and committed as soon as its call returns. Batches follow one
        another while the scheduler's time budget (what ``_commit_progress`` returns)
        lasts; what is still due is then reported as ``remaining``, and the scheduler
        runs the job again at once. Returns how many answers were recorded.
        """
        auto_commit = not modules.module.current_test
        done = 0
        for _batch in range(max_batches):
            jobs = self._claim(batch_size, auto_commit)
            if not jobs:
                break
            if auto_commit:
                # the claims hold; no row stays locked during the calls
                self.env["ir.cron"]._commit_progress()
            prepared = self._prepare(jobs)
            if auto_commit:
                # end the read snapshot: answers are recorded in fresh transactions that
                # see what users changed meanwhile
                self.env["ir.cron"]._commit_progress()
            time_left = float("inf")
            for job, outcome in self._run(prepared):
                recorded, time_left = self._record(job, outcome, auto_commit)
                done += recorded
            per_account = collections.Counter(job["provider_id"] for job in jobs)
            if max(per_account.values()) < batch_size or time_left <= 0:
                break
        if auto_commit:
            self.env["ir.cron"]._commit_progress(remaining=self._send_due_count())
        return done

    @api.model
    def _send_due_sql(self, now):
        """The bookings (alias ``b``, their provider ``p``) the exchange has to send now."""
        return SQL(
            """
                p.kind != 'manual'
            AND ((b.state = 'requested' AND b.courier_order_ref IS NULL)
                 OR (b.cancel_requested AND b.state NOT IN ('delivered', 'failed'))
                 OR b.stray_courier_refs IS NOT NULL)
            AND (b.next_attempt_at IS NULL OR b.next_attempt_at <= %(now)s)
            AND (b.claimed_until IS NULL OR b.claimed_until < %(now)s)
            AND b.review_needed IS NOT TRUE
            """,
            now=now,
        )

    @api.model
    def _send_due_count(self):
        self.env["pemkab.delivery.booking"].flush_model()
        self.env["pemkab.courier.provider"].flush_model(["kind"])
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*)
                  FROM pemkab_delivery_booking b
                  JOIN pemkab_courier_provider p ON p.id = b.provider_id
                 WHERE %s
                """,
                self._send_due_sql(fields.Datetime.now()),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _claim(self, limit, auto_commit=False, tries=CLAIM_TRIES):
        """Claim due bookings for this run, up to ``limit`` of each courier account;
        return their jobs, the accounts in turn.

        Another server's commit on a due row since this transaction's snapshot makes
        PostgreSQL refuse the lock (SerializationFailure): the claim then starts again
        in a fresh transaction instead of crashing the run.

        A job is a plain dict: ``booking_id``, ``ref``, ``action`` (the claim ladder,
        ``decisions.claim_action``), ``lookup_first`` (an earlier attempt may have
        reached the courier), ``claim_token``, ``strays`` (other courier orders of the
        reference, to cancel) and ``provider_id``.
        """
        for attempt in range(1, tries + 1):
            try:
                with mute_logger("odoo.sql_db"):
                    return self._claim_once(limit)
            except psycopg2.errors.SerializationFailure:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                if attempt == tries:
                    _logger.warning("Courier exchange: the claim kept conflicting; next run")
                    return []
                time.sleep(random.uniform(0.01, 0.05 * attempt))  # noqa: S311 - jitter
        return []

    @api.model
    def _claim_once(self, limit):
        now = fields.Datetime.now()
        self.env["pemkab.delivery.booking"].flush_model()
        self.env["pemkab.courier.provider"].flush_model(
            ["kind", "max_attempts", "lookup_by_reference"]
        )
        # up to ``limit`` bookings of each account: the accounts are called at once, each
        # at its own parallel calls, and one account's backlog holds no other one back.
        # FOR NO KEY UPDATE: a webhook's insert into the inbox (FOR KEY SHARE through its
        # foreign key) does not wait for the claim
        self.env.cr.execute(
            SQL(
                """
                SELECT b.id
                  FROM pemkab_courier_provider p
                 CROSS JOIN LATERAL (
                        SELECT b.id, b.next_attempt_at
                          FROM pemkab_delivery_booking b
                         WHERE b.provider_id = p.id AND %s
                         ORDER BY b.next_attempt_at NULLS FIRST, b.id
                         LIMIT %s
                           FOR NO KEY UPDATE OF b SKIP LOCKED
                       ) b
                """,
                self._send_due_sql(now),
                limit,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if not ids:
            return []
        token = uuid.uuid4().hex
        # a claim still held after its lease: the run died (or could not record the
        # answer) with its call in flight; a booking call may have made the order
        self.env.cr.execute(
            SQL(
                """
                UPDATE pemkab_delivery_booking b
                   SET claimed_until = %s,
                       claim_token = %s,
                       attempt_count = b.attempt_count + 1,
                       outcome_unknown = b.outcome_unknown
                           OR (b.claim_token IS NOT NULL AND b.state = 'requested'
                               AND b.courier_order_ref IS NULL)
                  FROM pemkab_courier_provider p
                 WHERE p.id = b.provider_id AND b.id IN %s
             RETURNING b.id, b.name, b.attempt_count, b.cancel_requested, b.courier_order_ref,
                       b.state, b.outcome_unknown, b.stray_courier_refs, p.max_attempts,
                       p.lookup_by_reference, b.provider_id
                """,
                now + decisions.CLAIM_LEASE,
                token,
                tuple(ids),
            )
        )
        rows = self.env.cr.fetchall()
        self.env["pemkab.delivery.booking"].invalidate_model(
            ["claimed_until", "claim_token", "attempt_count", "outcome_unknown"]
        )
        jobs = []
        books_once = self._books_once({row[-1] for row in rows})
        voids = self._cancels_by_reference({row[-1] for row in rows})
        for row in _round_robin(rows):
            (booking_id, name, attempts, cancel, courier_ref, state, unknown, strays) = row[:8]
            max_tries, can_lookup, provider_id = row[8:]
            action, lookup_first = decisions.claim_action(
                decisions.Claimed(
                    state=state,
                    courier_ref=courier_ref,
                    cancel_requested=bool(cancel),
                    outcome_unknown=bool(unknown),
                    attempts=attempts,
                    max_attempts=max_tries,
                    can_lookup=bool(can_lookup),
                    books_once=provider_id in books_once,
                    cancels_by_reference=provider_id in voids,
                )
            )
            jobs.append(
                {
                    "booking_id": booking_id,
                    "ref": name,
                    "action": action,
                    "lookup_first": lookup_first,
                    "claim_token": token,
                    "strays": decisions.split_refs(strays, exclude=courier_ref),
                    "provider_id": provider_id,
                }
            )
        return jobs

    @api.model
    def _books_once(self, provider_ids):
        """The accounts (of ``provider_ids``) whose courier refuses a second order for our
        reference and names the first: their client's ``BOOKS_ONCE_PER_REFERENCE``."""
        providers = self.env["pemkab.courier.provider"].with_context(active_test=False)
        return {
            provider.id
            for provider in providers.browse(sorted(provider_ids))
            if provider._has_api()
            and getattr(provider._courier_client_class(), "BOOKS_ONCE_PER_REFERENCE", False)
        }

    @api.model
    def _cancels_by_reference(self, provider_ids):
        """The accounts (of ``provider_ids``) whose courier cancels every order of our
        reference (GrabExpress; the account's *Cancel by Our Reference*)."""
        providers = self.env["pemkab.courier.provider"].with_context(active_test=False)
        return {
            provider.id
            for provider in providers.browse(sorted(provider_ids))
            if provider._has_api()
            and provider.cancel_by_reference
            and provider._courier_client_class().CANCEL_BY_REFERENCE
        }

    @api.model
    def _prepare(self, jobs):
        """Add to each job, in the main thread, what the worker needs: client and payload.

        Every client's HTTP call first takes a token of its account's shared rate limit
        (``outbox/limiter.py``). A booking whose client cannot be set up (a missing
        credential, a neutralised database, any error of the account) gets a
        ``setup_error``: it alone is recorded as failed, the rest of the run goes on.
        """
        bookings = self.env["pemkab.delivery.booking"].browse([job["booking_id"] for job in jobs])
        bookings.fetch(["provider_id", "shelter_id", "recipient_name", "latitude"])
        prepared = []
        now = fields.Datetime.now()
        closed = {}
        rates = {}
        limiter = SharedRateLimiter(functools.partial(_limiter_cursor, self.env.cr.dbname), rates)
        for job, booking in zip(jobs, bookings, strict=True):
            if job["action"] == decisions.BOOK:
                opens = booking._exchange_closed_until(now, closed)
                if opens:
                    # due (a retry, a rebooking) while its shelter is closed: no call
                    job.update(client=None, closed_until=opens)
                    prepared.append(job)
                    continue
            provider = booking.provider_id
            try:
                client = provider._courier_client()
            except UserError as error:
                client, message = None, str(error)
            except Exception as error:  # noqa: BLE001 - one bad account must not stop the run
                _logger.warning(
                    "Courier exchange: account %s cannot be used: %s", provider.id, error
                )
                client = None
                message = self.env._(
                    "Courier provider %(provider)s cannot be used: %(error)s",
                    provider=provider.name,
                    error=error,
                )
            if client is None:
                job["client"] = None
                job["setup_error"] = message
                prepared.append(job)
                continue
            exchanges = []
            client.on_exchange = exchanges.append
            rate = provider.rate_limit_per_s
            if rate and self._shares_rate_limit():
                rates[provider.id] = rate
                client.before_request = functools.partial(limiter, provider.id)
            job.update(
                client=client,
                exchanges=exchanges,
                provider_id=provider.id,
                max_parallel=provider.max_parallel,
                courier_ref=booking.courier_order_ref,
                payload=booking._courier_payload() if job["action"] == decisions.BOOK else None,
            )
            prepared.append(job)
        if rates:
            limiter.rates.update(rates)
            limiter.ensure_buckets()
        return prepared

    @api.model
    def _shares_rate_limit(self):
        """Whether the calls take tokens of the accounts' shared buckets. The buckets are
        committed rows on connections of their own: not inside a test's never-committed
        transaction (tests/test_outbox_faults.py runs it for real)."""
        return not modules.module.current_test

    @api.model
    def _run(self, jobs):
        """Run the jobs' courier calls in worker threads (plain Python, no database)."""
        return run_jobs(jobs)

    @api.model
    def _record(self, job, outcome, auto_commit, tries=RECORD_TRIES):
        """Record one answer in its own transaction, retried when a user's concurrent
        change makes PostgreSQL refuse it. Returns (whether it was recorded, seconds
        left in the scheduler's budget).

        An answer that cannot be recorded is not lost: the booking keeps its claim until
        the lease ends, then the next run takes the outcome as unknown (it looks the order
        up by our reference, or the booking waits for a person).
        """
        for attempt in range(1, tries + 1):
            try:
                # a conflict is expected and recorded again: not an error in the log
                with mute_logger("odoo.sql_db"):
                    recorded = self._record_one(job, outcome)
                if auto_commit:
                    return recorded is not False, self.env["ir.cron"]._commit_progress(1)
                return recorded is not False, float("inf")
            except CONFLICTS:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                if attempt == tries:
                    _logger.warning(
                        "Courier exchange: %s kept conflicting; left for later", job["ref"]
                    )
            except Exception:
                if not auto_commit:
                    raise
                _logger.exception(
                    "Courier exchange: could not record the answer for %s", job["ref"]
                )
                self.env.cr.rollback()
                return False, float("inf")
        return False, float("inf")

    @api.model
    def _record_one(self, job, outcome):
        """Settle one answer (``outbox/decisions.py``) and have the booking apply it.
        Returns False only for a ``confirm`` job that waits for another try."""
        if job["action"] == decisions.CONFIRM:
            return self._record_confirm(job, outcome)
        if job["action"] == decisions.PHOTOS:
            booking = self.env["pemkab.delivery.booking"].browse(job["booking_id"])
            self._lock_booking(booking)
            booking._exchange_photos(job, outcome)
            return True
        booking = self.env["pemkab.delivery.booking"].browse(job["booking_id"])
        for exchange in job.get("exchanges", []):
            booking._log_event("api", note=exchange_note(exchange), payload=exchange)
        now = fields.Datetime.now()
        if job["action"] == decisions.POLL:
            # the row first: a concurrent webhook's change of the booking then shows as a
            # conflict (recorded again in a fresh transaction), not as a clash of what both
            # add (the follower of an activity)
            self._lock_booking(booking)
            settlement = decisions.settle_poll(outcome, now)
        else:
            settlement = decisions.settle(job, outcome, self._held(booking, job), now)
        booking._exchange_settle(job, settlement)
        return True

    @api.model
    def _lock_booking(self, booking):
        self.env.cr.execute(
            SQL(
                "SELECT id FROM pemkab_delivery_booking WHERE id = %s FOR NO KEY UPDATE",
                booking.id,
            )
        )

    @api.model
    def _held(self, booking, job):
        """The booking as its row is now, locked until the answer is recorded: whether
        this job's run still holds its claim (another run claims a booking once its lease
        has ended; from then on, only that run's answer is recorded)."""
        booking.flush_recordset()
        self.env.cr.execute(
            SQL(
                """
                SELECT b.claim_token, b.state, b.courier_order_ref, b.cancel_requested,
                       b.outcome_unknown, b.attempt_count, p.max_attempts,
                       p.lookup_by_reference, b.quoted_price, b.last_error
                  FROM pemkab_delivery_booking b
                  JOIN pemkab_courier_provider p ON p.id = b.provider_id
                 WHERE b.id = %s
                   FOR NO KEY UPDATE OF b
                """,
                booking.id,
            )
        )
        row = self.env.cr.fetchone()
        booking.invalidate_recordset()
        (token, state, courier_ref, cancel, unknown, attempts, max_tries, can_lookup) = row[:8]
        return decisions.Held(
            state=state,
            holds_claim=bool(job.get("claim_token")) and token == job["claim_token"],
            courier_ref=courier_ref,
            cancel_requested=bool(cancel),
            outcome_unknown=bool(unknown),
            attempts=attempts,
            max_attempts=max_tries,
            can_lookup=bool(can_lookup),
            books_once=bool(self._books_once({booking.provider_id.id})),
            cancels_by_reference=bool(self._cancels_by_reference({booking.provider_id.id})),
            quoted_price=row[8] or 0.0,
            last_error=row[9],
        )

    @api.model
    def _trigger_send(self, at=None):
        """Run :meth:`_cron_send` at once (or at ``at``)."""
        self._trigger_cron("pemkab_delivery.ir_cron_booking_outbox", at)

    @api.model
    def _trigger_cron(self, xmlid, at=None):
        """Run the scheduled action ``xmlid`` at once (or at ``at``), if it exists."""
        cron = self.env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at)

    # ==================================================================
    # POLL: BOOKINGS WITH NO NEWS FOR A WHILE
    # ==================================================================
    @api.model
    def _cron_poll(self, batch_size=100):
        """Look up bookings with no news for a while (archived accounts included: their
        live bookings still need news). The read snapshot ends before the courier calls;
        each answer is recorded in its own transaction, retried on a concurrent change
        (a webhook for the same booking), so one conflict never loses the rest."""
        auto_commit = not modules.module.current_test
        now = fields.Datetime.now()
        candidates = (
            self.env["pemkab.delivery.booking"]
            .with_context(active_test=False)
            .search(
                [
                    ("state", "in", ON_ITS_WAY_STATES),
                    ("provider_id.kind", "!=", "manual"),
                    # by its order number; a pre-booking (GoSend's ``prebook``) has none
                    # yet and is looked up by our reference where the courier allows it
                    "|",
                    ("courier_order_ref", "!=", False),
                    ("provider_id.lookup_by_reference", "=", True),
                ],
                order="last_news_at asc nulls first, id",
                limit=batch_size * 4,
            )
        )
        due = candidates.filtered(
            lambda b: not b.last_news_at
            or b.last_news_at <= now - timedelta(minutes=b.provider_id.poll_after_minutes)
        )[:batch_size]
        jobs = [
            {"booking_id": b.id, "ref": b.name, "action": decisions.POLL, "lookup_first": False}
            for b in due
        ]
        prepared = self._prepare(jobs)
        if auto_commit:
            self.env["ir.cron"]._commit_progress()
        for job, outcome in self._run(prepared):
            self._record(job, outcome, auto_commit)
        return len(jobs)

    # ==================================================================
    # APPLY NEWS: THE WEBHOOK INBOX, IN BATCHES
    # ==================================================================
    @api.model
    def _cron_apply_news(self, batch_size=200, max_batches=1000):
        """Apply waiting courier events, in batches, in their order of arrival per
        booking. Safe to run on several servers at once: a booking's events are claimed
        with the booking row (``FOR NO KEY UPDATE SKIP LOCKED``). A token-borne final
        state is confirmed at the courier's API after the batch has committed, as a job
        of this exchange. Returns how many events were handled."""
        auto_commit = not modules.module.current_test
        # what the news writes (history, chatter) is in the regency's language (the
        # default of its contacts), not in the courier's
        lang = self.env["ir.default"]._get("res.partner", "lang") or self.env.user.lang
        self = self.with_context(lang=lang)
        # events that outran their booking's answer, for the bookings that now know their
        # order number (the booking gives them at once; this catches a race)
        self.env["pemkab.delivery.webhook.inbox"]._adopt()
        done = 0
        for _batch in range(max_batches):
            handled, claimed, confirms = self._apply_news_batch(batch_size, auto_commit)
            done += handled
            time_left = float("inf")
            if auto_commit:
                # the booking rows are released before any courier call
                time_left = self.env["ir.cron"]._commit_progress(handled)
            if confirms:
                done += self._confirm(confirms, auto_commit)
            if claimed < batch_size or time_left <= 0:
                break
        if auto_commit:
            self.env["ir.cron"]._commit_progress(remaining=self._news_due_count())
        return done

    @api.model
    def _news_due_sql(self, now):
        # an event kept for a booking that does not know its order number yet waits
        return SQL(
            "(i.booking_id IS NOT NULL AND (i.next_attempt_at IS NULL OR i.next_attempt_at <= %s))",
            now,
        )

    @api.model
    def _news_due_count(self):
        self.env["pemkab.delivery.webhook.inbox"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM pemkab_delivery_webhook_inbox i WHERE %s",
                self._news_due_sql(fields.Datetime.now()),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _apply_news_batch(self, batch_size, auto_commit):
        """Claim up to ``batch_size`` waiting events (whole bookings) and apply them; a
        concurrent change of a claimed booking starts the batch again. Returns (events
        handled, events claimed, confirm jobs)."""
        for attempt in range(1, APPLY_TRIES + 1):
            try:
                with mute_logger("odoo.sql_db"):
                    events = self._claim_news(batch_size)
                    handled, confirms = self._apply_events(events)
                    return handled, len(events), confirms
            except psycopg2.errors.SerializationFailure:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                if attempt == APPLY_TRIES:
                    _logger.warning("Courier exchange: the news batch kept conflicting; next run")
                time.sleep(random.uniform(0.01, 0.05 * attempt))  # noqa: S311 - jitter
        return 0, 0, []

    @api.model
    def _claim_news(self, batch_size):
        """The waiting events of the bookings of the oldest ``batch_size`` events whose
        booking no other run holds, oldest first (the booking rows stay locked until the
        batch commits)."""
        now = fields.Datetime.now()
        self.env["pemkab.delivery.booking"].flush_model()
        self.env["pemkab.delivery.webhook.inbox"].flush_model()
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
                   FOR NO KEY UPDATE OF b SKIP LOCKED
                """,
                due=self._news_due_sql(now),
                limit=batch_size,
            )
        )
        booking_ids = [row[0] for row in self.env.cr.fetchall()]
        Inbox = self.env["pemkab.delivery.webhook.inbox"]
        if not booking_ids:
            return Inbox
        return Inbox.search(
            [
                ("booking_id", "in", booking_ids),
                "|",
                ("next_attempt_at", "=", False),
                ("next_attempt_at", "<=", now),
            ],
            order="id",
        )

    @api.model
    def _apply_events(self, events):
        """Apply ``events`` (in their order), then drop them from the inbox. A
        token-borne final state is leased instead (``claim_token`` and a lease in
        ``next_attempt_at``) and returned as a ``confirm`` job. Returns (events handled,
        confirm jobs)."""
        if not events:
            return 0, []
        events.fetch(["booking_id", "provider_id", "event_key", "payload", "signed", "occurred_at"])
        events.booking_id.fetch(["state", "name", "courier_order_ref"])
        handled = []
        confirms = []
        news = []
        parsers = {}
        token = uuid.uuid4().hex
        lease = fields.Datetime.now() + decisions.CLAIM_LEASE
        for event in events:
            provider, booking = event.provider_id, event.booking_id
            if provider not in parsers:
                parsers[provider] = provider._courier_client_class()
            payload = json.loads(event.payload)
            parsed = parsers[provider].parse_webhook(payload)
            if (
                not event.signed
                and parsed.status in FINAL_STATUSES
                and parsed.status != booking.state
            ):
                # a static token alone does not close a booking: the courier's API must agree
                confirms.append(
                    {
                        "inbox_id": event.id,
                        "booking_id": booking.id,
                        "ref": booking.name,
                        "action": decisions.CONFIRM,
                        "lookup_first": False,
                        "strays": [],
                        "provider_id": provider.id,
                        "claim_token": token,
                        "event_status": parsed.status,
                        # confirmed by the courier's own order number (never by an
                        # undocumented lookup by our reference)
                        "event_courier_ref": parsed.courier_ref or None,
                    }
                )
                continue
            news.append((event, booking, parsed.order, event.event_key or None, payload))
            handled.append(event.id)
        self._apply_news(news)
        if confirms:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE pemkab_delivery_webhook_inbox
                       SET claim_token = %s, next_attempt_at = %s
                     WHERE id IN %s
                    """,
                    token,
                    lease,
                    tuple(job["inbox_id"] for job in confirms),
                )
            )
        if handled:
            self.env.cr.execute(
                SQL("DELETE FROM pemkab_delivery_webhook_inbox WHERE id IN %s", tuple(handled))
            )
        events.invalidate_recordset()
        return len(handled), confirms

    @api.model
    def _apply_news(self, news):
        """Apply ``news`` (``(event, booking, order, event key, payload)`` in their order of
        arrival) in one go (``pemkab.delivery.booking._apply_courier_news``: a constant
        number of statements whatever the number of events); when a booking refuses one
        of them (or the history has one already), all of it again event by event, as
        :meth:`_apply_event` applies each."""
        if not news:
            return
        Booking = self.env["pemkab.delivery.booking"]
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                Booking._apply_courier_news(
                    [
                        (booking, order, event_key, payload, event.occurred_at)
                        for event, booking, order, event_key, payload in news
                    ],
                    "webhook",
                )
            return
        except (IntegrityError, UserError, ValidationError) as error:
            _logger.info("Courier webhook: the batch applied event by event (%s)", error)
        for event, booking, order, event_key, payload in news:
            self._apply_event(event, booking, order, event_key, payload)

    @api.model
    def _apply_event(self, event, booking, order, event_key, payload):
        """Apply one event's order to its booking; an event the booking refuses is
        recorded in its history as "Not applicable"."""
        provider = event.provider_id
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                booking._apply_courier_update(
                    order, "webhook", event_key=event_key, payload=payload, date=event.occurred_at
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
                status=order.status,
                courier_status=order.courier_status,
                note=self.env._("Not applicable: %s", str(error))[:250],
                payload=payload,
                date=event.occurred_at,
            )

    @api.model
    def _confirm(self, jobs, auto_commit):
        """Look the leased token-borne final states up at the couriers' API (prepared,
        called in worker threads through the rate limiter with no row locked), the
        answers recorded by groups of up to :data:`CONFIRM_GROUP` as they return, one
        transaction a group (:meth:`_record_confirms`). Returns how many events were
        handled."""
        prepared = self._prepare(jobs)
        if auto_commit:
            self.env["ir.cron"]._commit_progress()
        done = 0
        for answers in split_every(CONFIRM_GROUP, self._run(prepared), list):
            done += self._record_confirms(answers, auto_commit)
        return done

    @api.model
    def _record_confirms(self, answers, auto_commit):
        """Record a group of confirmations' answers in one transaction (a lost group
        loses nothing: its events stay leased in the inbox and are looked up again once
        the lease ends). A group that keeps conflicting with a concurrent change, or
        fails, is recorded again answer by answer, each in its own transaction
        (:meth:`_record`). Returns how many events were handled."""
        for attempt in range(1, RECORD_TRIES + 1):
            try:
                with mute_logger("odoo.sql_db"):
                    done = self._record_confirms_once(answers)
                if auto_commit:
                    self.env["ir.cron"]._commit_progress(done)
                return done
            except CONFLICTS:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                if attempt == RECORD_TRIES:
                    break
            except Exception:
                if not auto_commit:
                    raise
                _logger.exception("Courier exchange: could not record a group of confirmations")
                self.env.cr.rollback()
                self.env.invalidate_all()
                break
        return sum(self._record(job, outcome, auto_commit)[0] for job, outcome in answers)

    @api.model
    def _record_confirms_once(self, answers):
        """:meth:`_record_confirm` for a group of answers, in a constant number of
        statements: the bookings and the events locked by one query each, the calls'
        and the unconfirmed events' history lines by one INSERT, the confirmed events
        applied as the inbox's batch applies news (:meth:`_apply_news`, in their order
        of arrival), the handled events dropped by one DELETE."""
        answers = sorted(answers, key=lambda answer: answer[0]["inbox_id"])
        Booking = self.env["pemkab.delivery.booking"]
        Inbox = self.env["pemkab.delivery.webhook.inbox"]
        bookings = Booking.browse(sorted({job["booking_id"] for job, _outcome in answers}))
        self.env.cr.execute(
            SQL(
                "SELECT id FROM pemkab_delivery_booking WHERE id IN %s ORDER BY id "
                "FOR NO KEY UPDATE",
                tuple(bookings.ids),
            )
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT id, claim_token, attempt_count
                  FROM pemkab_delivery_webhook_inbox
                 WHERE id IN %s
                 ORDER BY id
                   FOR UPDATE
                """,
                tuple(job["inbox_id"] for job, _outcome in answers),
            )
        )
        held = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        events = Inbox.browse(list(held))
        events.invalidate_recordset()
        events.fetch(["provider_id", "event_key", "payload", "occurred_at"])
        now = fields.Datetime.now()
        lines, news, handled = [], [], []
        done = 0
        for job, outcome in answers:
            token, attempts = held.get(job["inbox_id"], (None, 0))
            if token != job["claim_token"]:
                done += 1  # another run holds it, or it is gone
                continue
            event = events.browse(job["inbox_id"])
            booking = bookings.browse(job["booking_id"])
            payload = json.loads(event.payload)
            parsed = event.provider_id._courier_client_class().parse_webhook(payload)
            settlement = decisions.settle_confirm(
                job["event_status"], outcome, attempts, True, now, event_order=parsed.order
            )
            lines.extend(
                {
                    "booking_id": booking.id,
                    "source": "api",
                    "note": exchange_note(exchange),
                    "payload": exchange,
                }
                for exchange in job.get("exchanges", [])
            )
            if settlement.verdict == decisions.RETRY:
                _logger.warning(
                    "Courier webhook for provider %s: %s could not be confirmed",
                    job["provider_id"],
                    booking.name,
                )
                event.write(settlement.vals)
                self._trigger_apply_news(settlement.retry_at)
                continue
            done += 1
            handled.append(event.id)
            if settlement.verdict == decisions.UNCONFIRMED:
                lines.append(
                    {
                        "booking_id": booking.id,
                        "source": "webhook",
                        "status": parsed.status,
                        "courier_status": parsed.order.courier_status,
                        "note": self.env._(
                            "Not applied: the courier could not confirm it; the booking is "
                            "looked up later."
                        ),
                        "payload": payload,
                        "date": event.occurred_at,
                    }
                )
                continue
            order = settlement.info
            if not settlement.keep_event_key:
                _logger.warning(
                    "Courier webhook for provider %s: %s says %s, the courier %s",
                    job["provider_id"],
                    booking.name,
                    job["event_status"],
                    order.status,
                )
            event_key = (event.event_key or None) if settlement.keep_event_key else None
            news.append((event, booking, order, event_key, payload))
        bookings._log_events(lines)
        self._apply_news(news)
        if handled:
            self.env.cr.execute(
                SQL("DELETE FROM pemkab_delivery_webhook_inbox WHERE id IN %s", tuple(handled))
            )
        events.invalidate_recordset()
        return done

    @api.model
    def _record_confirm(self, job, outcome):
        """Record a confirmation's answer: apply the courier's answer, or try the event
        again later, or after the last try record it as not applied (the poll looks the
        booking up). Returns False while the event waits for another try."""
        booking = self.env["pemkab.delivery.booking"].browse(job["booking_id"])
        self._lock_booking(booking)
        event = self.env["pemkab.delivery.webhook.inbox"].browse(job["inbox_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT claim_token, attempt_count
                  FROM pemkab_delivery_webhook_inbox
                 WHERE id = %s
                   FOR UPDATE
                """,
                event.id,
            )
        )
        row = self.env.cr.fetchone()
        holds = bool(row) and row[0] == job["claim_token"]
        if not holds:
            return True  # another run holds it, or it is gone
        event.invalidate_recordset()
        payload = json.loads(event.payload)
        parsed = event.provider_id._courier_client_class().parse_webhook(payload)
        settlement = decisions.settle_confirm(
            job["event_status"],
            outcome,
            row[1],
            holds,
            fields.Datetime.now(),
            event_order=parsed.order,
        )
        for exchange in job.get("exchanges", []):
            booking._log_event("api", note=exchange_note(exchange), payload=exchange)
        if settlement.verdict == decisions.RETRY:
            _logger.warning(
                "Courier webhook for provider %s: %s could not be confirmed",
                job["provider_id"],
                booking.name,
            )
            event.write(settlement.vals)
            self._trigger_apply_news(settlement.retry_at)
            return False
        if settlement.verdict == decisions.UNCONFIRMED:
            booking._log_event(
                "webhook",
                status=parsed.status,
                courier_status=parsed.order.courier_status,
                note=self.env._(
                    "Not applied: the courier could not confirm it; the booking is looked up later."
                ),
                payload=payload,
                date=event.occurred_at,
            )
        else:
            order = settlement.info
            if not settlement.keep_event_key:
                _logger.warning(
                    "Courier webhook for provider %s: %s says %s, the courier %s",
                    job["provider_id"],
                    booking.name,
                    job["event_status"],
                    order.status,
                )
            event_key = (event.event_key or None) if settlement.keep_event_key else None
            self._apply_event(event, booking, order, event_key, payload)
        self.env.cr.execute(
            SQL("DELETE FROM pemkab_delivery_webhook_inbox WHERE id = %s", event.id)
        )
        event.invalidate_recordset()
        return True

    @api.model
    def _trigger_apply_news(self, at=None):
        """Run :meth:`_cron_apply_news` at once (or at ``at``)."""
        self._trigger_cron("pemkab_delivery.ir_cron_webhook_inbox", at)

    # ==================================================================
    # PHOTOS: THE COURIER'S PROOF AND DRIVER PHOTOS, KEPT IN THE BOOKING
    # ==================================================================
    @api.model
    def _cron_fetch_photos(self, batch_size=50):
        """Download the couriers' photos of the bookings whose links are due: claimed
        (``FOR NO KEY UPDATE SKIP LOCKED``, a lease in ``photo_fetch_at``) and committed
        before any call; the downloads run in worker threads through each account's
        rate limiter; each booking's answer is recorded in its own transaction. Returns
        how many bookings were handled."""
        auto_commit = not modules.module.current_test
        Booking = self.env["pemkab.delivery.booking"]
        Booking.flush_model(["photo_fetch_at"])
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                UPDATE pemkab_delivery_booking
                   SET photo_fetch_at = %(lease)s, photo_attempts = photo_attempts + 1
                 WHERE id IN (SELECT id FROM pemkab_delivery_booking
                               WHERE photo_fetch_at <= %(now)s
                               ORDER BY photo_fetch_at, id
                               LIMIT %(limit)s
                                 FOR NO KEY UPDATE SKIP LOCKED)
             RETURNING id
                """,
                lease=now + decisions.CLAIM_LEASE,
                now=now,
                limit=batch_size,
            )
        )
        bookings = Booking.browse(sorted(row[0] for row in self.env.cr.fetchall()))
        Booking.invalidate_model(["photo_fetch_at", "photo_attempts"])
        jobs = []
        for booking in bookings.with_context(active_test=False):
            photos = booking._exchange_photos_wanted()
            if not photos:
                booking._workflow().write({"photo_fetch_at": False})
                continue
            jobs.append(
                {
                    "booking_id": booking.id,
                    "ref": booking.name,
                    "action": decisions.PHOTOS,
                    "lookup_first": False,
                    "strays": [],
                    "photos": photos,
                }
            )
        if auto_commit:
            # the leases hold; no row stays locked during the downloads
            self.env["ir.cron"]._commit_progress()
        prepared = self._prepare(jobs)
        if auto_commit:
            self.env["ir.cron"]._commit_progress()
        for job, outcome in self._run(prepared):
            self._record(job, outcome, auto_commit)
        if auto_commit:
            remaining = Booking.search_count([("photo_fetch_at", "<=", fields.Datetime.now())])
            self.env["ir.cron"]._commit_progress(remaining=remaining)
        return len(jobs)

    @api.model
    def _trigger_photos(self, at=None):
        """Run :meth:`_cron_fetch_photos` at ``at``, by default :data:`PHOTOS_AFTER`
        from now: the links a burst of news brings are fetched together after it, while
        the two cores answer the couriers' webhooks (the downloads cost as much CPU as
        applying the news: 11 ms and 10 queries a booking, ``bench/bench_apply_news.py``).
        The photos are due at once (``photo_fetch_at``): a run of the job that comes
        earlier takes them."""
        self._trigger_cron(
            "pemkab_delivery.ir_cron_courier_photos", at or fields.Datetime.now() + PHOTOS_AFTER
        )

    # ==================================================================
    # PURGE: THE COURIER'S DATA PAST RETENTION
    # ==================================================================
    @api.model
    def _retention_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM)
        try:
            days = int(value or DEFAULT_RETENTION_DAYS)
        except ValueError:
            return DEFAULT_RETENTION_DAYS
        return days if days > 0 else DEFAULT_RETENTION_DAYS

    @api.model
    def _cron_purge(self, batch_size=500, auto_commit=True):
        """Purge the courier data of the bookings final for longer than the retention
        period, by batches (one commit each when run as the scheduled action). Returns
        how many bookings were purged."""
        limit = fields.Datetime.now() - timedelta(days=self._retention_days())
        domain = [("closed_at", "<", limit), ("purged_at", "=", False)]
        Booking = self.env["pemkab.delivery.booking"].sudo().with_context(active_test=False)
        total = 0
        while True:
            bookings = Booking.search(domain, limit=batch_size, order="closed_at, id")
            if not bookings:
                return total
            bookings._purge_courier_data()
            total += len(bookings)
            if auto_commit:
                remaining = Booking.search_count(domain)
                if self.env["ir.cron"]._commit_progress(len(bookings), remaining=remaining) <= 0:
                    return total
