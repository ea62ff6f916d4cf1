# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: the fault soak of the courier outbox (bench/outbox_soak.py) with 1,000 bookings.

The courier sandbox answers 20% of the calls 503, lets 10% of the booking calls time out
after making the order, finds no driver for 10% of the orders, posts 10% of the webhooks
twice and 10% out of order; the first outbox process is killed with SIGKILL while its calls
hang, a user cancels 10% of the bookings, a second process runs the outbox and the poll
until nothing moves. Prints the duplicates, orphans and stuck bookings counted from the
sandbox's own records (all must be 0), the other figures and the time of each phase; exits
1 when a count is not 0.

It makes a database of its own (``pemkab_scratch_soak_<pid>``, pemkab_delivery installed)
and drops it at the end (``--keep-db`` keeps it). The Odoo configuration gives the
addons path and the database server, e.g. one written by ``scripts/test.sh``
(``PEMKAB_KEEP_DB=1 scripts/test.sh -k nothing`` keeps it)::

    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_outbox_soak.py \\
        --config .state/<db>.conf --bookings 1000
"""

import argparse
import configparser
import json
import os
import shutil
import sys
import tempfile
from dataclasses import fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from outbox_soak import OdooProcesses, OutboxSoak, SoakConfig  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument(
        "--odoo-bin",
        default=os.path.join(os.environ.get("ODOO_PATH", "/opt/odoo-19.0"), "odoo-bin"),
    )
    parser.add_argument("--python", default=sys.executable, help="the venv's interpreter")
    parser.add_argument("--db", help="name of the database to create (default: a scratch one)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument("--logs", help="folder for the processes' logs (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    defaults = SoakConfig(bookings=1000, settle_s=900.0)
    for spec in fields(SoakConfig):
        parser.add_argument(
            "--" + spec.name.replace("_", "-"),
            type=type(getattr(defaults, spec.name)),
            default=getattr(defaults, spec.name),
        )
    args = parser.parse_args()
    config = SoakConfig(**{spec.name: getattr(args, spec.name) for spec in fields(SoakConfig)})
    odoo = OdooProcesses.from_config(args.python, args.odoo_bin, args.config)
    db = args.db or f"pemkab_scratch_soak_{os.getpid()}"
    logs = Path(args.logs or tempfile.mkdtemp(prefix="pemkab-soak-"))
    print(f"database {db}, logs in {logs}", flush=True)
    try:
        result = OutboxSoak(odoo, db, config, logs).run()
    finally:
        if not args.keep_db:
            conn = odoo.connect("postgres")
            with conn.cursor() as cr:
                cr.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.close()
            parser = configparser.ConfigParser()
            parser.read(args.config)
            data_dir = parser["options"].get("data_dir")
            if data_dir:
                shutil.rmtree(Path(data_dir) / "filestore" / db, ignore_errors=True)
    print("\n".join(result.lines()))
    if args.json:
        print(json.dumps(result.as_dict(), indent=1))
    return 1 if result.duplicates or result.orphans or result.stuck else 0


if __name__ == "__main__":
    sys.exit(main())
