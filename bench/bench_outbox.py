# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: requesting and sending courier bookings through the outbox.

Creates N bookings against the courier sandbox (started in-process on a free loopback
port, with the given latency), requests them in one click, then runs the outbox until all
are booked. ``--accounts 2`` spreads them over a GoSend-like and a Grab account and
``--rate-limit`` starts the sandbox in a process of its own (a courier is remote: it does
not share this interpreter) answering 429 above that many calls per second per API, as
the couriers do; the accounts' shared rate limiter (``outbox/limiter.py``, its token rows
committed on connections of their own and removed at the end) keeps each under it, as in
production, and the count of 429 answers proves it. The time that matters is from the
click to the last booking booked. Prints wall time and SQL queries for each step, per
booking too. Everything happens in one transaction that is rolled back: the database is
left as it was.

Run it against any database where pemkab_delivery is installed, e.g. the throwaway test
database kept by ``PEMKAB_KEEP_DB=1 scripts/test.sh -k nothing``::

    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_outbox.py \\
        --config .state/<db>.conf --db <db> --bookings 200 --latency-ms 50 --parallel 4
    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_outbox.py \\
        --config .state/<db>.conf --db <db> --bookings 2000 --accounts 2 --rate-limit 33 \\
        --account-rate 30 --latency-ms 200 --parallel 8
"""

import argparse
import sys
import time
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", required=True, help="database with pemkab_delivery")
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=50, help="sandbox latency per call")
    parser.add_argument("--parallel", type=int, default=4, help="provider's parallel calls")
    parser.add_argument("--batch", type=int, default=200, help="outbox batch per account")
    parser.add_argument("--accounts", type=int, choices=[1, 2], default=1)
    parser.add_argument(
        "--rate-limit", type=float, default=0, help="sandbox's calls/s per API (0: none)"
    )
    parser.add_argument(
        "--account-rate", type=float, default=0, help="accounts' calls/s (default: the sandbox's)"
    )
    args = parser.parse_args()

    import odoo
    from odoo import modules, sql_db
    from odoo.api import Environment
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "addons" / "pemkab_delivery"))
    from sandbox.courier_sandbox import CourierSandbox

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_bulk_dispatch import SandboxProcess

    registry = Registry(args.db)
    # keep the outbox from committing: the whole run is rolled back at the end
    modules.module.current_test = True
    if args.rate_limit:
        sandbox = SandboxProcess(
            "--latency-ms", str(args.latency_ms), "--rate-limit-per-s", f"{args.rate_limit:g}"
        ).start()
    else:
        sandbox = CourierSandbox(latency_ms=args.latency_ms, webhook_on_create=False).start()
    try:
        with registry.cursor() as cr:
            env = Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            agency = env["pemkab.agency"].create({"name": "Bench", "code": "BENCH-AG"})
            shelter = env["pemkab.shelter"].create(
                {
                    "name": "Bench shelter",
                    "code": "BENCH-SH",
                    "agency_id": agency.id,
                    "latitude": -8.21,
                    "longitude": 114.36,
                    "phone": "0333 421118",
                }
            )
            common = {"max_parallel": args.parallel, "read_timeout": 30}
            if args.rate_limit:
                common["rate_limit_per_s"] = args.account_rate or args.rate_limit
            accounts = [
                {
                    "name": "Bench sandbox",
                    "kind": "sandbox",
                    "base_url": sandbox.url,
                    "client_id": "sandbox-client",
                    "client_secret": "sandbox-pass",
                },
                {
                    "name": "Bench Grab (sandbox)",
                    "kind": "grab",
                    "base_url": sandbox.url + "/grab",
                    "client_id": "sandbox-client",
                    "client_secret": "sandbox-secret",
                },
            ][: args.accounts]
            providers = env["pemkab.courier.provider"].create(
                [dict(common, **account) for account in accounts]
            )
            Booking = env["pemkab.delivery.booking"]
            Exchange = env["pemkab.delivery.exchange"]
            if args.rate_limit:
                # the accounts' shared limiter, as in production: its token rows are
                # committed on connections of their own (removed at the end)
                type(Exchange)._shares_rate_limit = lambda self: True
            bookings = Booking.create(
                [
                    {
                        "provider_id": providers[i % len(providers)].id,
                        "agency_id": agency.id,
                        "shelter_id": shelter.id,
                        "recipient_name": f"Penerima {i}",
                        "recipient_phone": f"0812{i:08d}",
                        "street": f"Jl. Bench {i}",
                        "latitude": -8.2,
                        "longitude": 114.37,
                        "package_code": f"BENCH-{i}",
                    }
                    for i in range(args.bookings)
                ]
            )
            env.flush_all()

            def measure(label, func):
                queries = sql_db.sql_counter
                started = time.perf_counter()
                result = func()
                env.flush_all()
                seconds = time.perf_counter() - started
                count = sql_db.sql_counter - queries
                print(
                    f"{label:<34} {seconds:8.2f} s  {count:7d} queries  "
                    f"{count / args.bookings:6.1f} queries/booking  "
                    f"{args.bookings / seconds:8.1f} bookings/s"
                )
                return result

            print(
                f"{args.bookings} bookings on {len(providers)} account(s), sandbox latency "
                f"{args.latency_ms} ms per call, {args.rate_limit or 'no'} calls/s per API "
                f"(accounts {args.account_rate or args.rate_limit or 'unlimited'}/s), "
                f"{args.parallel} parallel calls per account, outbox batch {args.batch}"
            )
            clicked = time.perf_counter()
            measure("request (one click on all)", bookings.action_request)

            def run_outbox():
                runs = 0
                while Booking.search_count(
                    [("id", "in", bookings.ids), ("state", "=", "requested")]
                ):
                    Exchange._cron_send(batch_size=args.batch)
                    runs += 1
                return runs

            runs = measure("outbox until all booked", run_outbox)
            booked = Booking.search_count([("id", "in", bookings.ids), ("state", "=", "booked")])
            all_booked = time.perf_counter() - clicked
            if args.rate_limit:
                stats = sandbox.stats()
                orders = sum(stats["bookings"].values())
                limited = f"; 429 answers (rate limit exceeded): {stats['rate_limited']}"
            else:
                orders = sum(sandbox.count(ref) for ref in bookings.mapped("name"))
                limited = ""
            print(
                f"outbox runs: {runs}; booked: {booked}/{args.bookings}; courier orders: "
                f"{orders}{limited}"
            )
            print(f"all booked {all_booked:.2f} s after the click")
            cr.rollback()
            if args.rate_limit:
                with sql_db.db_connect(args.db).cursor() as bucket_cr:
                    bucket_cr.execute(
                        "DELETE FROM pemkab_courier_rate_bucket WHERE provider_id IN %s",
                        [tuple(providers.ids)],
                    )
    finally:
        sandbox.stop()
        modules.module.current_test = False


if __name__ == "__main__":
    main()
