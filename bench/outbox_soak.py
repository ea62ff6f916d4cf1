# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The fault soak of the courier outbox, shared by ``tests/test_outbox_soak.py`` (100
bookings, in the suite) and ``bench/bench_outbox_soak.py`` (1,000, from the command line).
The scripts its ``odoo-bin shell`` processes run are in ``outbox_soak_scripts.py``, the
counting and printing in ``outbox_soak_result.py``.

Everything runs for real, each part in a process of its own, on a database of its own:

* the courier sandbox (``addons/pemkab_delivery/sandbox``) with faults: a share of the API
  calls answered 503 (nothing made), of the booking calls making the order but answering
  after the client gave up, of the orders finding no driver, of the webhooks posted twice
  and of the events posted out of order. It drives every order through its lifecycle
  (auto-advance) and posts the webhooks;
* an Odoo HTTP server (no cron thread) receiving those webhooks;
* ``odoo-bin shell`` processes running the outbox as the scheduled action does. The first
  one is killed with SIGKILL while its calls hang; a tenth of the bookings are then
  cancelled by a user; a second one runs the outbox and the poll until nothing moves.

Half the bookings (``grab_share``) go to the sandbox's Grab-like API, whose orders cannot
be looked up by our reference: a booking call without an answer leaves them waiting for a
person (*Needs a Person*). The others go to the GoSend-like sandbox provider, looked up by
our reference.

Time is skipped, not waited for: the leases of the killed run end at once (their
``claimed_until`` is set in the past, as five minutes later), the back-off waits are
skipped (``next_attempt_at`` cleared before each pass of the outbox) and the poll takes
every live booking (*Poll After* 0 minutes). Nothing else is touched.

Counted at the end from the sandbox's own records (its orders per reference and their
stage) joined with Odoo's bookings:

* duplicates: references with more than one courier order;
* orphans: courier orders that went out (any stage but cancelled or a failure before
  pickup) whose booking is failed or cancelled in Odoo;
* stuck: bookings neither final (delivered, cancelled, failed) nor waiting for a person
  (``review_needed``), once the outbox has nothing due and nothing moves.
"""

import configparser
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg2
from outbox_soak_result import NO_RIDE_STAGES, tally
from outbox_soak_scripts import CANCEL_AND_SETTLE, PRELUDE, SETUP_AND_OUTBOX

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SANDBOX = PROJECT_ROOT / "addons" / "pemkab_delivery" / "sandbox" / "courier_sandbox.py"
WEBHOOK_LINE = re.compile(r'"POST /pemkab_delivery/webhook/\d+ HTTP/1\.\d" (\d{3})')
ERROR_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ", re.M)


@dataclass
class SoakConfig:
    """What the soak does; the defaults are issue 10's fault rates."""

    bookings: int = 100
    grab_share: float = 0.5
    cancel_share: float = 0.1
    error_rate: float = 0.2
    timeout_rate: float = 0.1
    no_driver_rate: float = 0.1
    duplicate_webhook_rate: float = 0.1
    out_of_order_rate: float = 0.1
    latency_ms: float = 50.0
    # the providers' read timeout; a timed-out booking call answers a second later
    read_timeout: float = 1.0
    advance_interval: float = 2.0
    parallel: int = 8
    batch: int = 20
    # share of the bookings answered before the first outbox process is killed
    kill_after: float = 0.3
    settle_s: float = 120.0
    seed: int = 10


@dataclass
class OdooProcesses:
    """How to start odoo-bin: interpreter, odoo-bin, and the options every process takes
    (addons path, database server, data dir: ``server_args``, or ``-c <config>``)."""

    python: Path
    odoo_bin: Path
    server_args: list
    pg: dict

    @classmethod
    def from_config(cls, python, odoo_bin, config_path):
        """From an Odoo configuration file (the benchmark's ``--config``)."""
        parser = configparser.ConfigParser()
        parser.read(config_path)
        options = parser["options"]
        pg = {
            "host": options.get("db_host") or "127.0.0.1",
            "port": options.get("db_port") or "5432",
            "user": options.get("db_user") or "odoo",
        }
        if options.get("db_password") and options.get("db_password") != "False":
            pg["password"] = options["db_password"]
        return cls(Path(python), Path(odoo_bin), ["-c", str(config_path)], pg)

    def popen(self, args, stdin=None, output=None):
        env = dict(os.environ, PYTHONPATH=str(self.odoo_bin.parent))
        return subprocess.Popen(
            [str(self.python), str(self.odoo_bin), *args, *self.server_args],
            stdin=stdin,
            stdout=output or subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=PROJECT_ROOT,
            env=env,
        )

    def shell(self, db, output=None):
        return self.popen(
            ["shell", "-d", db, "--no-http", "--log-level=warn"],
            stdin=subprocess.PIPE,
            output=output,
        )

    def connect(self, db):
        conn = psycopg2.connect(dbname=db, **self.pg)
        conn.autocommit = True
        return conn


