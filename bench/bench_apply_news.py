# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: what applying the couriers' webhook news costs, per event, with no HTTP.

Copies the given database (where pemkab_delivery is installed) into a throwaway one, starts
the courier sandbox in a process of its own, orders N deliveries there and creates the N
bookings at a GrabExpress account pointed at it (as ``bench_webhook.py`` does), then puts
the events of ``bench_webhook.py``'s scenarios into the webhook inbox the way the webhook
does (``_receive``: in order, duplicated, out of order; a forged event never reaches the
inbox), commits, and runs the exchange's *apply news* action in this process until nothing
waits. The token-borne final states (Grab signs nothing) are confirmed at the sandbox's API
as the exchange does. It prints::

    apply: N events, Q queries (q/event), CPU s (ms/event)

the SQL queries of this process and its CPU time (``time.process_time``: every thread,
the confirmation calls included) per event handled, then runs the photo job the news
woke (the courier's photo links) and prints its queries and CPU time per booking, then
checks the final states and the history as ``bench_webhook.py`` does; it exits 1 when
they are wrong. ``--profile N``
prints the N most costly functions (cProfile, cumulative time) of the applying. The copy
is dropped at the end::

    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_apply_news.py \\
        --config .state/<db>.conf --db <db> --bookings 300
"""

import argparse
import cProfile
import io
import json
import pstats
import shutil
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_webhook import SCENARIOS, Generator, setup_data  # noqa: E402


def put_events(env, provider, bookings):
    """The scenarios' authentic events in the inbox, as the webhook stores them; returns
    how many were stored (queued) and how many unique events the history must hold."""
    client = provider._courier_client_class()
    Inbox = env["pemkab.delivery.webhook.inbox"]
    maker = Generator(0, provider.id, bookings, 1)
    queued = unique = 0
    last = {}
    now = int(time.time()) - 600
    for step, (name, courier_ref, status, how) in enumerate(maker._steps(0)):
        if how == "forged":
            continue  # refused with 401 by the webhook: never stored
        if how == "dup":
            payload = last[name]
        else:
            unique += 1
            timestamp = now + step - (60 if how == "late" else 0)
            payload = maker._payload(name, courier_ref, status, timestamp)
            last[name] = payload
        payload = json.loads(json.dumps(payload))
        event = client.parse_webhook(payload)
        from odoo.addons.pemkab_delivery.controllers.main import parse_courier_datetime

        received = Inbox._receive(
            provider, event, payload, False, parse_courier_datetime(event.occurred_at)
        )
        queued += received == "queued"
    return queued, unique


def main():  # noqa: C901 - one linear script
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", required=True, help="database with pemkab_delivery (copied)")
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--rate-limit", type=float, default=33, help="Grab account's calls/s")
    parser.add_argument("--latency-ms", type=float, default=50, help="sandbox latency per call")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--profile-file", help="also write the profile there (pstats)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))

    import odoo
    from odoo import sql_db
    from odoo.api import Environment
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    bench_db = f"{args.db}_whapply"
    filestore = Path(odoo.tools.config.filestore(bench_db))
    from bench_bulk_dispatch import SandboxProcess

    sandbox = None
    with sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
        cr.execute(f'CREATE DATABASE "{bench_db}" TEMPLATE "{args.db}"')
    try:
        sandbox = SandboxProcess().start()
        registry = Registry(bench_db)
        with registry.cursor() as cr:
            env = Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            provider, bookings = setup_data(env, args.bookings, sandbox.url, args.rate_limit)
            provider_id = provider.id
        host, port = sandbox.url.removeprefix("http://").split(":")
        import http.client

        from bench_webhook import _sandbox_call

        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        _sandbox_call(conn, "POST", "/_sandbox/config", {"latency_ms": args.latency_ms})
        conn.close()
        with registry.cursor() as cr:
            env = Environment(cr, odoo.SUPERUSER_ID, {})
            provider = env["pemkab.courier.provider"].browse(provider_id)
            queued, unique = put_events(env, provider, bookings)
        print(f"inbox: {queued} events of {len(bookings)} bookings waiting")

        profiler = cProfile.Profile() if args.profile else None
        with registry.cursor() as cr:
            env = Environment(cr, odoo.SUPERUSER_ID, {})
            Exchange = env["pemkab.delivery.exchange"]
            queries = sql_db.sql_counter
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            applied = 0
            while Exchange._news_due_count():
                applied += Exchange._cron_apply_news()
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            count = sql_db.sql_counter - queries
        print(
            f"apply: {applied} events, {count} queries ({count / max(applied, 1):.1f}/event), "
            f"CPU {cpu:.2f} s ({cpu * 1000 / max(applied, 1):.2f} ms/event); "
            f"{wall:.1f} s wall ({applied / wall:.0f} events/s)"
        )
        # what the applied news woke besides: the photo job (the courier's photo links)
        with registry.cursor() as cr:
            env = Environment(cr, odoo.SUPERUSER_ID, {})
            Exchange = env["pemkab.delivery.exchange"]
            photo_queries = sql_db.sql_counter
            photo_cpu = time.process_time()
            photos = 0
            while fetched := Exchange._cron_fetch_photos():
                photos += fetched
            photo_cpu = time.process_time() - photo_cpu
            photo_queries = sql_db.sql_counter - photo_queries
        print(
            f"photos: {photos} bookings' photos fetched, {photo_queries} queries, "
            f"CPU {photo_cpu:.2f} s ({photo_cpu * 1000 / max(photos, 1):.2f} ms/booking)"
        )
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
            if args.profile_file:
                profiler.dump_stats(args.profile_file)
            print(out.getvalue())
        with registry.cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM pemkab_delivery_booking "
                "WHERE provider_id = %s GROUP BY state",
                [provider_id],
            )
            states = dict(cr.fetchall())
            cr.execute(
                """
                SELECT count(*) FROM pemkab_delivery_booking_event e
                  JOIN pemkab_delivery_booking b ON b.id = e.booking_id
                 WHERE b.provider_id = %s AND e.source = 'webhook'
                """,
                [provider_id],
            )
            history = cr.fetchone()[0]
        expected = {}
        for _name, _ref, scenario in bookings:
            expected[SCENARIOS[scenario][1]] = expected.get(SCENARIOS[scenario][1], 0) + 1
        ok = states == expected and history == unique and applied == queued
        print(f"final states: {dict(sorted(states.items()))}")
        print(f"expected:     {dict(sorted(expected.items()))}")
        print(f"webhook events in the history: {history} (expected {unique})")
        print("correct: " + ("yes" if ok else "NO"))
        if not ok:
            sys.exit(1)
    finally:
        if sandbox is not None:
            sandbox.stop()
        sql_db.close_all()
        with sql_db.db_connect("postgres").cursor() as cr:
            cr._cnx.autocommit = True
            cr.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
        shutil.rmtree(filestore, ignore_errors=True)


if __name__ == "__main__":
    main()
