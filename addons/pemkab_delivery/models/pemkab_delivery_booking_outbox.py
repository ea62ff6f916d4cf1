# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The outbox of courier bookings: claim, prepare, call (``outbox.runner``), record,
retry, poll (what the answers and news then do: ``pemkab_delivery_booking_news.py``).

The user's click only records the request. The scheduled action
:meth:`_cron_process_outbox` claims due bookings with ``FOR UPDATE SKIP LOCKED`` plus a
lease and a claim token, commits, calls the couriers in worker threads without holding
any row lock, then records each answer in its own short transaction as its call returns,
if the run still holds the claim. A call whose outcome is unknown (timeout, crash) is
reconciled by looking the order up by our own reference before anything else, so a retry
never creates a second courier order; where the courier cannot be asked, the booking
waits for a person (``pemkab_delivery_booking_review.py``).
"""

import collections
import contextlib
import functools
import logging
import random
import time
import uuid
from datetime import timedelta

import psycopg2.errors
import pytz

from odoo import api, fields, models, modules, sql_db
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger

from ..clients import Location, Package, RetryableError
from ..outbox import run_jobs
from ..outbox.limiter import SharedRateLimiter
from ..outbox.runner import exchange_note
from .pemkab_delivery_booking_news import split_refs
from .pemkab_shelter import SHELTER_TZ

_logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _limiter_cursor(dbname):
    """A new cursor of its own for the rate limiter's token taking (outbox/limiter.py),
    committed when the block ends; a serialization failure it handles is not logged."""
    with sql_db.db_connect(dbname).cursor() as cr, mute_logger("odoo.sql_db"):
        yield cr


CLAIM_LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 1800
CLAIM_TRIES = 5
# a concurrent transaction on the same rows (a webhook): the answer is recorded again
CONFLICTS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
)


class PemkabDeliveryBooking(models.Model):
    _inherit = "pemkab.delivery.booking"

    # ------------------------------------------------------------------
    # Outbox (scheduled action)
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_outbox(self, batch_size=50, max_batches=100):
        """Send due bookings to their couriers (book, look up, cancel), in parallel.

        Safe to run on several servers at once: a booking is claimed with
        ``FOR UPDATE SKIP LOCKED`` and a lease that is committed before any call. A batch
        holds up to ``batch_size`` bookings of each account, called at once. Each
        answer is recorded and committed as soon as its call returns. Batches follow one
        another while the scheduler's time budget (what ``_commit_progress`` returns)
        lasts; what is still due is then reported as ``remaining``, and the scheduler
        runs the job again at once.
        """
        auto_commit = not modules.module.current_test
        done = 0
        for _batch in range(max_batches):
            jobs = self._outbox_claim(batch_size, auto_commit)
            if not jobs:
                break
            if auto_commit:
                # the claims hold; no row stays locked during the calls
                self.env["ir.cron"]._commit_progress()
            prepared = self._outbox_prepare(jobs)
            if auto_commit:
                # end the read snapshot: answers are recorded in fresh transactions that
                # see what users changed meanwhile
                self.env["ir.cron"]._commit_progress()
            time_left = float("inf")
            for job, outcome in self._outbox_run(prepared):
                recorded, time_left = self._outbox_record(job, outcome, auto_commit)
                done += recorded
            per_account = collections.Counter(job["provider_id"] for job in jobs)
            if max(per_account.values()) < batch_size or time_left <= 0:
                break
        if auto_commit:
            self.env["ir.cron"]._commit_progress(remaining=self._outbox_due_count())
        return done

    @api.model
    def _outbox_record(self, job, outcome, auto_commit, tries=3):
        """Record one answer in its own transaction, retried when a user's concurrent
        change makes PostgreSQL refuse it. Returns (whether it was recorded, seconds
        left in the scheduler's budget).

        An answer that cannot be recorded is not lost: the booking keeps its claim until
        the lease ends, then the next run takes the outcome as unknown (it looks the order
        up by our reference, or the booking waits for a person).
        """
        booking = self.browse(job["booking_id"])
        for attempt in range(1, tries + 1):
            try:
                # a conflict is expected and recorded again: not an error in the log
                with mute_logger("odoo.sql_db"):
                    booking._outbox_apply(job, outcome)
                if auto_commit:
                    return True, self.env["ir.cron"]._commit_progress(1)
                return True, float("inf")
            except CONFLICTS:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                if attempt == tries:
                    _logger.warning(
                        "Courier outbox: %s kept conflicting; left for later", job["ref"]
                    )
            except Exception:
                if not auto_commit:
                    raise
                _logger.exception("Courier outbox: could not record the answer for %s", job["ref"])
                self.env.cr.rollback()
                return False, float("inf")
        return False, float("inf")

    @api.model
    def _outbox_due_sql(self, now):
        """The bookings (alias ``b``, their provider ``p``) the outbox has to send now."""
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
    def _outbox_due_count(self):
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
                self._outbox_due_sql(fields.Datetime.now()),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _outbox_claim(self, limit, auto_commit=False, tries=CLAIM_TRIES):
        """Claim due bookings for this run, up to ``limit`` of each courier account;
        return their jobs, the accounts in turn.

        Another server's commit on a due row since this transaction's snapshot makes
        PostgreSQL refuse the lock (SerializationFailure): the claim then starts again
        in a fresh transaction instead of crashing the run.

        A job is a plain dict: ``booking_id``, ``ref``, ``action`` ('book', 'lookup',
        'cancel', 'lookup_cancel' or 'none'), ``lookup_first`` (an earlier attempt may
        have reached the courier), ``claim_token``, ``strays`` (other courier orders of
        the reference, to cancel) and ``provider_id``.
        """
        for attempt in range(1, tries + 1):
            try:
                with mute_logger("odoo.sql_db"):
                    return self._outbox_claim_once(limit)
            except psycopg2.errors.SerializationFailure:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                if attempt == tries:
                    _logger.warning("Courier outbox: the claim kept conflicting; next run")
                    return []
                time.sleep(random.uniform(0.01, 0.05 * attempt))  # noqa: S311 - jitter
        return []

    @api.model
    def _outbox_claim_once(self, limit):
        now = fields.Datetime.now()
        self.env["pemkab.delivery.booking"].flush_model()
        self.env["pemkab.courier.provider"].flush_model(
            ["kind", "max_attempts", "lookup_by_reference"]
        )
        # up to ``limit`` bookings of each account: the accounts are called at once, each
        # at its own parallel calls, and one account's backlog holds no other one back
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
                           FOR UPDATE OF b SKIP LOCKED
                       ) b
                """,
                self._outbox_due_sql(now),
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
                now + CLAIM_LEASE,
                token,
                tuple(ids),
            )
        )
        rows = self.env.cr.fetchall()
        self.invalidate_model(["claimed_until", "claim_token", "attempt_count"])
        jobs = []
        for row in _round_robin(rows):
            (booking_id, name, attempts, cancel, courier_ref, state, unknown, strays) = row[:8]
            max_tries, can_lookup, provider_id = row[8:]
            if cancel and courier_ref:
                action = "cancel"
            elif cancel:
                # without its number, look the order up first; a courier that cannot be
                # asked got a known answer (no order), or the booking waits for a person
                action = "lookup_cancel" if can_lookup else "review" if unknown else "cancel_local"
            elif state == "requested" and not courier_ref and unknown and not can_lookup:
                # a call may have made an order nobody can ask about: never book blindly
                action = "review"
            elif state == "requested" and not courier_ref:
                # the attempts are spent but the last call may have made the order: only
                # look it up; a booking is failed only when the courier says it has none
                action = "lookup" if unknown and attempts > max_tries else "book"
            else:
                action = "none"
            jobs.append(
                {
                    "booking_id": booking_id,
                    "ref": name,
                    "action": action,
                    "lookup_first": bool(can_lookup) and (attempts > 1 or bool(unknown)),
                    "claim_token": token,
                    "strays": split_refs(strays, exclude=courier_ref),
                    "provider_id": provider_id,
                }
            )
        return jobs

    def _outbox_shelter_closed_until(self, now, cache):
        """When the booking's shelter opens next, if it is closed at ``now``, else False
        (``cache``: {shelter id: answer}, shared by a batch)."""
        self.ensure_one()
        shelter = self.shelter_id
        if shelter.id not in cache:
            opens = shelter._next_open_at(now)
            cache[shelter.id] = opens if opens and opens > now else False
        return cache[shelter.id]

    def _hold_until_shelters_open(self):
        """Bookings for a closed shelter wait for its next opening: a driver sent now
        would find the counter shut."""
        now = fields.Datetime.now()
        cache = {}
        for booking in self.filtered(lambda b: b.provider_id._has_api()):
            opens = booking._outbox_shelter_closed_until(now, cache)
            if opens:
                booking._outbox_hold(opens)

    def _outbox_hold(self, opens):
        self.ensure_one()
        self.write({"next_attempt_at": opens})
        local = pytz.utc.localize(opens).astimezone(pytz.timezone(SHELTER_TZ))
        self._log_event(
            "system",
            note=self.env._(
                "Shelter %(shelter)s is closed: the courier is booked when it opens, %(when)s.",
                shelter=self.shelter_id.display_name,
                when=local.strftime("%Y-%m-%d %H:%M WIB"),
            ),
        )
        self._trigger_outbox_at(opens)
        return False

    @api.model
    def _outbox_prepare(self, jobs):
        """Add to each job, in the main thread, what the worker needs: client and payload.

        A booking whose client cannot be set up (a missing credential, a neutralised
        database, any error of the account) gets a ``setup_error``: it alone is recorded
        as failed, the rest of the run goes on.
        """
        bookings = self.browse([job["booking_id"] for job in jobs])
        bookings.fetch(["provider_id", "shelter_id", "recipient_name", "latitude"])
        prepared = []
        now = fields.Datetime.now()
        closed = {}
        rates = {}
        limiter = SharedRateLimiter(functools.partial(_limiter_cursor, self.env.cr.dbname), rates)
        for job, booking in zip(jobs, bookings, strict=True):
            if job["action"] == "book" and booking._outbox_shelter_closed_until(now, closed):
                # due (a retry, a rebooking) while its shelter is closed: no call
                job.update(client=None, closed_until=closed[booking.shelter_id.id])
                prepared.append(job)
                continue
            try:
                client = booking.provider_id._courier_client()
            except UserError as error:
                client, message = None, str(error)
            except Exception as error:  # noqa: BLE001 - one bad account must not stop the run
                _logger.warning(
                    "Courier outbox: account %s cannot be used: %s", booking.provider_id.id, error
                )
                client = None
                message = self.env._(
                    "Courier provider %(provider)s cannot be used: %(error)s",
                    provider=booking.provider_id.name,
                    error=error,
                )
            if client is None:
                job["client"] = None
                job["setup_error"] = message
                prepared.append(job)
                continue
            exchanges = []
            client.on_exchange = exchanges.append
            rate = booking.provider_id.rate_limit_per_s
            # the buckets are shared through committed rows: not inside a test's
            # never-committed transaction (tests/test_outbox_faults.py runs it for real)
            if rate and not modules.module.current_test:
                rates[booking.provider_id.id] = rate
                client.before_request = functools.partial(limiter, booking.provider_id.id)
            job.update(
                client=client,
                exchanges=exchanges,
                provider_id=booking.provider_id.id,
                max_parallel=booking.provider_id.max_parallel,
                courier_ref=booking.courier_order_ref,
                payload=booking._courier_payload() if job["action"] == "book" else None,
            )
            prepared.append(job)
        if rates:
            limiter.rates.update(rates)
            limiter.ensure_buckets()
        return prepared

    def _courier_payload(self):
        """What the courier is told: the minimum, nothing sensitive."""
        self.ensure_one()
        shelter = self.shelter_id
        address = ", ".join(
            part
            for part in (
                self.street,
                self.desa_id.name,
                self.kecamatan_id.name and self.env._("Kec. %s", self.kecamatan_id.name),
                "Banyuwangi",
            )
            if part
        )
        shelter_address = ", ".join(
            part for part in (shelter.street, shelter.city or "Banyuwangi") if part
        )
        return {
            "origin": Location(
                name=shelter.name,
                phone=shelter.phone or "",
                address=shelter_address,
                latitude=shelter.latitude,
                longitude=shelter.longitude,
                note=self.env._("Pickup at the counter, parcel %s", self.package_code),
            ),
            "destination": Location(
                name=self.recipient_name,
                phone=self.recipient_phone,
                address=address,
                latitude=self.latitude,
                longitude=self.longitude,
                note=self.recipient_note or "",
            ),
            "package": Package(code=self.package_code, description=self.package_description or ""),
            "service_type": self.service_type,
        }

    @api.model
    def _outbox_run(self, jobs):
        """Run the jobs' courier calls in worker threads (plain Python, no database)."""
        return run_jobs(jobs)

    def _outbox_apply(self, job, outcome):
        """Record the answer of one job (main thread, its own short transaction)."""
        self.ensure_one()
        for exchange in job.get("exchanges", []):
            self._log_event("api", note=exchange_note(exchange), payload=exchange)
        if job["action"] == "poll":
            return self._outbox_apply_poll(job, outcome)
        if not self._outbox_holds_claim(job):
            return self._outbox_late_answer(job, outcome)
        self.write({"claimed_until": False, "claim_token": False})
        self._outbox_apply_strays(job)
        if outcome is None:
            return self._outbox_apply_no_call(job)
        kind, value = outcome
        if job.get("unknown") and self.courier_order_ref:
            return self._outbox_known_by_news()
        self._outbox_update_outcome_unknown(job, kind)
        if job.get("unknown") and not self.provider_id.lookup_by_reference:
            return self._outbox_wait_for_review(value)
        if kind == "error":
            return self._outbox_apply_error(job, value)
        if kind == "not_found" and job["action"] == "lookup":
            return self._outbox_failed(
                self.env._(
                    "The courier has no order for %(ref)s after %(count)s attempts (%(error)s).",
                    ref=self.name,
                    count=self.attempt_count - 1,
                    error=self.last_error or "-",
                )
            )
        info = value
        if job["action"] in ("cancel", "lookup_cancel", "cancel_local"):
            return self._outbox_apply_cancelled(info)
        vals = {"next_attempt_at": False, "last_error": False}
        if kind == "found":
            self._log_event(
                "api",
                note=self.env._("Found the order made by an earlier attempt: not booked again."),
            )
        if info.price and not self.quoted_price:
            vals["quoted_price"] = info.price
        self.write(vals)
        if info.status == "requested":
            info.status = "booked"
        if self.state == "cancelled":
            # cancelled while the call was under way: the courier's order must go too
            self.write({"courier_order_ref": info.courier_ref, "cancel_requested": True})
            self._log_event("api", note=self.env._("Booked while being cancelled: cancelling it."))
            self._trigger_outbox()
            return False
        applied = self._apply_courier_update(info, "api")
        if self.cancel_requested:
            self._trigger_outbox()
        return applied

    def _outbox_apply_no_call(self, job):
        """A job that called nobody: its shelter is closed, the booking waits for a person,
        or its account cannot be used."""
        self.ensure_one()
        if job.get("closed_until"):
            self.attempt_count -= 1
            return self._outbox_hold(job["closed_until"])
        if job["action"] == "review":
            return self._outbox_wait_for_review(
                RetryableError(
                    self.env._("the run sending it stopped before the courier's answer"),
                    code="interrupted",
                )
            )
        if job.get("setup_error"):
            return self._outbox_failed(job["setup_error"])
        return False

    def _outbox_known_by_news(self):
        """The booking call got no answer, but the courier's news (a webhook) named the
        order meanwhile: nothing is unknown, nothing is sent again."""
        self.ensure_one()
        self.write({"outcome_unknown": False, "next_attempt_at": False, "last_error": False})
        self._log_event(
            "api",
            note=self.env._(
                "No answer to the booking call, but the courier's news named its order %s: "
                "not sent again.",
                self.courier_order_ref,
            ),
        )
        if self.cancel_requested:
            self._trigger_outbox()
        return False

    def _outbox_update_outcome_unknown(self, job, kind):
        """Whether the courier may have an order we do not know of, after this job."""
        self.ensure_one()
        if job.get("unknown"):
            self.outcome_unknown = True
        elif kind == "found" or job.get("absent"):
            self.outcome_unknown = False

    def _outbox_apply_error(self, job, error):
        self.ensure_one()
        if error.retryable:
            return self._outbox_retry(error)
        if job["action"] in ("cancel", "lookup_cancel"):
            self.write({"cancel_requested": False})
            self._log_event("api", note=self.env._("Cancellation refused: %s", error.message))
            self.message_post(
                body=self.env._("The courier refused the cancellation: %s", error.message)
            )
            return False
        return self._outbox_failed(error.message or error.code)

    def _outbox_apply_cancelled(self, info):
        """The courier cancelled its order (``info`` None: it had none)."""
        self.ensure_one()
        self.write({"cancel_requested": False, "next_attempt_at": False, "outcome_unknown": False})
        if self.state == "cancelled":
            self._log_event(
                "api",
                status="cancelled",
                note=self.env._("The courier's order is cancelled too."),
                payload=info.raw if info else None,
            )
            return False
        return self._set_state("cancelled", source="api", payload=info.raw if info else None)

    def _outbox_holds_claim(self, job):
        """Whether this job's run still holds the booking's claim (row locked till commit).

        Another run claims a booking once its lease has ended; from then on, only that
        run's answer is recorded."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT claim_token FROM pemkab_delivery_booking WHERE id = %s FOR UPDATE",
                self.id,
            )
        )
        row = self.env.cr.fetchone()
        self.invalidate_recordset(["claim_token", "claimed_until"])
        return bool(row and job.get("claim_token") and row[0] == job["claim_token"])

    def _outbox_late_answer(self, job, outcome):
        """An answer after this run's claim was lost: kept in the history, not applied.
        An order it made is cancelled unless the booking turns out to have it as its own."""
        self.ensure_one()
        kind, info = outcome if outcome else (None, None)
        note = self.env._("Answer after the claim passed to another run: not applied.")
        made = info if kind == "ok" and job["action"] == "book" else None
        if made and made.courier_ref and made.courier_ref != self.courier_order_ref:
            self._add_stray_courier_refs([made.courier_ref])
            note = self.env._(
                "Answer after the claim passed to another run: not applied; its courier "
                "order %s is cancelled unless it is the booking's own.",
                made.courier_ref,
            )
        self._log_event(
            "api",
            status=made.status if made else None,
            note=note,
            payload=made.raw if made else None,
        )
        return False

    def _outbox_apply_poll(self, job, outcome):
        self.ensure_one()
        # the row first: a concurrent webhook's change of the booking then shows as a
        # conflict (recorded again in a fresh transaction), not as a clash of what both
        # add (the follower of an activity)
        self.env.cr.execute(
            SQL("SELECT id FROM pemkab_delivery_booking WHERE id = %s FOR UPDATE", self.id)
        )
        if outcome and outcome[0] == "ok":
            return self._apply_courier_update(outcome[1], "poll")
        error = job.get("setup_error") or (outcome[1].message if outcome else "-")
        self.write({"last_news_at": fields.Datetime.now()})
        self._log_event("poll", note=self.env._("Poll failed: %s", error))
        return False

    def _outbox_retry(self, error):
        self.ensure_one()
        attempts = self.attempt_count
        spent = attempts >= self.provider_id.max_attempts
        if spent and not self.outcome_unknown:
            return self._outbox_failed(
                self.env._(
                    "%(error)s (after %(count)s attempts)", error=error.message, count=attempts
                )
            )
        delay = min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS)
        self.write(
            {
                "next_attempt_at": fields.Datetime.now() + timedelta(seconds=delay),
                "last_error": f"{error.code}: {error.message}",
            }
        )
        if spent:
            note = self.env._(
                "Attempt %(count)s got no answer (%(error)s): the courier may have the "
                "order. It is looked up in %(delay)s s before the booking is failed.",
                count=attempts,
                error=error.message or error.code,
                delay=delay,
            )
        else:
            note = self.env._(
                "Attempt %(count)s failed (%(error)s); next try in %(delay)s s.",
                count=attempts,
                error=error.message or error.code,
                delay=delay,
            )
        self._log_event("system", note=note)
        self._trigger_outbox_at(self.next_attempt_at)
        return False

    def _outbox_failed(self, message):
        self.ensure_one()
        if self.cancel_requested:
            # the user cancelled; the courier refused or could not be reached for good
            self.write({"cancel_requested": False, "last_error": message})
            self.message_post(
                body=self.env._("The courier could not cancel the order: %s", message)
            )
            return False
        self._set_state(
            "failed",
            {"failure_reason": "error", "failure_message": message, "last_error": message},
            source="system",
            note=message,
        )
        return False

    @api.model
    def _trigger_outbox_at(self, when):
        cron = self.env.ref("pemkab_delivery.ir_cron_booking_outbox", raise_if_not_found=False)
        if cron and when:
            cron.sudo()._trigger(when)

    # ------------------------------------------------------------------
    # Polling (scheduled action): bookings with no news for a while
    # ------------------------------------------------------------------
    @api.model
    def _cron_poll_bookings(self, batch_size=100):
        """Look up bookings with no news for a while (archived accounts included: their
        live bookings still need news). The read snapshot ends before the courier calls;
        each answer is recorded in its own transaction, retried on a concurrent change
        (a webhook for the same booking), so one conflict never loses the rest."""
        auto_commit = not modules.module.current_test
        now = fields.Datetime.now()
        candidates = self.with_context(active_test=False).search(
            [
                ("state", "in", ("booked", "driver_assigned", "picked_up")),
                ("provider_id.kind", "!=", "manual"),
                ("courier_order_ref", "!=", False),
            ],
            order="last_news_at asc nulls first, id",
            limit=batch_size * 4,
        )
        due = candidates.filtered(
            lambda b: not b.last_news_at
            or b.last_news_at <= now - timedelta(minutes=b.provider_id.poll_after_minutes)
        )[:batch_size]
        jobs = [
            {"booking_id": b.id, "ref": b.name, "action": "poll", "lookup_first": False}
            for b in due
        ]
        prepared = self._outbox_prepare(jobs)
        if auto_commit:
            self.env["ir.cron"]._commit_progress()
        for job, outcome in self._outbox_run(prepared):
            self._outbox_record(job, outcome, auto_commit)
        return len(jobs)


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
