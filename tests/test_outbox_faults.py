# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The outbox with real transactions and real processes: what only commits, concurrent
servers and a killed process show (a TransactionCase never commits).

One scratch database with pemkab_delivery, the courier sandbox as its own process, and
``odoo-bin shell`` processes running the outbox as the scheduled action does. Counts come
from the sandbox's own records.
"""

import json
import os
import re
import time
import urllib.request
import uuid

import pytest
from conftest import SCRATCH_PREFIX, drop_database
from test_outbox_concurrency import _communicate, _shell, sandbox_server

# every script starts with this: the provider, and a helper making requested bookings
PRELUDE = """
import threading, time
Booking = env["pemkab.delivery.booking"]
Exchange = env["pemkab.delivery.exchange"]
provider = env["pemkab.courier.provider"].search([("name", "=", "Faults")])
if not provider:
    agency = env["pemkab.agency"].create({"name": "Faults", "code": "FLT"})
    env["pemkab.shelter"].create({
        "name": "Shelter", "code": "FLT-SH", "agency_id": agency.id,
        "latitude": -8.21, "longitude": 114.36, "phone": "0333 421118",
    })
    provider = env["pemkab.courier.provider"].create({
        "name": "Faults", "kind": "sandbox", "base_url": "%(url)s",
        "client_id": "sandbox-client", "client_secret": "sandbox-pass",
        "max_parallel": 8, "read_timeout": 20,
    })
agency = env["pemkab.agency"].search([("code", "=", "FLT")])
shelter = env["pemkab.shelter"].search([("code", "=", "FLT-SH")])

def make_bookings(count, tag):
    bookings = Booking.create([{
        "provider_id": provider.id, "agency_id": agency.id, "shelter_id": shelter.id,
        "recipient_name": "Penerima %%d" %% i, "recipient_phone": "08123456%%04d" %% i,
        "street": "Jl. Uji %%d" %% i, "latitude": -8.2, "longitude": 114.37,
        "package_code": "%%s-%%d" %% (tag, i),
    } for i in range(count)])
    bookings.action_request()
    env.cr.commit()
    return bookings

def states(bookings):
    bookings.invalidate_recordset()
    return sorted(bookings.mapped("state"))
"""

CLAIM_RACE = """
bookings = make_bookings(3, "RACE")
env.cr.execute("SELECT 1")  # this run's snapshot starts here
with env.registry.cursor() as other:
    # another server commits a change to a due booking after that snapshot
    other.execute(
        "UPDATE pemkab_delivery_booking SET last_error = 'touched' WHERE id = %%s",
        (bookings[0].id,),
    )
done = Exchange._cron_send()
print("DONE", done, "STATES", ",".join(states(bookings)))
"""

KILLED = """
bookings = make_bookings(8, "KILL")
print("REFS", ",".join(bookings.mapped("name")), flush=True)
Exchange._cron_send()
print("FINISHED", flush=True)
"""

RESTART = """
bookings = Booking.search([("package_code", "=like", "KILL-%%")])
env.cr.execute(
    "UPDATE pemkab_delivery_booking SET claimed_until = now() at time zone 'utc' - "
    "interval '1 second' WHERE id IN %%s AND claimed_until IS NOT NULL",
    (tuple(bookings.ids),),
)
env.cr.commit()
env.invalidate_all()
Exchange._cron_send()
print("STATES", ",".join(states(bookings)))
"""

BUDGET = """
bookings = make_bookings(12, "BUDGET")
cron = env.ref("pemkab_delivery.ir_cron_booking_outbox")
progress = env["ir.cron.progress"].create({"cron_id": cron.id, "remaining": 0, "done": 0})
env.cr.commit()
budget = Exchange.with_context(
    cron_id=cron.id, ir_cron_progress_id=progress.id, cron_end_time=time.monotonic() + 0.3
)
budget._cron_send(batch_size=3)
progress.invalidate_recordset()
booked = len([s for s in states(bookings) if s == "booked"])
print("BOOKED", booked, "REMAINING", progress.remaining, "DONE", progress.done)
"""

POLL = """
import json, urllib.request

def control(path, body):
    request = urllib.request.Request(
        provider.base_url + "/_sandbox/" + path, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).read()

bookings = make_bookings(4, "POLL")
Exchange._cron_send()
for ref in bookings.mapped("name"):
    control("orders/%%s/advance" %% ref, {"status": "driver_assigned", "webhook": False})
first = bookings[0]
env.cr.execute(
    "UPDATE pemkab_delivery_booking SET last_news_at = now() at time zone 'utc' - "
    "interval '2 hours' + (id - %%s) * interval '1 second' WHERE id IN %%s",
    (first.id, tuple(bookings.ids)),
)
env.cr.commit()
env.invalidate_all()

