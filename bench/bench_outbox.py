# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: requesting and sending courier bookings through the outbox.

Creates N bookings against the courier sandbox (started in-process on a free loopback
port, with the given latency), requests them in one click, then runs the outbox until all
are booked. Prints wall time and SQL queries for each step, per booking too. Everything
happens in one transaction that is rolled back: the database is left as it was.

Run it against any database where pemkab_delivery is installed, e.g. the throwaway test
database kept by ``PEMKAB_KEEP_DB=1 scripts/test.sh -k nothing``::

    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_outbox.py \\
        --config .state/<db>.conf --db <db> --bookings 200 --latency-ms 50 --parallel 4
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
    parser.add_argument("--batch", type=int, default=50, help="outbox batch size")
    args = parser.parse_args()

    import odoo
    from odoo import modules, sql_db
    from odoo.api import Environment
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "addons" / "pemkab_delivery"))
    from sandbox.courier_sandbox import CourierSandbox

    registry = Registry(args.db)
    # keep the outbox from committing: the whole run is rolled back at the end
    modules.module.current_test = True
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
            provider = env["pemkab.courier.provider"].create(
                {
                    "name": "Bench sandbox",
                    "kind": "sandbox",
                    "base_url": sandbox.url,
                    "client_id": "sandbox-client",
                    "client_secret": "sandbox-pass",
                    "max_parallel": args.parallel,
                    "read_timeout": 30,
                }
            )
            Booking = env["pemkab.delivery.booking"]
            Exchange = env["pemkab.delivery.exchange"]
            bookings = Booking.create(
                [
                    {
                        "provider_id": provider.id,
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
                f"{args.bookings} bookings, sandbox latency {args.latency_ms} ms per call, "
                f"{args.parallel} parallel calls, outbox batch {args.batch}"
            )
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
            orders = sum(sandbox.count(ref) for ref in bookings.mapped("name"))
            print(
                f"outbox runs: {runs}; booked: {booked}/{args.bookings}; courier orders: {orders}"
            )
            cr.rollback()
    finally:
        sandbox.stop()
        modules.module.current_test = False


if __name__ == "__main__":
    main()
