# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: bulk dispatch of aid shipments and prescription deliveries, against the naive way.

Starts the courier sandbox in a process of its own (a free loopback port, ``--latency-ms`` per call,
each API limited to ``--rate-limit`` calls per second: a call above it gets a 429), then:

1. creates ``--shipments`` aid shipments (pemkab_social: households, a period generated,
   submitted, approved) booked through a Grab account, and ``--deliveries`` prescription
   deliveries (pemkab_health: verified, approved) booked through a GoSend-like account;
2. times the users' clicks: *Pack* on all the shipments, *Ready at Shelter* on all the
   deliveries (each puts the parcels at the shelter; the delivery trigger creates and
   requests the courier bookings), with their SQL queries per record;
3. runs the outbox (the scheduled action's method, its own batch size) until every
   booking is booked, and times it;
4. the naive way, in the same run, on ``--naive`` more records (half of each): the same
   click followed by one synchronous courier call per record inside it (the plain-Python
   client, as Odoo's delivery ``send_shipping`` calls its carrier per picking), the answer
   recorded on the booking; its time per record times the records of step 2 is what the
   naive click would take for them (printed as an extrapolation, and labelled so).

Everything happens in one transaction that is rolled back: the database is left as it
was. The outbox's shared rate limiter (committed token rows) is not used inside this
never-committed transaction (as in the tests): the accounts' *Parallel Calls* keep each
account under its limit (6 parallel calls of 200 ms each: at most 30 calls per second,
under Grab's 33), and the sandbox's 429 count proves it.

Run it against a database where the three addons are installed, e.g. the throwaway test
database kept by ``PEMKAB_KEEP_DB=1 scripts/test.sh -k nothing``::

    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_bulk_dispatch.py \\
        --config .state/<db>.conf --db <db> --shipments 1000 --deliveries 1000 \\
        --latency-ms 200 --parallel 6 --rate-limit 33 --naive 100
"""

import argparse
import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SANDBOX = (
    Path(__file__).resolve().parent.parent / "addons/pemkab_delivery/sandbox/courier_sandbox.py"
)


class SandboxProcess:
    """The courier sandbox in a process of its own (a courier is remote: its work does not
    share this process's interpreter), on a free loopback port."""

    def __init__(self, *args):
        self.args = args
        self.proc = None
        self.url = None

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(SANDBOX), "--port", "0", "--no-webhook-on-create", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"the courier sandbox did not start: {line}")
        self.url = match.group(1)
        return self

    def stats(self):
        with urllib.request.urlopen(f"{self.url}/_sandbox/stats", timeout=10) as answer:  # noqa: S310
            return json.loads(answer.read())

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def _nik(region, index, year_base=50):
    """A valid NIK: Kabupaten Banyuwangi (3510), kecamatan ``region``, born 01-01-19YY."""
    return "3510%s0101%02d%04d" % (region, year_base + index // 9000, index % 9000 + 1)


class Bench:
    def __init__(self, env, args, sandbox):
        self.env = env
        self.args = args
        self.sandbox = sandbox
        self.seq = 0

    # -- set-up ----------------------------------------------------------------------

    def setup(self):
        from odoo.fields import Command

        env = self.env
        args = self.args
        common = {
            "base_url": self.sandbox.url,
            "max_parallel": args.parallel,
            "rate_limit_per_s": args.rate_limit - 3 if args.rate_limit > 3 else args.rate_limit,
            "read_timeout": 30,
        }
        self.gosend = env["pemkab.courier.provider"].create(
            dict(
                common,
                name="Bench GoSend (sandbox)",
                kind="sandbox",
                client_id="sandbox-client",
                client_secret="sandbox-pass",
            )
        )
        self.grab = env["pemkab.courier.provider"].create(
            dict(
                common,
                name="Bench Grab (sandbox)",
                kind="grab",
                base_url=self.sandbox.url + "/grab",
                client_id="sandbox-client",
                client_secret="sandbox-secret",
            )
        )
        Trigger = env["pemkab.delivery.trigger"]
        Trigger.search(
            [("model_name", "in", ("pemkab.social.shipment", "pemkab.health.delivery"))]
        ).active = False
        env["pemkab.health.approval.rule"].search([]).active = False
        self.area = env.ref("pemkab_delivery.area_35_10_16")
        self.dinsos = env.ref("pemkab_delivery.agency_dinsos")
        self.dinkes = env["pemkab.agency"].create({"name": "Bench Dinkes", "code": "BENCH-DK"})
        Trigger.create(
            [
                {
                    "model_name": "pemkab.social.shipment",
                    "state_value": "packed",
                    "provider_id": self.grab.id,
                    "agency_ids": [Command.link(self.dinsos.id)],
                },
                {
                    "model_name": "pemkab.health.delivery",
                    "state_value": "ready",
                    "provider_id": self.gosend.id,
                    "agency_ids": [Command.link(self.dinkes.id)],
                },
            ]
        )
        Shelter = env["pemkab.shelter"]
        self.warehouse = Shelter.create(
            {
                "name": "Bench warehouse",
                "code": "BENCH-WH",
                "kind": "warehouse",
                "agency_id": self.dinsos.id,
                "latitude": -8.214,
                "longitude": 114.358,
                "phone": "0333 424000",
            }
        )
        self.puskesmas = Shelter.create(
            {
                "name": "Bench puskesmas",
                "code": "BENCH-PKM",
                "kind": "puskesmas",
                "agency_id": self.dinkes.id,
                "kecamatan_id": self.area.id,
                "latitude": -8.21,
                "longitude": 114.36,
                "phone": "0333 421118",
            }
        )
        self.patients = env["res.partner"].create(
            [
                {
                    "name": f"Pasien {i}",
                    "is_patient": True,
                    "nik": _nik("09", i, year_base=60),
                    "patient_mobile": "0813%08d" % i,
                    "street": f"Jl. Pasien {i}",
                    "kecamatan_id": self.area.id,
                    "partner_latitude": -8.2 - (i % 100) / 1000.0,
                    "partner_longitude": 114.37 + (i % 100) / 1000.0,
                }
                for i in range(200)
            ]
        )
        program = env["pemkab.social.program"].create(
            {"name": "Bench program", "code": "BENCH", "max_decile": 10}
        )
        self.package = env["pemkab.social.package.type"].create(
            {"name": "Bench parcel", "code": "BENCH", "program_id": program.id, "unit_cost": 1}
        )
        self.program = program

    def shipments(self, count):
        """``count`` approved shipments of a new period (households made for it)."""
        env = self.env
        start = self.seq
        self.seq += count
        homes = env["pemkab.social.household"].create(
            [
                {
                    "name": f"Bench {i}",
                    "decile": 1 + i % 4,
                    "street": f"Jl. Bench {i}",
                    "kecamatan_id": self.area.id,
                    "latitude": -8.2 - (i % 100) / 1000.0,
                    "longitude": 114.36 + (i % 100) / 1000.0,
                    "phone": "+62813%08d" % i,
                }
                for i in range(start, start + count)
            ]
        )
        env["res.partner"].create(
            [
                {
                    "name": f"Bench head {i}",
                    "nik": _nik("16", i),
                    "pemkab_social_household_id": h.id,
                }
                for i, h in zip(range(start, start + count), homes, strict=True)
            ]
        )
        period = env["pemkab.social.period"].create(
            {
                "name": f"Bench period {start}",
                "code": f"BENCH-{start}",
                "program_id": self.program.id,
                "shelter_id": self.warehouse.id,
                "package_type_id": self.package.id,
            }
        )
        wizard = env["pemkab.social.generate.wizard"].create({"period_id": period.id})
        shipments = wizard._generate().filtered(lambda s: s.household_id in homes)
        period.action_submit_all()
        period.action_approve()
        return shipments

    def deliveries(self, count):
        """``count`` verified (approved at once: no approval rule) prescription deliveries."""
        from odoo.fields import Command

        start = self.seq
        self.seq += count
        deliveries = self.env["pemkab.health.delivery"].create(
            [
                {
                    "shelter_id": self.puskesmas.id,
                    "patient_id": self.patients[i % len(self.patients)].id,
                    "prescription_number": f"RX-BENCH-{i:06d}",
                    "prescriber_name": "dr. Hadi",
                    "counselled": True,
                    "line_ids": [
                        Command.create({"name": "Metformin", "strength": "500 mg", "quantity": 60})
                    ],
                }
                for i in range(start, start + count)
            ]
        )
        deliveries.action_verify()
        return deliveries

    # -- measures --------------------------------------------------------------------

    def measure(self, func):
        from odoo import sql_db

        self.env.flush_all()
        queries = sql_db.sql_counter
        started = time.perf_counter()
        result = func()
        self.env.flush_all()
        return result, time.perf_counter() - started, sql_db.sql_counter - queries

    def bookings(self, records):
        return self.env["pemkab.delivery.booking"].search(
            [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        )

    def click(self, shipments, deliveries):
        """The two users' clicks; returns [(label, seconds, queries, records)]."""
        # each click in a fresh cache, as a request of its own would be
        self.env.invalidate_all()
        _r, s_time, s_queries = self.measure(shipments.action_pack)
        self.env.invalidate_all()
        _r, d_time, d_queries = self.measure(deliveries.action_mark_ready)
        return [
            ("click: pack shipments", s_time, s_queries, len(shipments)),
            ("click: deliveries ready at shelter", d_time, d_queries, len(deliveries)),
        ]

    def outbox(self, bookings):
        Booking = self.env["pemkab.delivery.booking"]
        Exchange = self.env["pemkab.delivery.exchange"]

        def run():
            runs = 0
            while Booking.search_count([("id", "in", bookings.ids), ("state", "=", "requested")]):
                # the scheduled action's call: model._cron_send()
                Exchange._cron_send()
                runs += 1
                if runs > 50:
                    break
            return runs

        return self.measure(run)

    def naive(self, shipments, deliveries):
        """The click, then one synchronous courier call per record inside it."""

        def click():
            shipments.action_pack()
            deliveries.action_mark_ready()
            for booking in self.bookings(shipments) | self.bookings(deliveries):
                client = booking.provider_id._courier_client()
                payload = booking._courier_payload()
                info = client.book(
                    booking.name,
                    payload["origin"],
                    payload["destination"],
                    payload["package"],
                    payload["service_type"],
                )
                if info.status == "requested":
                    info.status = "booked"
                booking._apply_courier_update(info, "api")

        self.env.invalidate_all()
        return self.measure(click)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", required=True, help="database with the three addons")
    parser.add_argument("--shipments", type=int, default=1000)
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=200, help="sandbox latency per call")
    parser.add_argument("--parallel", type=int, default=6, help="each account's parallel calls")
    parser.add_argument(
        "--rate-limit", type=float, default=33, help="the sandbox's calls per second per API"
    )
    parser.add_argument(
        "--naive", type=int, default=100, help="records dispatched the naive way (half each)"
    )
    args = parser.parse_args()

    import odoo
    import odoo.service.server
    from odoo import modules
    from odoo.api import Environment
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    registry = Registry(args.db)
    # keep the outbox from committing: the whole run is rolled back at the end
    modules.module.current_test = True
    sandbox = SandboxProcess(
        "--latency-ms", str(args.latency_ms), "--rate-limit-per-s", str(args.rate_limit)
    ).start()
    try:
        with registry.cursor() as cr:
            env = Environment(cr, odoo.SUPERUSER_ID, {})
            setup_env = env(context={"tracking_disable": True})
            bench = Bench(setup_env, args, sandbox)
            started = time.perf_counter()
            bench.setup()
            shipments = bench.shipments(args.shipments)
            deliveries = bench.deliveries(args.deliveries)
            naive_shipments = bench.shipments(args.naive // 2)
            naive_deliveries = bench.deliveries(args.naive - args.naive // 2)
            env.flush_all()
            setup = time.perf_counter() - started
            bench.env = env
            shipments, deliveries = shipments.with_env(env), deliveries.with_env(env)
            records = len(shipments) + len(deliveries)
            print(
                f"{len(shipments)} shipments (Grab) + {len(deliveries)} prescription deliveries "
                f"(GoSend), sandbox latency {args.latency_ms} ms per call, "
                f"{args.rate_limit:g} calls/s per API, {args.parallel} parallel calls per "
                f"account (set-up {setup:.1f} s, rolled back)"
            )
            clicks = bench.click(shipments, deliveries)
            click_time = sum(c[1] for c in clicks)
            click_queries = sum(c[2] for c in clicks)
            for label, seconds, queries, count in [
                *clicks,
                ("click: both", click_time, click_queries, records),
            ]:
                print(
                    f"{label:<36} {seconds:7.2f} s  {queries:6d} queries  "
                    f"{queries / count:5.2f} queries/record"
                )
            bookings = bench.bookings(shipments) | bench.bookings(deliveries)
            runs, outbox_time, outbox_queries = bench.outbox(bookings)
            booked = bookings.filtered(lambda b: b.state == "booked")
            stats = sandbox.stats()
            orders = sum(stats["bookings"].values())
            all_booked = click_time + outbox_time
            print(
                f"{'outbox until all booked':<36} {outbox_time:7.2f} s  {outbox_queries:6d} "
                f"queries  {outbox_queries / records:5.2f} queries/record  "
                f"{records / outbox_time:6.1f} bookings/s"
            )
            print(
                f"outbox runs: {runs}; booked: {len(booked)}/{len(bookings)}; courier orders: "
                f"{orders}; 429 answers (rate limit exceeded): {stats['rate_limited']}"
            )
            print(f"{'click + outbox: all booked':<36} {all_booked:7.2f} s")

            naive_count = len(naive_shipments) + len(naive_deliveries)
            sandbox_before = sandbox.stats()["rate_limited"]
            _r, naive_time, naive_queries = bench.naive(
                naive_shipments.with_env(env), naive_deliveries.with_env(env)
            )
            naive_booked = (
                bench.bookings(naive_shipments) | bench.bookings(naive_deliveries)
            ).filtered(lambda b: b.state == "booked")
            per_record = naive_time / naive_count
            naive_all = per_record * records
            print(
                f"{'naive: click + 1 call per record':<36} {naive_time:7.2f} s  "
                f"{naive_queries:6d} queries  for {naive_count} records "
                f"({len(naive_booked)} booked, "
                f"{sandbox.stats()['rate_limited'] - sandbox_before} 429): "
                f"{per_record * 1000:.0f} ms per record"
            )
            print(
                f"naive, extrapolated to {records} records: {naive_all:7.1f} s "
                f"({per_record * 1000:.0f} ms x {records}); "
                f"the click and outbox book them {naive_all / all_booked:.1f}x sooner, "
                f"the click returns {naive_all / click_time:.0f}x sooner"
            )
            cr.rollback()
    finally:
        sandbox.stop()
        modules.module.current_test = False


if __name__ == "__main__":
    main()