def webhook():
    # a courier webhook for the first booking commits while the poll waits for the courier
    time.sleep(0.15)
    with env.registry.cursor() as other:
        other.execute(
            "UPDATE pemkab_delivery_booking SET write_date = now() at time zone 'utc' "
            "WHERE id = %%s", (first.id,),
        )

control("config", {"latency_ms": 400})
thread = threading.Thread(target=webhook)
thread.start()
try:
    Exchange._cron_poll()
finally:
    thread.join()
    control("config", {"latency_ms": 100})
print("STATES", ",".join(states(bookings)))
"""

# a webhook for the same booking commits while a poll's answer is being recorded: its news,
# and the follower its activity added (the fault soak logged this as "could not record")
POLL_RACE = """
from odoo.addons.pemkab_delivery.clients import OrderInfo
booking = make_bookings(1, "RACE-POLL")
Exchange._cron_send()
env.cr.commit()
env.invalidate_all()
partner = booking.responsible_user_id.partner_id
assert partner not in booking.message_partner_ids
env.cr.execute("SELECT 1")  # the recording's snapshot starts here
with env.registry.cursor() as other:
    other.execute(
        "UPDATE pemkab_delivery_booking SET last_news_at = now() at time zone 'utc' "
        "WHERE id = %%s", (booking.id,),
    )
    other.execute(
        "INSERT INTO mail_followers (res_model, res_id, partner_id) "
        "VALUES ('pemkab.delivery.booking', %%s, %%s)", (booking.id, partner.id),
    )
info = OrderInfo(
    our_ref=booking.name, courier_ref=booking.courier_order_ref, status="failed",
    courier_status="no_driver", failure_reason="no_driver",
)
job = {"booking_id": booking.id, "ref": booking.name, "action": "poll", "lookup_first": False}
recorded = Exchange._record(job, ("ok", info), auto_commit=True)[0]
env.invalidate_all()
print("RECORDED", recorded, "STATE", booking.state, booking.failure_reason)
"""

RATED_SETUP = """
rated = env["pemkab.courier.provider"].search([("name", "=", "Rated")]) or provider.copy(
    {"name": "Rated", "base_url": provider.base_url, "rate_limit_per_s": 15, "max_parallel": 8}
)
rated.sudo().write({"client_id": "sandbox-client", "client_secret": "sandbox-pass"})
bookings = make_bookings(40, "RATE")
bookings.write({"provider_id": rated.id})
env.cr.commit()
print("REFS", ",".join(bookings.mapped("name")))
"""

RATED_RUN = """
import os, faulthandler, sys
faulthandler.dump_traceback_later(25, exit=True, file=sys.stdout)
print("READY", flush=True)
while not os.path.exists(%(go)r):
    time.sleep(0.05)
print("DONE", Exchange._cron_send(batch_size=10), flush=True)
"""


def _control(url, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{url}/_sandbox/{path}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


@pytest.fixture(scope="module")
def faults(odoo_env):
    """(database, sandbox URL): pemkab_delivery installed once for the module."""
    db = f"{SCRATCH_PREFIX}outbox_faults_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with sandbox_server(odoo_env, "--latency-ms", "100", "--seed", "7") as url:
        try:
            odoo_env.run_odoo(
                "-d", db, "-i", "pemkab_delivery", "--stop-after-init", "--http-port=0"
            ).check("installing pemkab_delivery")
            yield db, url
        finally:
            drop_database(odoo_env, db)


def _run(odoo_env, faults, script):
    db, url = faults
    return _communicate(_shell(odoo_env, db, ""), PRELUDE % {"url": url} + script % {})


@pytest.mark.slow
def test_claim_retries_after_a_concurrent_commit(odoo_env, faults):
    """Another server's commit on a due booking after this run's snapshot began makes
    PostgreSQL refuse the claim's lock: the claim starts again, the run does not crash."""
    out = _run(odoo_env, faults, CLAIM_RACE)
    assert "DONE 3 STATES booked,booked,booked" in out, out


