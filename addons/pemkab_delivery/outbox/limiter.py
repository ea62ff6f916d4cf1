# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A courier account's rate limit, shared by every Odoo process: one token bucket row per
account in PostgreSQL (table ``pemkab_courier_rate_bucket``, created by
``pemkab.courier.provider.init``).

Each HTTP call of a worker thread first takes a token in its own tiny transaction, on its
own connection: the row is locked ``FOR UPDATE SKIP LOCKED`` (a worker of another server
holding it is not waited for: the taker tries again a few milliseconds later), refilled
at the account's rate since its last use (one clock: the database's), and decremented.
The bucket holds at most one token, so that every server together never calls the
account faster than its rate, in any second.

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
            if wait <= 0:
                return
            time.sleep(wait)

    def _take(self, provider_id, rate):
        """Take one token: 0 when taken, else the seconds to wait before trying again."""
        with self.connect() as cr:
            try:
                cr.execute(
                    f"""
                    SELECT tokens, EXTRACT(EPOCH FROM clock_timestamp() - refreshed_at)
                      FROM {BUCKET_TABLE}
                     WHERE provider_id = %s
                       FOR UPDATE SKIP LOCKED
                    """,  # noqa: S608 - a constant table name
                    (provider_id,),
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
                    if cr.rowcount:
                        return 0.0  # a new bucket: this call takes its token
                    return random.uniform(0.001, 0.004)  # noqa: S311 - another server has it
                tokens = min(CAPACITY, float(row[0]) + float(row[1]) * rate)
                wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate
                if not wait:
                    tokens -= 1.0
                cr.execute(
                    f"""
                    UPDATE {BUCKET_TABLE}
                       SET tokens = %s, refreshed_at = clock_timestamp()
                     WHERE provider_id = %s
                    """,  # noqa: S608 - a constant table name
                    (tokens, provider_id),
                )
                return wait
            except psycopg2.errors.SerializationFailure:
                cr.rollback()
                return random.uniform(0.001, 0.004)  # noqa: S311 - jitter
