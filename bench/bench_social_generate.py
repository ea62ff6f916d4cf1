# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark of the bulk paths of pemkab_social: generation, approval, packing.

Creates N households (one member each, valid NIKs; batched creates of ``--chunk``) in a
scratch transaction, then times the generation wizard, the submission and bulk approval
of the period and the packing of all its shipments (which creates one courier booking
each through the delivery trigger), and counts their SQL queries and the process's
memory after each step (resident now, and the peak so far; with ``--tracemalloc``, the
peak of Python's allocations during the step). Everything is rolled back at the end:
nothing is left behind, and no courier is called (the outbox is not run).

Run it against a database where pemkab_social is installed::

    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_social_generate.py \\
        --config .state/<db>.conf --db <db> --households 100000
"""

import argparse
import gc
import resource
import time
import tracemalloc

import odoo
import odoo.service.server
from odoo import api
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tools import config


def _nik(kecamatan_code, index):
    return "3510%s0101%02d%04d" % (kecamatan_code, 50 + index // 9000, index % 9000 + 1)


class _GcTimer:
    """Seconds the garbage collector ran (its callbacks: before and after each run)."""

    def __init__(self):
        self.seconds = 0.0
        self._started = None

    def __call__(self, phase, _info):
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self._started = None


GC_TIMER = _GcTimer()


def _rss_mb():
    """The process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _step(env, label, func, households, results):
    env.flush_all()
    cr = env.cr
    queries = cr.sql_log_count
    if tracemalloc.is_tracing():
        tracemalloc.reset_peak()
    gc_before = GC_TIMER.seconds
    start = time.perf_counter()
    value = func()
    env.flush_all()
    elapsed = time.perf_counter() - start
    gc_seconds = GC_TIMER.seconds - gc_before
    queries = cr.sql_log_count - queries
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if tracemalloc.is_tracing() else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.append(
        (label, elapsed, queries, queries / households, gc_seconds, _rss_mb(), peak, traced)
    )
    return value


def _households(env, area, indexes):
    """Households of one member each (valid NIKs), in two batched creates."""
    homes = env["pemkab.social.household"].create(
        [
            {
                "name": f"Bench {i}",
                "decile": 1 + i % 4,
                "street": f"Jl. Bench {i}",
                "kecamatan_id": area.id,
                "latitude": -8.2 - (i % 100) / 1000.0,
                "longitude": 114.36 + (i % 100) / 1000.0,
                "phone": "+62813%08d" % i,
            }
            for i in indexes
        ]
    )
    env["res.partner"].create(
        [
            {"name": f"Bench head {i}", "nik": _nik("16", i), "pemkab_social_household_id": h.id}
            for i, h in zip(indexes, homes, strict=True)
        ]
    )
    env.flush_all()
    env.invalidate_all()


def run(env, households, chunk=10000):
    area = env.ref("pemkab_delivery.area_35_10_16")
    dinsos = env.ref("pemkab_delivery.agency_dinsos")
    provider = env["pemkab.courier.provider"].create(
        {"name": "Bench sandbox", "kind": "sandbox", "base_url": "http://127.0.0.1:9"}
    )
    env["pemkab.delivery.trigger"].search(
        [("model_name", "=", "pemkab.social.shipment")]
    ).active = False
    env["pemkab.delivery.trigger"].create(
        {
            "model_name": "pemkab.social.shipment",
            "state_value": "packed",
            "provider_id": provider.id,
            "agency_ids": [Command.link(dinsos.id)],
        }
    )
    shelter = env["pemkab.shelter"].create(
        {
            "name": "Bench warehouse",
            "code": "BENCH-WH",
            "kind": "warehouse",
            "agency_id": dinsos.id,
            "latitude": -8.214,
            "longitude": 114.358,
            "phone": "0333 424000",
        }
    )
    program = env["pemkab.social.program"].create(
        {"name": "Bench program", "code": "BENCH", "max_decile": 10}
    )
    package = env["pemkab.social.package.type"].create(
        {"name": "Bench parcel", "code": "BENCH", "program_id": program.id, "unit_cost": 200000}
    )
    period = env["pemkab.social.period"].create(
        {
            "name": "Bench period",
            "code": "BENCH-1",
            "program_id": program.id,
            "shelter_id": shelter.id,
            "package_type_id": package.id,
        }
    )
    results = []
    start = time.perf_counter()
    for first in range(0, households, chunk):
        _households(env, area, range(first, min(first + chunk, households)))
    setup = time.perf_counter() - start
    # the steps start as a user's request would: nothing of the set-up in the cache
    env.invalidate_all()

    wizard = env["pemkab.social.generate.wizard"].create({"period_id": period.id})
    shipments = _step(env, "generate", wizard._generate, households, results)
    _step(env, "submit", period.action_submit_all, households, results)
    _step(env, "approve", period.action_approve, households, results)
    _step(env, "pack+book", shipments.action_pack, households, results)
    bookings = env["pemkab.delivery.booking"].search_count(
        [("res_model", "=", "pemkab.social.shipment"), ("res_id", "in", shipments.ids)]
    )
    return setup, len(shipments), bookings, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", required=True, help="database with pemkab_social installed")
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--chunk", type=int, default=10000, help="households per create")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations (each step's peak; slows the run down)",
    )
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.db])
    odoo.service.server.load_server_wide_modules()
    registry = Registry(args.db)
    gc.callbacks.append(GC_TIMER)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        try:
            if args.tracemalloc:
                tracemalloc.start()
            setup, count, bookings, results = run(env, args.households, args.chunk)
        finally:
            tracemalloc.stop()
            cr.rollback()
    print(f"households: {args.households} (set-up {setup:.1f} s, rolled back)")
    print(f"shipments: {count}, bookings: {bookings}")
    traced = " traced MB" if args.tracemalloc else ""
    print(
        f"{'step':<10} {'seconds':>8} {'queries':>8} {'q/household':>12} {'of it GC':>9} "
        f"{'RSS MB':>8} {'peak RSS':>9}{traced}"
    )
    for label, elapsed, queries, per, gc_s, rss, peak, traced_mb in results:
        line = (
            f"{label:<10} {elapsed:>8.2f} {queries:>8} {per:>12.3f} {gc_s:>8.2f}s "
            f"{rss:>8.0f} {peak:>9.0f}"
        )
        print(line + (f" {traced_mb:>10.0f}" if traced_mb is not None else ""))
    total = sum(r[1] for r in results)
    print(f"{'total':<10} {total:>8.2f} {sum(r[2] for r in results):>8}")


if __name__ == "__main__":
    main()
