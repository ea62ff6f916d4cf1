# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark of the bulk paths of pemkab_social: generation, approval, packing.

Copies the database it is given (``CREATE DATABASE ... TEMPLATE``: it must have no other
connection), creates N households there (one member each, valid NIKs; the first of each
50,000 through the ORM, the others copied from its rows in SQL, which
``addons/pemkab_social/tests/test_bench_setup.py`` checks against the ORM's) and
commits; then times the generation wizard, the submission and bulk approval of the
period and its dispatch (the period's button: the packing of all its shipments, which
creates and requests one courier booking each through the delivery trigger), each step
in its own transaction, committed, and counts their SQL queries and the process's
memory after each step (resident now, and the peak so far; with ``--tracemalloc``, the
peak of Python's allocations during the step).
``--profile pack+book=FILE`` writes a step's cProfile. The copy is dropped at the end
(``--keep-db`` keeps it); no courier is called (the outbox is not run).

Run it against a database where pemkab_social is installed::

    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_social_generate.py \\
        --config .state/<db>.conf --db <db> --households 100000
"""

import argparse
import cProfile
import gc
import os
import resource
import time
import tracemalloc

import odoo
import odoo.service.server
from odoo import api, sql_db
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tools import SQL, config


def _nik(kecamatan_code, index):
    """A valid NIK per index: 9,000 serials a birth date, born 1 January 1950 to 1999, then
    1 February (5.4 million in all: the regency's register fits)."""
    block = index // 9000
    return "3510%s01%02d%02d%04d" % (
        kecamatan_code,
        1 + block // 50 % 12,
        50 + block % 50,
        index % 9000 + 1,
    )


# the same NIK in SQL, of an integer ``i``
NIK_SQL = (
    "'3510' || %(kecamatan)s || '01' || lpad((1 + i / 9000 / 50 %% 12)::text, 2, '0')"
    " || lpad((50 + i / 9000 %% 50)::text, 2, '0') || lpad((i %% 9000 + 1)::text, 4, '0')"
)


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
# households per INSERT of the set-up
SETUP_CHUNK = 50000


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


def _columns(env, table):
    return [
        name
        for (name,) in env.execute_query(
            SQL(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s AND column_name != 'id'"
                " ORDER BY ordinal_position",
                table,
            )
        )
    ]


def _households_sql(env, area, indexes):
    """The same households and members as :func:`_households`, the first through the ORM
    and the others copied from its rows in one ``INSERT ... SELECT`` with what differs
    per index (no Python per household: the regency's 550,000 in minutes, not hours).
    ``tests/test_bench_setup.py`` checks the rows equal the ORM's."""
    indexes = range(indexes.start, indexes.stop)
    if not indexes:
        return
    _households(env, area, indexes[:1])
    if len(indexes) == 1:
        return
    Household = env["pemkab.social.household"]
    home = Household.search([("name", "=", f"Bench {indexes[0]}")])
    head = env["res.partner"].search([("pemkab_social_stored_household_id", "=", home.id)])
    home_vary = {
        "name": SQL("'Bench ' || i"),
        "decile": SQL("1 + i %% 4"),
        "priority": SQL("10 - i %% 4"),
        "street": SQL("'Jl. Bench ' || i"),
        "phone": SQL("'+62813' || lpad(i::text, 8, '0')"),
        "latitude": SQL("-8.2 - (i %% 100) / 1000.0"),
        "longitude": SQL("114.36 + (i %% 100) / 1000.0"),
    }
    head_vary = {
        "name": SQL("'Bench head ' || i"),
        "complete_name": SQL("'Bench head ' || i"),
        "commercial_partner_id": SQL("pid"),
        "pemkab_stored_nik": SQL(NIK_SQL, kecamatan="16"),
        "pemkab_social_stored_household_id": SQL("hid"),
    }
    home_columns = _columns(env, Household._table)
    head_columns = _columns(env, "res_partner")
    env.execute_query(
        SQL(
            """
            WITH h AS (
                INSERT INTO pemkab_social_household (%(home_columns)s)
                SELECT %(home_values)s
                  FROM pemkab_social_household t, generate_series(%(first)s, %(last)s) i
                 WHERE t.id = %(home)s
                 ORDER BY i
             RETURNING id, name
            ), p AS (
                SELECT nextval('res_partner_id_seq') AS pid, h.id AS hid,
                       substr(h.name, 7)::int AS i
                  FROM h
            )
            INSERT INTO res_partner (id, %(head_columns)s)
            SELECT pid, %(head_values)s FROM res_partner t, p WHERE t.id = %(head)s
            """,
            home_columns=SQL(", ").join(map(SQL.identifier, home_columns)),
            home_values=SQL(", ").join(
                home_vary.get(name, SQL.identifier("t", name)) for name in home_columns
            ),
            head_columns=SQL(", ").join(map(SQL.identifier, head_columns)),
            head_values=SQL(", ").join(
                head_vary.get(name, SQL.identifier("t", name)) for name in head_columns
            ),
            first=indexes[1],
            last=indexes[-1],
            home=home.id,
            head=head.id,
        )
    )
    env.invalidate_all()


def setup(env, households, chunk=SETUP_CHUNK):
    """The bench's period, its courier trigger and ``households`` households; return
    the period's id."""
    area = env.ref("pemkab_delivery.area_35_10_16")
    dinsos = env.ref("pemkab_delivery.agency_dinsos")
    # the steps at once, as a period under the background threshold is done (above it
    # the scheduled action does the same work in batches)
    period_module = odoo.addons.pemkab_social.models.pemkab_social_period
    # (the households the copied database already holds, e.g. the demo's, are in the
    # period too)
    existing = env["pemkab.social.household"].with_context(active_test=False).search_count([])
    env["ir.config_parameter"].set_param(
        period_module.BACKGROUND_PARAM, str(existing + households + 1)
    )
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
    for first in range(0, households, chunk):
        _households_sql(env, area, range(first, min(first + chunk, households)))
    return period.id


def _steps(period_id):
    """The four steps, each a function of an environment (its own transaction)."""

    def generate(env):
        period = env["pemkab.social.period"].browse(period_id)
        wizard = env["pemkab.social.generate.wizard"].create({"period_id": period.id})
        return wizard._generate()

    def submit(env):
        return env["pemkab.social.period"].browse(period_id).action_submit_all()

    def approve(env):
        return env["pemkab.social.period"].browse(period_id).action_approve()

    def pack(env):
        # the period's Dispatch button: pack its approved shipments (their delivery
        # trigger books and requests the couriers)
        return env["pemkab.social.period"].browse(period_id).action_dispatch()

    return [("generate", generate), ("submit", submit), ("approve", approve), ("pack+book", pack)]


def _explain(cr, explain_ms):
    """Have PostgreSQL log the plan of each statement of this transaction slower than
    ``explain_ms`` (``auto_explain``, with the rows and times of each node; a superuser's
    connection): in the server's log."""
    cr.execute("LOAD 'auto_explain'")
    cr.execute(
        SQL(
            "SELECT set_config('auto_explain.log_min_duration', %s, true),"
            " set_config('auto_explain.log_analyze', 'on', true),"
            " set_config('auto_explain.log_buffers', 'on', true)",
            str(explain_ms),
        )
    )


def run(registry, households, profile=None, explain_ms=None):
    """Set up, commit, then each step in its own transaction (committed: a step's cache
    and memory do not carry to the next); return the figures."""
    context = {"tracking_disable": True}
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, context)
        period_id = setup(env, households)
    setup_seconds = time.perf_counter() - start
    results = []
    for label, func in _steps(period_id):
        gc.collect()
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, context)
            if explain_ms is not None:
                _explain(cr, explain_ms)
            if profile and label in profile:
                profiler = cProfile.Profile()
                profiler.enable()
                _step(env, label, lambda env=env, func=func: func(env), households, results)
                profiler.disable()
                profiler.dump_stats(f"{profile[label]}")
            else:
                _step(env, label, lambda env=env, func=func: func(env), households, results)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, context)
        period = env["pemkab.social.period"].browse(period_id)
        shipments = period.shipment_ids
        bookings = env["pemkab.delivery.booking"].search_count(
            [("res_model", "=", "pemkab.social.shipment"), ("res_id", "in", shipments.ids)]
        )
        count = len(shipments)
    return setup_seconds, count, bookings, results


