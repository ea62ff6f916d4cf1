# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: the SQL queries of opening the list and kanban views, for 80 to 2,000 records.

Creates ``--records`` prescription deliveries and as many aid shipments (half of each put
at the shelter, so with a courier booking each), then reads them as the web client does
for each view (the fields of its arch, as the user who opens it: a pharmacist, a social
officer, a courier-deliveries administrator): the page it opens (80 records) among 80 and
among all, and every record at once for 80, 1,000 and all (the ORM fetches and computes
1,000 records at a time). Prints the queries of each read. Everything is rolled back.

Run it against a database where the three addons are installed::

    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_reads.py \\
        --config .state/<db>.conf --db <db> --records 2000
"""

import argparse
import time
from types import SimpleNamespace


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", required=True, help="database with the three addons")
    parser.add_argument("--records", type=int, default=2000, help="records of each kind")
    args = parser.parse_args()

    import odoo
    import odoo.service.server
    from odoo.api import Environment
    from odoo.fields import Command
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    registry = Registry(args.db)

    from bench_bulk_dispatch import Bench

    from odoo.tests import new_test_user

    from odoo.addons.pemkab_delivery.tests.common import view_read_queries

    with registry.cursor() as cr:
        env = Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        started = time.perf_counter()
        options = SimpleNamespace(parallel=4, rate_limit=0)
        bench = Bench(env, options, SimpleNamespace(url="http://127.0.0.1:9"))
        bench.setup()
        deliveries = bench.deliveries(args.records)
        shipments = bench.shipments(args.records)
        deliveries.filtered(lambda d: d.id % 2).action_mark_ready()
        shipments.filtered(lambda s: s.id % 2).action_pack()
        bookings = bench.bookings(deliveries) | bench.bookings(shipments)
        pharmacist = new_test_user(
            env, login="bench_pharmacist", groups="pemkab_health.group_health_user"
        )
        officer = new_test_user(
            env, login="bench_social_officer", groups="pemkab_social.group_social_officer"
        )
        admin = new_test_user(
            env, login="bench_delivery_admin", groups="pemkab_delivery.group_delivery_manager"
        )
        bench.puskesmas.staff_ids = [Command.link(pharmacist.id)]
        bench.dinkes.member_ids = [Command.link(pharmacist.id)]
        bench.dinsos.member_ids = [Command.link(officer.id)]
        officer.pemkab_social_kecamatan_ids = bench.area
        env.flush_all()
        print(
            f"{len(deliveries)} prescription deliveries, {len(shipments)} shipments, "
            f"{len(bookings)} bookings (set-up {time.perf_counter() - started:.1f} s, "
            "rolled back)"
        )
        board = env.ref("pemkab_health.pemkab_health_delivery_view_kanban_dispatch").id
        views = [
            ("bookings", "list", False, bookings, admin),
            ("bookings", "kanban", False, bookings, admin),
            ("prescription deliveries", "list", False, deliveries, pharmacist),
            ("prescription deliveries", "kanban", False, deliveries, pharmacist),
            ("prescription dispatch board", "kanban", board, deliveries, pharmacist),
            ("shipments", "list", False, shipments, officer),
            ("shipments", "kanban", False, shipments, officer),
        ]
        sizes = sorted({80, 1000, args.records})
        header = "".join(f"{'all ' + str(n):>10}" for n in sizes)
        print(f"{'view':<36}{'page/80':>10}{'page/' + str(args.records):>11}{header}")
        for label, view_type, view_id, records, user in views:
            model = records.with_user(user).browse()

            def queries(subset, limit=None, model=model, view_type=view_type, view_id=view_id):
                return view_read_queries(
                    model, [("id", "in", subset.ids)], view_type, view_id, len(subset), limit
                )

            page = [queries(records[:80], 80), queries(records, 80)]
            every = [queries(records[:size]) for size in sizes]
            print(
                f"{label + ' ' + view_type:<36}{page[0]:>10}{page[1]:>11}"
                + "".join(f"{count:>10}" for count in every)
            )
        cr.rollback()


if __name__ == "__main__":
    main()
