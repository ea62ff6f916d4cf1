# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A courier account's rate limit, shared by every Odoo process: one token bucket row per
account in PostgreSQL (table ``pemkab_courier_rate_bucket``, created by
``pemkab.courier.provider.init``).

Each HTTP call of a worker thread first takes a token in its own tiny transaction, on its
own connection: one ``UPDATE`` refills the account's bucket at its rate since its last use
(one clock: the database's) and takes a token, which may leave the bucket in debt: the
call has then reserved the next free slot and waits for it (``-tokens / rate`` seconds)
before it goes. Calls waiting for their slots are spaced by exactly ``1 / rate``, with no
time lost between a token's coming and its being taken, and no stampede of threads
retrying the row. The bucket holds at most one token, so that every server together never
calls the account faster than its rate, in any second (one call more at most in a second
that starts after a pause).

Plain Python: no Odoo import (``psycopg2`` only, for its error class). The caller gives
``connect``, a function that returns a new DB-API cursor usable as a context manager that
commits when its block ends (Odoo's ``sql_db.db_connect(dbname).cursor()`` is one).
"""

import logging
import random
import time

import psycopg2.errors

_logger = logging.getLogger(__name__)

BUCKET_TABLE = "pemkab_courier_rate_bucket"
CAPACITY = 1.0  # tokens: no burst above the rate


class SharedRateLimiter:
    """``limiter(provider_id)`` blocks until the account may make one more call.

    :param connect: a function returning a new cursor of the database holding the
        buckets, used as ``with connect() as cr:`` (committed when the block ends).
    :param rates: {provider id: calls per second}; accounts without a rate are not held.
    """

    def __init__(self, connect, rates):
        self.connect = connect
        self.rates = {pid: float(rate) for pid, rate in rates.items() if rate and rate > 0}

    def ensure_buckets(self):
        """Create the missing buckets (full) before the calls, in a transaction of their
        own: the worker threads then only update rows."""
        for provider_id in self.rates:
            # each in a cursor of its own, committed when the block ends
            with self.connect() as cr:
                try:
                    cr.execute(
                        f"""
                        INSERT INTO {BUCKET_TABLE} (provider_id, tokens, refreshed_at)
                        VALUES (%s, %s, clock_timestamp())
                        ON CONFLICT (provider_id) DO NOTHING
                        """,  # noqa: S608 - a constant table name
                        (provider_id, CAPACITY),
                    )
                except psycopg2.errors.SerializationFailure:
                    cr.rollback()  # another server just created it

    def __call__(self, provider_id):
        rate = self.rates.get(provider_id)
        if not rate:
            return
        while True:
            wait = self._take(provider_id, rate)
            if wait is not None:
                break
            time.sleep(random.uniform(0.001, 0.004))  # noqa: S311 - jitter, then again
        if wait > 0:
            time.sleep(wait)

    def _take(self, provider_id, rate):
        """Take one token: the seconds to wait for its slot (0: at once), or None when the
        row could not be taken now (a concurrent taker: try again)."""
        with self.connect() as cr:
            try:
                # a taker of another thread or server holds the row for one statement:
                # under read committed this one waits for it, under repeatable read
                # PostgreSQL refuses it and it tries again
                cr.execute(
                    f"""
                    UPDATE {BUCKET_TABLE}
                       SET tokens = LEAST(
                               %s,
                               tokens + EXTRACT(EPOCH FROM clock_timestamp() - refreshed_at) * %s
                           ) - 1.0,
                           refreshed_at = clock_timestamp()
                     WHERE provider_id = %s
                 RETURNING tokens
                    """,  # noqa: S608 - a constant table name
                    (CAPACITY, rate, provider_id),
                )
                row = cr.fetchone()
                if row is None:
                    cr.execute(
                        f"""
                        INSERT INTO {BUCKET_TABLE} (provider_id, tokens, refreshed_at)
                        VALUES (%s, %s, clock_timestamp())
                        ON CONFLICT (provider_id) DO NOTHING
                        """,  # noqa: S608 - a constant table name
                        (provider_id, CAPACITY - 1.0),
                    )
                    return 0.0 if cr.rowcount else None
                tokens = float(row[0])
                return 0.0 if tokens >= 0.0 else -tokens / rate
            except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
                cr.rollback()
                return None