def _copy_database(template, copy):
    with sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(copy)))
        cr.execute(SQL("CREATE DATABASE %s TEMPLATE %s", SQL.identifier(copy), SQL.identifier(template)))


def _drop_database(name):
    Registry.delete(name)
    sql_db.close_db(name)
    with sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(name)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", required=True, help="database with pemkab_social installed")
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the copy the benchmark worked in"
    )
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="STEP=FILE",
        help="cProfile one step (generate, submit, approve, pack+book) into FILE",
    )
    parser.add_argument(
        "--explain-ms",
        type=int,
        metavar="MS",
        help="log the plan of each step's statement slower than MS milliseconds into"
        " PostgreSQL's server log (auto_explain; the connection must be a superuser's)",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations (each step's peak; slows the run down)",
    )
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.db])
    odoo.service.server.load_server_wide_modules()
    copy = f"{args.db}_district"
    _copy_database(args.db, copy)
    try:
        registry = Registry(copy)
        gc.callbacks.append(GC_TIMER)
        if args.tracemalloc:
            tracemalloc.start()
        profile = dict(item.split("=", 1) for item in args.profile)
        setup_seconds, count, bookings, results = run(
            registry, args.households, profile, args.explain_ms
        )
    finally:
        tracemalloc.stop()
        if not args.keep_db:
            _drop_database(copy)
    kept = f"kept in {copy}" if args.keep_db else "in a copy of the database, dropped"
    print(f"households: {args.households} (set-up {setup_seconds:.1f} s, {kept})")
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
    print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
