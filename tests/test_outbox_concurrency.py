# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The courier outbox with real transactions: several Odoo processes at once.

Odoo's TransactionCase runs in one never-committed transaction, so it cannot show what two
servers do to each other. Here a scratch database gets pemkab_delivery, the courier sandbox
runs as its own process on loopback, and ``odoo-bin shell`` processes run the outbox
concurrently, each committing as the scheduled action does in production.
"""

import contextlib
import json
import os
import re
import subprocess
import time
import urllib.request

import pytest
from conftest import PROJECT_ROOT

SANDBOX = PROJECT_ROOT / "addons" / "pemkab_delivery" / "sandbox" / "courier_sandbox.py"

SETUP = """
agency = env["pemkab.agency"].create({"name": "Concurrency", "code": "CONC"})
shelter = env["pemkab.shelter"].create({
    "name": "Shelter", "code": "CONC-SH", "agency_id": agency.id,
    "latitude": -8.21, "longitude": 114.36, "phone": "0333 421118",
})
provider = env["pemkab.courier.provider"].create({
    "name": "Sandbox", "kind": "sandbox", "base_url": "%(url)s",
    "client_id": "sandbox-client", "client_secret": "sandbox-pass",
    "max_parallel": 3, "read_timeout": 10,
})
bookings = env["pemkab.delivery.booking"].create([{
    "provider_id": provider.id, "agency_id": agency.id, "shelter_id": shelter.id,
    "recipient_name": "Penerima %%d" %% i, "recipient_phone": "08123456%%04d" %% i,
    "street": "Jl. Uji %%d" %% i, "latitude": -8.2, "longitude": 114.37,
    "package_code": "PKG-%%d" %% i,
} for i in range(%(count)d)])
bookings.action_request()
env.cr.commit()
print("REFS", ",".join(bookings.mapped("name")))
"""

RUN_OUTBOX = """
import time
Booking = env["pemkab.delivery.booking"]
Exchange = env["pemkab.delivery.exchange"]
done = 0
for _ in range(200):
    n = Exchange._cron_send(batch_size=%(batch)d)
    done += n
    env.cr.commit()
    env.invalidate_all()
    waiting = [("state", "=", "requested"), ("courier_order_ref", "=", False)]
    if not n and not Booking.search_count(waiting):
        break
print("DONE", done)
"""


@contextlib.contextmanager
def sandbox_server(odoo_env, *args):
    """The courier sandbox as a process of its own on a free loopback port: its URL."""
    proc = subprocess.Popen(
        [str(odoo_env.python), str(SANDBOX), "--port", "0", "--no-webhook-on-create", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        assert match, f"the sandbox did not start: {line}"
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def sandbox_process(odoo_env):
    with sandbox_server(odoo_env, "--latency-ms", "150") as url:
        yield url


def _shell(odoo_env, db, code):
    cmd = [
        str(odoo_env.python),
        str(odoo_env.odoo_path / "odoo-bin"),
        "shell",
        "-d",
        db,
        "--no-http",
        "--log-level=warn",
        *odoo_env.server_args(),
    ]
    return subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=PROJECT_ROOT,
        env=dict(os.environ, PYTHONPATH=str(odoo_env.odoo_path)),
    )


def _communicate(proc, code, timeout=300):
    out, _ = proc.communicate(code, timeout=timeout)
    assert proc.returncode == 0, out
    return out


def _sandbox_counts(url):
    with urllib.request.urlopen(f"{url}/_sandbox/orders", timeout=10) as answer:
        return json.load(answer)["counts"]


@pytest.mark.slow
def test_two_outbox_runs_book_each_booking_once(odoo_env, scratch_db, pg_connect, sandbox_process):
    db = scratch_db("outbox")
    odoo_env.run_odoo(
        "-d", db, "-i", "pemkab_delivery", "--stop-after-init", "--http-port=0"
    ).check("installing pemkab_delivery")
    count = 40
    out = _communicate(_shell(odoo_env, db, ""), SETUP % {"url": sandbox_process, "count": count})
    refs = re.search(r"REFS (\S+)", out).group(1).split(",")
    assert len(refs) == count

    # two servers run the outbox at the same moment
    runners = [_shell(odoo_env, db, "") for _ in range(2)]
    for runner in runners:
        runner.stdin.write(RUN_OUTBOX % {"batch": 5})
        runner.stdin.close()
    outputs = []
    for runner in runners:
        runner.wait(timeout=300)
        outputs.append(runner.stdout.read())
        assert runner.returncode == 0, outputs[-1]
    done = [int(re.search(r"DONE (\d+)", out).group(1)) for out in outputs]
    assert sum(done) == count, f"each booking is sent by exactly one server: {done}"
    assert all(done), f"both servers took part: {done}"

    counts = _sandbox_counts(sandbox_process)
    assert {ref: counts.get(ref, 0) for ref in refs} == {ref: 1 for ref in refs}
    cr = pg_connect(db).cursor()
    cr.execute("SELECT state, count(*) FROM pemkab_delivery_booking GROUP BY state")
    assert dict(cr.fetchall()) == {"booked": count}


@pytest.mark.slow
def test_outbox_holds_no_row_lock_while_waiting_on_courier(
    odoo_env, scratch_db, pg_connect, sandbox_process
):
    db = scratch_db("outbox_lock")
    odoo_env.run_odoo(
        "-d", db, "-i", "pemkab_delivery", "--stop-after-init", "--http-port=0"
    ).check("installing pemkab_delivery")
    _communicate(_shell(odoo_env, db, ""), SETUP % {"url": sandbox_process, "count": 3})
    urllib.request.urlopen(
        urllib.request.Request(
            f"{sandbox_process}/_sandbox/config",
            data=json.dumps({"latency_ms": 3000}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        ),
        timeout=10,
    ).read()
    runner = _shell(odoo_env, db, "")
    runner.stdin.write(RUN_OUTBOX % {"batch": 3})
    runner.stdin.close()
    conn = pg_connect(db)
    cr = conn.cursor()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        cr.execute("SELECT count(*) FROM pemkab_delivery_booking WHERE claimed_until IS NOT NULL")
        if cr.fetchone()[0]:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the outbox never claimed the bookings")
    # a user's click on a booking being sent: no lock to wait for
    cr.execute("SET lock_timeout = '1s'")
    cr.execute(
        "UPDATE pemkab_delivery_booking SET recipient_note = 'Rumah pagar hijau' "
        "WHERE claimed_until IS NOT NULL"
    )
    assert cr.rowcount >= 1
    runner.wait(timeout=120)
    assert runner.returncode == 0, runner.stdout.read()
    cr.execute("SELECT state, count(*) FROM pemkab_delivery_booking GROUP BY state")
    assert dict(cr.fetchall()) == {"booked": 3}
