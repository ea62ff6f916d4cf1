# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""bench/bench_webhook.py with a handful of bookings, so that the benchmark cannot rot
silently (issue 17): since Grab's webhook authenticates by its static token, a bench still
signing with an HMAC got 401 for every event and measured nothing.

The bench itself checks what this test relies on and exits 1 otherwise: every authentic
event answered 200 and every forged one 401, every event applied (the inbox empty, each
authentic event once in the history), each booking in its expected final state (the
token-borne final states confirmed at the courier sandbox, where the orders live).
"""

import os
import re
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT


@pytest.mark.slow
def test_bench_webhook_applies_every_event_of_a_small_burst(odoo_env, scratch_db):
    db = scratch_db("whbench")
    odoo_env.run_odoo(
        "-d",
        db,
        "-i",
        "pemkab_delivery,pemkab_delivery_test",
        "--stop-after-init",
        "--http-port=0",
    ).check("install pemkab_delivery and pemkab_delivery_test")
    conf = os.environ.get("PEMKAB_TEST_CONF")
    if not conf:
        pytest.skip("PEMKAB_TEST_CONF unset: not run by scripts/test.sh")
    proc = subprocess.run(  # noqa: S603 - our own bench
        [
            sys.executable,
            str(PROJECT_ROOT / "bench" / "bench_webhook.py"),
            "--config",
            conf,
            "--db",
            db,
            "--bookings",
            "12",
            "--workers",
            "2",
            "--connections",
            "2",
            "--bare-requests",
            "20",
            "--apply-timeout",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(odoo_env.odoo_path)),
        cwd=PROJECT_ROOT,
        timeout=600,
        check=False,
    )
    output = proc.stdout
    assert proc.returncode == 0, output
    answers = re.search(r"^webhook .*\n\s+answers: (.*)$", output, re.MULTILINE)
    assert answers, output
    # the authentic events stored, the forged ones refused: nothing else
    assert set(re.findall(r"(\w+)->(\d+)", answers.group(1))) == {
        ("ok", "200"),
        ("dup", "200"),
        ("late", "200"),
        ("forged", "401"),
    }, output
    assert "final states correct: yes" in output, output
    assert re.search(r"^all applied [\d.]+ s after the burst's end", output, re.MULTILINE), output
