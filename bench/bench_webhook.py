# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: courier webhooks under load on a multi-process Odoo, beside a bare route.

Copies the given database (where pemkab_delivery is installed) into a throwaway one, starts
the courier sandbox in a process of its own on a free loopback port, orders N deliveries
there through its Grab API and moves each to the state the booking must end in (the
courier's truth, looked up by its order number before a final state carried by Grab's
static token is applied), creates the N bookings already ordered at a GrabExpress account
pointed at the sandbox (set-based SQL from one ORM booking), starts ``odoo-bin --workers W``
on free loopback ports against the copy, then C connections (threads, ``http.client`` with
keep-alive where the server keeps it) post for every booking a mix of events authenticated
as Grab does (its static ``Authorization`` token and ``Authorization-Id``): in order,
duplicated (byte-identical resend), out of order (a late "picked up" after "delivered" or
"failed", a "driver assigned" arriving after "picked up") and forged (a wrong token, 401
expected, never applied). Before the burst, on the same server, the same connections post as many
webhook-like bodies to the reference, a route of the test-only addon pemkab_delivery_test
declared as the webhook is that only inserts the posted body as one row (the framework's
floor for any webhook), then call Odoo's ``GET /web/health``. It prints requests/s, p50 and
p99 of each and the webhook's ratio to the bare insert; then waits until every event is
applied (the inbox empty, every authentic event once in the history) and prints the time
from the burst's end to then, and checks each booking's final state (counts by state), that
a duplicate is kept once and that no forged event was applied. It exits 1 when an answer
is not the expected one (200 for an authentic event, 401 for a forged one) or a check
fails. PostgreSQL's
own counters give the transactions and rows written per event, and the server's processes
their CPU time during the burst (HTTP workers, cron worker). ``--apply during`` (the
default) lets Odoo's cron worker apply the news while the load runs, on the same CPUs;
``--apply after`` starts no cron worker and runs the inbox's batch in this script once the
load is over: the answers alone, then the batch alone (events/s, queries and CPU time per
event: ``apply: N events, Q queries (q/event), CPU s (ms/event)``). The
copy is dropped at the end, whatever happens (also on SIGTERM or Ctrl-C).

Run it against any database where pemkab_delivery is installed, e.g. the throwaway test
database kept by ``PEMKAB_KEEP_DB=1 scripts/test.sh -k nothing`` (upgraded with ``-u`` if the
code changed since)::

    PYTHONPATH=/opt/odoo-19.0 .state/venv/bin/python bench/bench_webhook.py \\
        --config .state/<db>.conf --db <db> --bookings 10000 --workers 2 --connections 8
