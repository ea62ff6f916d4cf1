# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The fault soak of the courier outbox with 100 bookings (issue 10); the benchmark
bench/bench_outbox_soak.py runs it with 1,000.

bench/outbox_soak.py says what runs (the courier sandbox with 20% 5xx, 10% timeouts that
still make the order, 10% no driver, 10% duplicate and 10% out-of-order webhooks; an Odoo
HTTP server for the webhooks; an outbox process killed with SIGKILL while its calls hang,
a user's cancellations, a second outbox process until nothing moves) and which waits are
skipped. Counted from the sandbox's own records: no reference with two courier orders, no
courier order out for a booking failed or cancelled in Odoo, no booking neither final nor
waiting for a person.
"""

import sys

import pytest
from conftest import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
from outbox_soak import OdooProcesses, OutboxSoak, SoakConfig  # noqa: E402


@pytest.mark.slow
def test_fault_soak_no_duplicate_orphan_or_stuck_booking(odoo_env, scratch_db, tmp_path):
    odoo = OdooProcesses(
        python=odoo_env.python,
        odoo_bin=odoo_env.odoo_path / "odoo-bin",
        server_args=odoo_env.server_args(),
        pg=odoo_env.pg,
    )
    soak = OutboxSoak(odoo, scratch_db("soak"), SoakConfig(bookings=100, settle_s=60), tmp_path)
    result = soak.run()
    report = "\n".join(result.lines())
    print(report)
    figures = result.figures
    # the faults happened
    assert figures["killed"] and figures["in_flight_at_kill"], report
    assert figures["injected_errors"] and figures["injected_timeouts"], report
    assert figures["ever_waited"], "some bookings waited for a person (Grab)\n" + report
    assert figures["cancel_asked"], report
    assert figures["settled"], report
    # and did no harm
    assert not figures["webhook_500"], report
    assert not result.errors, report
    counts = (len(result.duplicates), len(result.orphans), len(result.stuck))
    assert counts == (0, 0, 0), f"duplicates, orphans, stuck:\n{report}"