def _soak_results(text):
    """The JSON of the ``SOAK {...}`` lines of a script's output."""
    return [json.loads(found) for found in re.findall(r"^SOAK (\{.*\})$", text, re.M)]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OutboxSoak:
    """One soak: ``run()`` returns a :class:`SoakResult`. The database ``db`` must not
    exist yet (pemkab_delivery is installed in it); the caller drops it afterwards.
    The processes' logs are written under ``workdir``."""

    def __init__(self, odoo, db, config, workdir):
        self.odoo = odoo
        self.db = db
        self.config = config
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.sandbox_url = None
        self.timings = {}
        self.figures = {}
        self._started = time.monotonic()
        self._mark = self._started

    # -- small helpers -----------------------------------------------------------------

    def _lap(self, name):
        now = time.monotonic()
        self.timings[name] = now - self._mark
        self._mark = now

    def _control(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.sandbox_url}/_sandbox/{path}",
            data=data,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)

    def _log_path(self, name):
        return self.workdir / f"{name}.log"

    def _log_text(self, name):
        return self._log_path(name).read_text(encoding="utf-8", errors="replace")

    def _start_shell(self, name, body, params):
        """An ``odoo-bin shell`` running ``body``; its output goes to ``<name>.log``."""
        with open(self._log_path(name), "w", encoding="utf-8") as log:
            proc = self.odoo.shell(self.db, output=log)
        proc.stdin.write(f"P = {json.dumps(params)}\n{PRELUDE}\n{body}")
        proc.stdin.close()
        return proc

    def _wait_result(self, name, proc, count=1, timeout=600):
        """The ``count``-th result line of the shell ``name`` (it must not die first)."""
        deadline = time.monotonic() + timeout
        while True:
            results = _soak_results(self._log_text(name))
            if len(results) >= count:
                return results[count - 1]
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{name}: no result (exit {proc.poll()}):\n{self._log_text(name)[-3000:]}"
                )
            time.sleep(0.05)

    def _go(self, name, params=None):
        """Let the shell waiting for ``name`` go on (with ``params``)."""
        path = self.workdir / f"{name}.go.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(params or {}), encoding="utf-8")
        tmp.rename(path)
        return str(path)

    # -- the soak ----------------------------------------------------------------------

    def run(self):
        cfg = self.config
        secret = "soak-webhook-secret"
        rng = random.Random(cfg.seed)
        kinds = ["grab" if rng.random() < cfg.grab_share else "gosend" for _ in range(cfg.bookings)]
        self.figures["by_provider"] = ", ".join(
            f"{n} {kind}" for kind, n in sorted(Counter(kinds).items())
        )
        go_outbox = str(self.workdir / "outbox.go.json")
        go_settle = str(self.workdir / "settle.go.json")
        with contextlib.ExitStack() as stack:
            stack.enter_context(self._sandbox(secret))
            self._install()
            self._lap("install pemkab_delivery")
            port = _free_port()
            http = stack.enter_context(self._http_server(port))
            first = self._start_shell(
                "outbox-killed",
                SETUP_AND_OUTBOX,
                {
                    "url": self.sandbox_url,
                    "webhook_secret": secret,
                    "parallel": cfg.parallel,
                    "read_timeout": cfg.read_timeout,
                    "kinds": kinds,
                    "batch": cfg.batch,
                    "go": go_outbox,
                },
            )
            stack.callback(first.kill)
            # the second process starts now too: it takes over as soon as the first dies
            second = self._start_shell(
                "settle",
                CANCEL_AND_SETTLE,
                {
                    "cancel": round(cfg.bookings * cfg.cancel_share),
                    "seed": cfg.seed,
                    "batch": cfg.batch,
                    "poll_batch": 100,
                    "settle_s": cfg.settle_s,
                    "pause": 0.3,
                    "go": go_settle,
                    "url": self.sandbox_url,
                    "final_stages": sorted(NO_RIDE_STAGES | {"delivered", "returned"}),
                },
            )
            stack.callback(second.kill)
            setup = self._wait_result("outbox-killed", first)
            self._lap("create and request the bookings")
            hook = f"http://127.0.0.1:{port}/pemkab_delivery/webhook"
            self._control(
                "config",
                {
                    "webhook_url_gosend": f"{hook}/{setup['gosend']}",
                    "webhook_url_grab": f"{hook}/{setup['grab']}",
                },
            )
            http()
            self._lap("start the HTTP server")
            conn = self.odoo.connect(self.db)
            stack.callback(conn.close)
            self._go("outbox")
            in_flight = self._kill_in_flight(first, conn, setup["ids"])
            self._lap("outbox until the kill")
            self._expire_leases(conn, setup["ids"])
            self._go(
                "settle",
                {
                    "ids": setup["ids"],
                    "in_flight": in_flight,
                    "providers": [setup["gosend"], setup["grab"]],
                },
            )
            cancel = self._wait_result("settle", second)
            self.figures.update(
                cancel_asked=cancel["asked"] - cancel["refused"],
                cancelled_at_once=cancel["at_once"],
                cancel_through_courier=cancel["through_courier"],
            )
            settle = self._wait_result("settle", second, count=2, timeout=cfg.settle_s + 600)
            second.wait(timeout=60)
            self.figures.update(
                settle_passes=settle["passes"],
                settle_sent=settle["sent"],
                settle_polled=settle["polled"],
                settle_queries=settle["queries"],
                settled=settle["live_orders"] == 0,
            )
            self._lap("restarted outbox and poll until quiescent")
            result = self._count(conn, setup["refs"])
        result.errors += self._log_errors()
        self.figures.update(self._webhook_answers())
        self.timings["total"] = time.monotonic() - self._started
        result.figures.update(self.figures)
        result.timings = dict(self.timings)
        return result

    @contextlib.contextmanager
    def _sandbox(self, secret):
        cfg = self.config
        args = [
            "--port=0",
            "--auto-advance",
            "--no-webhook-on-create",
            f"--advance-interval={cfg.advance_interval}",
            f"--seed={cfg.seed}",
            f"--latency-ms={cfg.latency_ms}",
            f"--error-rate={cfg.error_rate}",
            f"--timeout-rate={cfg.timeout_rate}",
            f"--timeout-sleep-s={cfg.read_timeout + 1}",
            f"--no-driver-rate={cfg.no_driver_rate}",
            f"--duplicate-webhook-rate={cfg.duplicate_webhook_rate}",
            f"--out-of-order-rate={cfg.out_of_order_rate}",
            f"--webhook-secret={secret}",
        ]
        with open(self._log_path("sandbox"), "w", encoding="utf-8") as log:
            proc = subprocess.Popen(
                [str(self.odoo.python), str(SANDBOX), *args],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        try:
            line = proc.stdout.readline()
            match = re.search(r"listening on (http://\S+)", line)
            if not match:
                raise RuntimeError(f"the courier sandbox did not start: {line}")
            self.sandbox_url = match.group(1)
            yield self.sandbox_url
        finally:
            proc.terminate()
            proc.wait(timeout=15)

    def _install(self):
        with open(self._log_path("install"), "w", encoding="utf-8") as log:
            proc = self.odoo.popen(
                [
                    "-d",
                    self.db,
                    "-i",
                    "pemkab_delivery",
                    "--stop-after-init",
                    "--http-port=0",
                    "--log-level=warn",
                ],
                output=log,
            )
            proc.wait(timeout=900)
        if proc.returncode:
            text = self._log_text("install")[-3000:]
            raise RuntimeError(f"installing pemkab_delivery failed:\n{text}")

    @contextlib.contextmanager
    def _http_server(self, port):
        """Odoo serving the webhooks (threaded, no cron); its log keeps every request.
        Yields a function waiting until it answers."""
        with open(self._log_path("http"), "w", encoding="utf-8") as log:
            proc = self.odoo.popen(
                [
                    "-d",
                    self.db,
                    f"--db-filter=^{self.db}$",
                    f"--http-port={port}",
                    "--http-interface=127.0.0.1",
                    "--workers=0",
                    "--max-cron-threads=0",
                    "--log-level=warn",
                    "--log-handler=werkzeug:INFO",
                ],
                output=log,
            )

        def wait_until_up():
            deadline = time.monotonic() + 120
            while True:
                try:
                    url = f"http://127.0.0.1:{port}/web/health"
                    with urllib.request.urlopen(url, timeout=5) as answer:
                        if answer.status == 200:
                            return
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Odoo HTTP server did not start (see http.log)")
                time.sleep(0.2)

        try:
            yield wait_until_up
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def _kill_in_flight(self, proc, conn, ids):
        """SIGKILL the outbox process once ``kill_after`` of the bookings were answered
        and others stay claimed for a while: their calls hang (a timed-out booking call
        has made its order)."""
        cfg = self.config
        ids = tuple(ids)
        cr = conn.cursor()
        deadline = time.monotonic() + 300
        hang = max(0.3, 4 * cfg.latency_ms / 1000)
        answered = 0
        claimed_since = None
        while proc.poll() is None and time.monotonic() < deadline:
            cr.execute(
                """
                SELECT count(*) FILTER (WHERE claimed_until IS NOT NULL),
                       count(*) FILTER (WHERE attempt_count > 0 AND claimed_until IS NULL)
                  FROM pemkab_delivery_booking WHERE id IN %s
                """,
                (ids,),
            )
            in_flight, answered = cr.fetchone()
            if not in_flight or answered < cfg.kill_after * cfg.bookings:
                claimed_since = None
            elif claimed_since is None:
                claimed_since = time.monotonic()
            elif time.monotonic() - claimed_since >= hang:
                proc.kill()  # SIGKILL, while its calls are in flight
                break
            time.sleep(0.05)
        proc.wait(timeout=30)
        killed = proc.returncode == -signal.SIGKILL
        cr.execute(
            "SELECT id, name FROM pemkab_delivery_booking "
            "WHERE id IN %s AND claimed_until IS NOT NULL",
            (ids,),
        )
        rows = cr.fetchall()
        counts = self._control("orders")["counts"]
        self.figures.update(
            killed=killed,
            in_flight_at_kill=len(rows) if killed else 0,
            answered_at_kill=answered,
            orders_of_in_flight=sum(1 for _id, ref in rows if counts.get(ref)),
        )
        return [booking_id for booking_id, _ref in rows]

    def _expire_leases(self, conn, ids):
        """Time skip: the killed run's leases end now rather than in five minutes."""
        with conn.cursor() as cr:
            cr.execute(
                """
                UPDATE pemkab_delivery_booking
                   SET claimed_until = now() at time zone 'utc' - interval '1 second'
                 WHERE id IN %s AND claimed_until IS NOT NULL
                """,
                (tuple(ids),),
            )

    def _count(self, conn, refs):
        """Duplicates, orphans and stuck bookings: the sandbox's orders with Odoo's
        bookings."""
        answer = self._control("orders")
        with conn.cursor() as cr:
            cr.execute(
                """
                SELECT name, state, failure_reason, review_needed, courier_order_ref
                  FROM pemkab_delivery_booking WHERE name IN %s
                """,
                (tuple(refs),),
            )
            bookings = {row[0]: row[1:] for row in cr.fetchall()}
            # what the history says of the wait for a person (the notes are in English)
            cr.execute(
                """
                SELECT count(DISTINCT e.booking_id) FILTER (WHERE e.note LIKE %s),
                       count(DISTINCT e.booking_id) FILTER (WHERE e.note LIKE %s)
                  FROM pemkab_delivery_booking_event e
                  JOIN pemkab_delivery_booking b ON b.id = e.booking_id
                 WHERE b.name IN %s
                """,
                (
                    "Courier booking % got no answer%",
                    "The courier's news named its order%",
                    tuple(refs),
                ),
            )
            ever_waited, ended_by_news = cr.fetchone()
        return tally(asdict(self.config), answer, bookings, ever_waited, ended_by_news)

    def _webhook_answers(self):
        answers = Counter(WEBHOOK_LINE.findall(self._log_text("http")))
        return {
            "webhook_answers": ", ".join(f"{n}x {code}" for code, n in sorted(answers.items()))
            or "none",
            "webhook_500": answers.get("500", 0),
        }

    def _log_errors(self):
        """ERROR/CRITICAL lines of the Odoo processes' logs (the killed one included)."""
        found = []
        for name in ("install", "http", "outbox-killed", "settle"):
            if self._log_path(name).exists():
                lines = self._log_text(name).splitlines()
                found += [f"{name}: {line}" for line in lines if ERROR_LINE.match(line)]
        return found