"""

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

#: Grab's static token and its Authorization-Id, as the partner gives them to Grab
#: (clients/grab.py: Grab signs nothing)
SECRET = "bench-webhook-token"
AUTH_ID = "bench-webhook-id"
#: The sandbox's Grab credentials (sandbox/common.py's defaults)
GRAB_CLIENT = ("sandbox-client", "sandbox-secret")
#: The sandbox's stage for each final state of a booking (what a lookup answers)
SANDBOX_STAGE = {"delivered": "delivered", "picked_up": "picked_up", "failed": "no_driver"}
#: The reference: a route of the test-only addon pemkab_delivery_test, declared as the
#: webhook is, that inserts the posted body as one row (the framework's floor).
BARE_INSERT = "/pemkab_delivery_test/bare"
#: (Grab status, how the step is sent) per scenario: "ok" a fresh authentic event, "dup"
#: the previous step's body again, "late" an event dated before the previous one (out of
#: order), "forged" a wrong token. The last item is the booking's expected final state.
SCENARIOS = (
    ((("PENDING_PICKUP", "ok"), ("PENDING_DROP_OFF", "ok"), ("COMPLETED", "ok")), "delivered"),
    (
        (
            ("PENDING_PICKUP", "ok"),
            ("PENDING_PICKUP", "dup"),
            ("PENDING_DROP_OFF", "ok"),
            ("COMPLETED", "ok"),
            ("COMPLETED", "dup"),
        ),
        "delivered",
    ),
    ((("PENDING_PICKUP", "ok"), ("COMPLETED", "ok"), ("PENDING_DROP_OFF", "late")), "delivered"),
    (
        (
            ("COMPLETED", "forged"),
            ("PENDING_PICKUP", "ok"),
            ("PENDING_DROP_OFF", "ok"),
            ("CANCELLED", "forged"),
        ),
        "picked_up",
    ),
    ((("PENDING_PICKUP", "ok"), ("FAILED", "ok"), ("PENDING_DROP_OFF", "late")), "failed"),
    (
        (
            ("PENDING_DROP_OFF", "ok"),
            ("PENDING_PICKUP", "late"),
            ("COMPLETED", "forged"),
            ("COMPLETED", "ok"),
        ),
        "delivered",
    ),
)
#: The answer each kind of step must get: 200 (stored, or a duplicate), 401 (forged)
EXPECTED_STATUS = {"ok": 200, "dup": 200, "late": 200, "forged": 401}


def grab_headers(token):
    """What Grab sends with a tracking webhook: the partner's static token and its id."""
    return {"Content-Type": "application/json", "Authorization": token, "Authorization-Id": AUTH_ID}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Generator:
    """C connections; connection k posts the events of bookings k, k+C, ... in rounds
    (step 1 of each of its bookings, then step 2, ...): a booking's events are in flight
    one at a time, in the scenario's order."""

    def __init__(self, port, provider_id, bookings, connections):
        self.port = port
        self.path = f"/pemkab_delivery/webhook/{provider_id}"
        self.bookings = bookings  # [(name, courier_ref, scenario index)]
        self.connections = connections

    def _payload(self, name, courier_ref, status, timestamp):
        return {
            "deliveryID": courier_ref,
            "merchantOrderID": name,
            "timestamp": timestamp,
            "status": status,
            "trackURL": f"https://express.grab.com/track/{courier_ref}",
            "failedReason": "6|Could not find driver" if status == "FAILED" else "",
            "recipient": {"name": "Siti Aminah", "address": "Jl. Bench", "relationship": ""},
            "driver": {
                "name": "Agus Santoso",
                "phone": "081234567890",
                "licensePlate": "P 1234 AB",
                "photoURL": "",
            },
        }

    def _steps(self, worker):
        mine = self.bookings[worker :: self.connections]
        rounds = max(len(SCENARIOS[scenario][0]) for _n, _c, scenario in mine) if mine else 0
        for step in range(rounds):
            for name, courier_ref, scenario in mine:
                events = SCENARIOS[scenario][0]
                if step < len(events):
                    yield name, courier_ref, events[step][0], events[step][1]

    def run_webhooks(self):
        return self._run(self._post_webhooks)

    def run_bare(self, requests, insert=False):
        """``requests`` calls of the bare insert route (``insert``: the posted body as one
        row, the reference) or of ``GET /web/health`` (no database at all)."""
        per_worker = [requests // self.connections] * self.connections
        for index in range(requests % self.connections):
            per_worker[index] += 1
        target = self._post_bare if insert else self._get_bare
        return self._run(lambda worker, record: target(per_worker[worker], record))

    def _run(self, target):
        latencies, codes, lock = [], {}, threading.Lock()

        def record(kind, status, seconds):
            with lock:
                latencies.append(seconds)
                codes[(kind, status)] = codes.get((kind, status), 0) + 1

        threads = [
            threading.Thread(target=target, args=(worker, record), daemon=True)
            for worker in range(self.connections)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started, latencies, codes

    def _request(self, conn, method, path, body=None, headers=None):
        for attempt in (1, 2):
            try:
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                response.read()
                return response.status
            except (http.client.HTTPException, OSError):
                conn.close()
                if attempt == 2:
                    return 0
        return 0

    def _post_webhooks(self, worker, record):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        last = {}
        for name, courier_ref, status, how in self._steps(worker):
            if how == "dup":
                body, headers = last[name]
            else:
                timestamp = int(time.time()) - (60 if how == "late" else 0)
                payload = self._payload(name, courier_ref, status, timestamp)
                body = json.dumps(payload, separators=(",", ":")).encode()
                headers = grab_headers(SECRET + "-forged" if how == "forged" else SECRET)
                last[name] = (body, headers)
            started = time.perf_counter()
            code = self._request(conn, "POST", self.path, body, headers)
            record(how, code, time.perf_counter() - started)
        conn.close()

    def _post_bare(self, count, record):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        name, courier_ref, _scenario = self.bookings[0]
        for _index in range(count):
            payload = self._payload(name, courier_ref, "PENDING_PICKUP", int(time.time()))
            body = json.dumps(payload, separators=(",", ":")).encode()
            headers = grab_headers(SECRET)
            started = time.perf_counter()
            code = self._request(conn, "POST", BARE_INSERT, body, headers)
            record("insert", code, time.perf_counter() - started)
        conn.close()

    def _get_bare(self, count, record):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        for _index in range(count):
            started = time.perf_counter()
            code = self._request(conn, "GET", "/web/health")
            record("bare", code, time.perf_counter() - started)
        conn.close()


def _sandbox_call(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body or {}).encode(), headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise SystemExit(f"the courier sandbox answered {response.status} to {path}: {data!r}")
    return json.loads(data)


def sandbox_orders(url, names_states, threads=8):
    """Order a Grab delivery at the sandbox for each (booking name, final state) and move
    it to that state (no webhook): what a lookup by the courier's order number will
    answer. Returns {booking name: the courier's order number}."""
    host, port = url.removeprefix("http://").split(":")
    port = int(port)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    token = _sandbox_call(
        conn,
        "POST",
        "/grab/grabid/v1/oauth2/token",
        {
            "client_id": GRAB_CLIENT[0],
            "client_secret": GRAB_CLIENT[1],
            "grant_type": "client_credentials",
            "scope": "grab_express.partner_deliveries",
        },
    )["access_token"]
    conn.close()
    refs, lock = {}, threading.Lock()

    def place(name):
        return {
            "address": "Jl. Bench",
            "coordinates": {"latitude": -8.21, "longitude": 114.36}
            if name == "origin"
            else {"latitude": -8.2, "longitude": 114.37},
        }

    def order(chunk):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        for name, state in chunk:
            view = _sandbox_call(
                conn,
                "POST",
                "/grab/v1/deliveries",
                {
                    "merchantOrderID": name,
                    "serviceType": "INSTANT",
                    "paymentMethod": "CASHLESS",
                    "packages": [{"name": "Paket", "description": "Bench", "quantity": 1}],
                    "origin": place("origin"),
                    "destination": place("destination"),
                    "sender": {"firstName": "Shelter", "phone": "0333421118", "smsEnabled": False},
                    "recipient": {
                        "firstName": "Siti Aminah",
                        "phone": "081200000000",
                        "smsEnabled": True,
                    },
                },
                token=token,
            )
            _sandbox_call(
                conn,
                "POST",
                f"/_sandbox/orders/{name}/advance",
                {"status": SANDBOX_STAGE[state], "webhook": False, "api": "grab"},
            )
            with lock:
                refs[name] = view["deliveryID"]
        conn.close()

    workers = [
        threading.Thread(target=order, args=(names_states[index::threads],), daemon=True)
        for index in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if len(refs) != len(names_states):
        raise SystemExit(f"the courier sandbox took {len(refs)} of {len(names_states)} orders")
    return refs


def pg_counters(cr, db):
    cr.execute("SELECT pg_stat_clear_snapshot()")
    cr.execute(
        "SELECT xact_commit, tup_inserted, tup_updated FROM pg_stat_database WHERE datname = %s",
        [db],
    )
    return cr.fetchone()


def setup_data(env, count, sandbox_url, rate_limit):
    """An agency, a shelter, a Grab account at the sandbox and ``count`` bookings booked
    there; returns the provider and [(name, courier_ref, scenario)]."""
    names = [f"WHB{i:06d}" for i in range(1, count + 1)]
    refs = sandbox_orders(
        sandbox_url,
        [(name, SCENARIOS[i % len(SCENARIOS)][1]) for i, name in enumerate(names, start=1)],
    )
    agency = env["pemkab.agency"].create({"name": "Webhook bench", "code": "BENCH-WH"})
    shelter = env["pemkab.shelter"].create(
        {
            "name": "Webhook bench shelter",
            "code": "BENCH-WH-SH",
            "agency_id": agency.id,
            "latitude": -8.21,
            "longitude": 114.36,
            "phone": "0333 421118",
        }
    )
    provider = env["pemkab.courier.provider"].create(
        {
            "name": "Webhook bench Grab",
            "kind": "grab",
            # a final state carried by Grab's static token is looked up there
            "base_url": sandbox_url + "/grab",
            "client_id": GRAB_CLIENT[0],
            "client_secret": GRAB_CLIENT[1],
            "rate_limit_per_s": rate_limit,
            "webhook_secret": SECRET,
            "webhook_auth_id": AUTH_ID,
        }
    )
    first = env["pemkab.delivery.booking"].create(
        {
            "provider_id": provider.id,
            "agency_id": agency.id,
            "shelter_id": shelter.id,
            "recipient_name": "Penerima",
            "recipient_phone": "081200000000",
            "street": "Jl. Bench",
            "latitude": -8.2,
            "longitude": 114.37,
            "package_code": "BENCH-WH",
        }
    )
    env.flush_all()
    cr = env.cr
    cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'pemkab_delivery_booking'
           AND column_name NOT IN ('id', 'name', 'courier_order_ref', 'state', 'package_code')
        """
    )
    columns = ", ".join(f'"{row[0]}"' for row in cr.fetchall())
    # the other bookings: copies of the first one, booked at the courier
    cr.execute(
        f"""
        INSERT INTO pemkab_delivery_booking
               ({columns}, name, courier_order_ref, state, package_code)
        SELECT {columns}, o.name, o.ref, 'booked', 'BENCH-WH-' || o.i
          FROM pemkab_delivery_booking,
               unnest(%s::varchar[], %s::varchar[]) WITH ORDINALITY AS o(name, ref, i)
         WHERE id = %s AND o.i > 1
        """,  # noqa: S608 - column names from the catalogue
        [names, [refs[name] for name in names], first.id],
    )
    cr.execute(
        """
        UPDATE pemkab_delivery_booking
           SET name = %s, courier_order_ref = %s, state = 'booked'
         WHERE id = %s
        """,
        [names[0], refs[names[0]], first.id],
    )
    bookings = [(name, refs[name], i % len(SCENARIOS)) for i, name in enumerate(names, start=1)]
    return provider, bookings


def apply_news(registry, db):
    """Run the inbox's batch in this process until nothing waits (the pre-inbox code
    applied everything in the requests: nothing to do)."""
    import odoo
    from odoo.api import Environment

    registry = registry.check_signaling()
    started, cpu = time.perf_counter(), time.process_time()
    with registry.cursor() as cr:
        env = Environment(cr, odoo.SUPERUSER_ID, {})
        if "pemkab.delivery.exchange" not in env:
            return
        Exchange = env["pemkab.delivery.exchange"]
        pending = Exchange._news_due_count()
        queries = odoo.sql_db.sql_counter
        applied = 0
        while Exchange._news_due_count():
            applied += Exchange._cron_apply_news()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        count = odoo.sql_db.sql_counter - queries
        print(
            f"batch: {applied} of {pending} waiting events applied in {seconds:.1f} s "
            f"({applied / seconds:.1f} events/s)"
        )
        # this process's queries and CPU time (every thread: the confirmation calls too)
        print(
            f"apply: {applied} events, {count} queries ({count / max(applied, 1):.1f}/event), "
            f"CPU {cpu:.2f} s ({cpu * 1000 / max(applied, 1):.2f} ms/event)"
        )


def wait_http(port, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"Odoo exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/web/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("Odoo did not answer on /web/health")


def server_cpu(server):
    """CPU seconds (user + system) used so far by the Odoo server's worker processes:
    ``(HTTP workers, cron worker)``; Odoo's ``WorkerCron`` is the one at nice 10. A
    worker recycled meanwhile is not counted (none is, at these request counts)."""
    import psutil

    http_cpu = cron_cpu = 0.0
    for child in psutil.Process(server.pid).children():
        try:
            times = child.cpu_times()
            nice = child.nice()
        except psutil.Error:
            continue
        if nice >= 10:
            cron_cpu += times.user + times.system
        else:
            http_cpu += times.user + times.system
    return http_cpu, cron_cpu


def report(label, seconds, latencies, codes):
    count = len(latencies)
    rate = count / seconds if seconds else 0.0
    print(
        f"{label:<22} {count:7d} requests {seconds:8.1f} s {rate:8.1f} req/s  "
        f"p50 {percentile(latencies, 0.5) * 1000:7.1f} ms  "
        f"p99 {percentile(latencies, 0.99) * 1000:7.1f} ms"
    )
    print("    answers: " + ", ".join(f"{k}->{s}: {n}" for (k, s), n in sorted(codes.items())))
    return rate


def main():  # noqa: C901 - one linear script
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", required=True, help="database with pemkab_delivery (copied)")
    parser.add_argument("--bookings", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2, help="Odoo HTTP worker processes")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--bare-requests", type=int, default=10000)
    parser.add_argument("--apply-timeout", type=int, default=900, help="seconds")
    parser.add_argument(
        "--latency-ms", type=float, default=50, help="the sandbox's latency per API call"
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=33,
        help="the Grab account's calls/s (Grab's documented limit: 33)",
    )
    parser.add_argument(
        "--apply",
        choices=["during", "after"],
        default="during",
        help="during: Odoo's cron worker applies the news while the load runs; after: no "
        "cron worker, the news is applied by this script once the load is over (the "
        "answers alone, then the batch alone)",
    )
    args = parser.parse_args()
    # ``timeout``/``kill`` end the run through the ``finally`` below: the copy is dropped
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))

    import odoo
    from odoo import sql_db
    from odoo.api import Environment
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    bench_db = f"{args.db}_whbench"
    filestore = Path(odoo.tools.config.filestore(bench_db))
    odoo_bin = Path(list(odoo.__path__)[0]).resolve().parent / "odoo-bin"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_bulk_dispatch import SandboxProcess

    server = sandbox = None
    with sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute("SELECT version(), current_setting('server_version')")
        pg_version = cr.fetchone()[1]
        cr.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
        cr.execute(f'CREATE DATABASE "{bench_db}" TEMPLATE "{args.db}"')
    try:
        print(
            f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"PostgreSQL {pg_version}; {args.bookings} bookings, {args.workers} Odoo workers, "
            f"{args.connections} connections"
        )
        started = time.perf_counter()
        sandbox = SandboxProcess().start()
        registry = Registry(bench_db)
        with registry.cursor() as cr:
            env = Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            provider, bookings = setup_data(env, args.bookings, sandbox.url, args.rate_limit)
            provider_id = provider.id
        sql_db.close_db(bench_db)
        # the orders are placed: from now on the sandbox answers as a remote courier
        host, port = sandbox.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        _sandbox_call(conn, "POST", "/_sandbox/config", {"latency_ms": args.latency_ms})
        conn.close()
        calls_before = sandbox.stats()
        print(
            f"setup: {args.bookings} bookings, their orders live at the courier sandbox "
            f"({sandbox.url}, {args.latency_ms:g} ms per call; the account at "
            f"{args.rate_limit:g} calls/s), in {time.perf_counter() - started:.1f} s"
        )

        port = free_port()
        log = Path(odoo.tools.config["data_dir"]) / f"{bench_db}.log"
        log.unlink(missing_ok=True)  # this run's only
        server = subprocess.Popen(  # noqa: S603 - our own odoo-bin
            [
                sys.executable,
                str(odoo_bin),
                "-c",
                args.config,
                "-d",
                bench_db,
                f"--db-filter=^{bench_db}$",
                f"--workers={args.workers}",
                f"--max-cron-threads={1 if args.apply == 'during' else 0}",
                f"--http-port={port}",
                f"--gevent-port={free_port()}",
                "--http-interface=127.0.0.1",
                "--limit-time-real=1200",
                "--limit-time-cpu=1200",
                "--log-level=warn",
                # Odoo's request loop logs each replay of a transaction (a serialization
                # failure, a lock not available) at INFO: counted below
                "--log-handler=odoo.service.model:INFO",
                f"--logfile={log}",
            ],
            start_new_session=True,
        )
        wait_http(port, server)
        generator = Generator(port, provider_id, bookings, args.connections)
        # the references first, on the same server before the burst (its cron idle)
        requests = sum(len(SCENARIOS[scenario][0]) for _n, _r, scenario in bookings)
        bare = min(args.bare_requests, requests)
        seconds, latencies, codes = generator.run_bare(bare, insert=True)
        if {status for _kind, status in codes} != {202}:
            raise SystemExit(
                "the bare insert route did not answer 202 (is pemkab_delivery_test "
                f"installed?): {codes}"
            )
        insert_rate = report("bare insert route", seconds, latencies, codes)
        health_rate = report("GET /web/health", *generator.run_bare(bare))
        with sql_db.db_connect("postgres").cursor() as cr:
            before = pg_counters(cr, bench_db)
            cpu_before = server_cpu(server)
            seconds, latencies, codes = generator.run_webhooks()
            cpu_burst = server_cpu(server)
            burst_end = time.perf_counter()
            time.sleep(1)  # PostgreSQL publishes its counters about every second
            after = pg_counters(cr, bench_db)
        webhook_rate = report("webhook", seconds, latencies, codes)
        wrong = {
            (how, status): count
            for (how, status), count in codes.items()
            if status != EXPECTED_STATUS[how]
        }
        if wrong:
            print(f"    UNEXPECTED answers (expected {EXPECTED_STATUS}): {wrong}")
        events = len(latencies)
        print(
            f"    PostgreSQL per event: {(after[0] - before[0]) / events:.2f} commits, "
            f"{(after[1] - before[1]) / events:.2f} rows inserted, "
            f"{(after[2] - before[2]) / events:.2f} rows updated"
        )
        print(
            f"ratio webhook / bare insert route: {webhook_rate / insert_rate:.0%} "
            f"(target >= 70%); webhook / /web/health: {webhook_rate / health_rate:.0%}; "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms (target < 100 ms)"
        )
        expected = {}
        for _name, _ref, scenario in bookings:
            state = SCENARIOS[scenario][1]
            expected[state] = expected.get(state, 0) + 1
        unique_events = sum(
            sum(1 for _status, how in SCENARIOS[scenario][0] if how in ("ok", "late"))
            for _name, _ref, scenario in bookings
        )
        if args.apply == "after":
            apply_news(registry, bench_db)
        deadline = time.monotonic() + args.apply_timeout
        conn = sql_db.db_connect(bench_db)
        while True:
            with conn.cursor() as cr:
                cr.execute(
                    """
                    SELECT state, count(*) FROM pemkab_delivery_booking
                     WHERE provider_id = %s GROUP BY state
                    """,
                    [provider_id],
                )
                states = dict(cr.fetchall())
                cr.execute(
                    """
                    SELECT count(*) FROM pemkab_delivery_booking_event e
                      JOIN pemkab_delivery_booking b ON b.id = e.booking_id
                     WHERE b.provider_id = %s AND e.source = 'webhook'
                    """,
                    [provider_id],
                )
                history = cr.fetchone()[0]
                cr.execute(
                    "SELECT count(*) FROM pemkab_delivery_webhook_inbox WHERE provider_id = %s",
                    [provider_id],
                )
                waiting = cr.fetchone()[0]
            done = states == expected and history >= unique_events and not waiting
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        applied_after = time.perf_counter() - burst_end
        cpu_applied = server_cpu(server)
        calls = sandbox.stats()
        lookups = calls["requests"]["grab"] - calls_before["requests"]["grab"]
        refused = calls["rate_limited"] - calls_before["rate_limited"]
        print(
            f"all applied {applied_after:.1f} s after the burst's end (target < 60 s)"
            if done
            else f"NOT all applied {applied_after:.1f} s after the burst's end"
        )
        print(
            f"    webhook events in the history: {history} (expected {unique_events}, "
            f"duplicates kept once, forged never); still in the inbox: {waiting}; "
            f"look-ups at the courier sandbox: {lookups} ({refused} refused by its rate limit)"
        )
        http_cpu, cron_cpu = (cpu_burst[i] - cpu_before[i] for i in (0, 1))
        print(
            f"    Odoo's CPU during the burst: HTTP workers {http_cpu:.1f} s, cron worker "
            f"{cron_cpu:.1f} s "
            f"({seconds:.1f} s of burst on {os.cpu_count()} CPUs); from the burst's end until "
            f"all applied: HTTP {cpu_applied[0] - cpu_burst[0]:.1f} s, cron "
            f"{cpu_applied[1] - cpu_burst[1]:.1f} s"
        )
        replays = {}
        if log.exists():
            for line in log.read_text(errors="replace").splitlines():
                if "tries left, try again" in line or "maximum number of tries" in line:
                    error = line.split("odoo.service.model: ", 1)[-1].split(",", 1)[0]
                    replays[error] = replays.get(error, 0) + 1
        print(
            "    requests replayed by Odoo (a concurrency failure, then a random sleep of up "
            f"to 2 s): {sum(replays.values())} {replays or ''}"
        )
        print(f"final states: {dict(sorted(states.items()))}")
        print(f"expected:     {dict(sorted(expected.items()))}")
        ok = states == expected and history == unique_events and not waiting and not wrong
        print("final states correct: " + ("yes" if ok else "NO"))
        if not ok:
            sys.exit(1)
    finally:
        if sandbox is not None:
            sandbox.stop()
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        sql_db.close_all()
        with sql_db.db_connect("postgres").cursor() as cr:
            cr._cnx.autocommit = True
            cr.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
        shutil.rmtree(filestore, ignore_errors=True)


if __name__ == "__main__":
    main()