@pytest.mark.slow
def test_answers_recorded_as_they_come_and_kill_restart_books_once(odoo_env, faults, pg_connect):
    """Each answer is committed when its call returns, not when the batch's slowest call
    does: a run killed (SIGKILL) while calls hang loses none of the answers it had. After
    the lease, the next run finds the orders the killed run made: one order each."""
    db, url = faults
    _control(url, "config", {"timeout_rate": 0.5, "timeout_sleep_s": 60})
    proc = _shell(odoo_env, db, "")
    proc.stdin.write(PRELUDE % {"url": url} + KILLED % {})
    proc.stdin.close()
    refs = None
    while refs is None:
        line = proc.stdout.readline()
        assert line, "the outbox process ended early"
        if line.startswith("REFS "):
            refs = line.split()[1].split(",")
    cr = pg_connect(db).cursor()
    booked = 0
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not booked:
        time.sleep(0.3)
        cr.execute(
            "SELECT count(*) FROM pemkab_delivery_booking WHERE name IN %s AND state = 'booked'",
            (tuple(refs),),
        )
        booked = cr.fetchone()[0]
    hung = _control(url, "stats")["injected_timeouts"]
    proc.kill()  # SIGKILL while the hung calls are in flight
    proc.wait(timeout=10)
    assert hung, "some calls hang (the sandbox's seeded draw)"
    assert booked, "the answers that came were recorded before the slowest call returned"
    assert booked < len(refs)
    _control(url, "config", {"timeout_rate": 0.0})
    out = _run(odoo_env, faults, RESTART)
    assert "STATES " + ",".join(["booked"] * len(refs)) in out, out
    counts = _control(url, "orders")["counts"]
    assert {ref: counts.get(ref, 0) for ref in refs} == dict.fromkeys(refs, 1)


@pytest.mark.slow
def test_time_budget_reports_remaining(odoo_env, faults):
    """The run stops taking batches when the scheduler's time budget is spent and reports
    what is still due as ``remaining`` (the scheduler then runs it again at once)."""
    url = faults[1]
    _control(url, "config", {"latency_ms": 300})
    try:
        out = _run(odoo_env, faults, BUDGET)
    finally:
        _control(url, "config", {"latency_ms": 100})
    figures = re.search(r"BOOKED (\d+) REMAINING (\d+) DONE (\d+)", out)
    assert figures, out
    booked, remaining, done = map(int, figures.groups())
    assert 0 < booked < 12, out
    assert remaining == 12 - booked, out
    assert done == booked, out


@pytest.mark.slow
def test_poll_survives_a_concurrent_webhook(odoo_env, faults):
    """A webhook committing on a booking while the poll waits for the courier does not
    abort the poll: every booking gets its news."""
    out = _run(odoo_env, faults, POLL)
    assert "STATES " + ",".join(["driver_assigned"] * 4) in out, out


@pytest.mark.slow
def test_poll_answer_recorded_despite_a_concurrent_webhook(odoo_env, faults):
    """A webhook's transaction for the same booking commits while a poll's answer is
    recorded (its news, the follower its activity added): the answer is recorded again
    in a fresh transaction, not dropped with an error in the log."""
    out = _run(odoo_env, faults, POLL_RACE)
    assert "RECORDED True STATE failed no_driver" in out, out
    assert "could not record" not in out, out
    assert "bad query" not in out, out


@pytest.mark.slow
def test_rate_limit_holds_for_all_servers_together(odoo_env, faults, tmp_path):
    """Two servers with 8 parallel calls each share the account's 15 calls/s: the
    courier (allowing 20/s) never answers 429."""
    db, url = faults
    out = _run(odoo_env, faults, RATED_SETUP)
    refs = re.search(r"REFS (\S+)", out).group(1).split(",")
    _control(url, "config", {"rate_limit_per_s": 20, "latency_ms": 20})
    go = tmp_path / "go"
    runners = [_shell(odoo_env, db, "") for _ in range(2)]
    try:
        for runner in runners:
            runner.stdin.write(PRELUDE % {"url": url} + RATED_RUN % {"go": str(go)})
            runner.stdin.close()
        for runner in runners:
            line = runner.stdout.readline()
            while line and not line.startswith("READY"):
                line = runner.stdout.readline()
            assert line, runner.stdout.read()
        before = _control(url, "stats")["rate_limited"]
        started = time.monotonic()
        go.touch()  # both servers start together
        outputs = []
        for runner in runners:
            runner.stdin = None  # closed above; communicate() reads the rest
            outputs.append(runner.communicate(timeout=40)[0])
            assert runner.returncode == 0, outputs[-1]
        elapsed = time.monotonic() - started
    finally:
        _control(url, "config", {"rate_limit_per_s": 0, "latency_ms": 100})
    done = [int(re.search(r"DONE (\d+)", out).group(1)) for out in outputs]
    assert sum(done) == len(refs), outputs
    assert _control(url, "stats")["rate_limited"] == before, "no call beyond the rate"
    assert elapsed >= (len(refs) - 1) / 15 * 0.9, f"paced at the account's rate: {elapsed:.1f}s"
    counts = _control(url, "orders")["counts"]
    assert {ref: counts.get(ref, 0) for ref in refs} == dict.fromkeys(refs, 1)
