# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The README's run command, end to end, as a newcomer meets it: a fresh clone of the
current commit, ``scripts/run.sh`` on ports of its own (Odoo and the courier sandbox), its
own state directory and database (the virtualenv and the PostgreSQL server of the test run
are reused: PEMKAB_VENV, PGHOST/PGPORT). The roles' own demo users then move a prescription
delivery over JSON-RPC, as their browsers do: the RSUD pharmacist registers and verifies
it, the RSUD director approves it, the pharmacist sets it ready at the shelter; the courier
sandbox books it, drives it and reports by webhook until the delivery reads *delivered*.
At any hour of the day: the demo's RSUD Blambangan shelter keeps 24-hour service (the
hospital's emergency pharmacy).

The run is stopped (Odoo, the sandbox and its watcher: the whole process group) and the
clone, its state directory and the database are removed, whatever the outcome.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow

SETUP_TIMEOUT = 1500  # seconds: a new database with the three addons, demo data, Indonesian
DELIVERY_TIMEOUT = 300  # seconds: booked, driver, picked up, delivered (sandbox steps of 5 s)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _git(*args, cwd):
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=300
    ).stdout.strip()


class JsonRpc:
    """One user's browser session: /web/session/authenticate, then /web/dataset/call_kw."""

    def __init__(self, url, db, login):
        self.url, self.login = url, login
        self.session = requests.Session()
        result = self._call(
            "/web/session/authenticate", {"db": db, "login": login, "password": login}
        )
        assert result.get("uid"), f"{login} could not log in: {result}"

    def _call(self, path, params):
        response = self.session.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params},
            timeout=120,
        )
        assert response.status_code == 200, f"{path}: HTTP {response.status_code}"
        answer = response.json()
        error = answer.get("error")
        assert not error, f"{self.login}: {path}: {error and error['data'].get('message')}"
        return answer["result"]

    def __call__(self, model, method, *args, **kwargs):
        return self._call(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


def _wait_for_server(url, proc, log_path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"scripts/run.sh exited {proc.returncode} before serving:\n"
                + log_path.read_text(errors="replace")[-5000:],
                pytrace=False,
            )
        try:
            if requests.get(url + "/web/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(2)
    pytest.fail(
        f"scripts/run.sh did not serve {url} within {timeout} s:\n"
        + log_path.read_text(errors="replace")[-5000:],
        pytrace=False,
    )


def _stop(proc):
    """Stop run.sh's process group: Odoo (exec'd in run.sh's process), the sandbox, and
    the watcher that stops the sandbox."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    # the sandbox and the watcher share the group; whatever is left of it goes too
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_readme_run_command_delivers_on_a_fresh_clone(project_root, odoo_env, scratch_db):
    commit = _git("rev-parse", "HEAD", cwd=project_root)
    db = scratch_db("e2e")
    http_port, sandbox_port = _free_port(), _free_port()
    while sandbox_port == http_port:
        sandbox_port = _free_port()
    url = f"http://127.0.0.1:{http_port}"
    with tempfile.TemporaryDirectory(prefix="pemkab-e2e-") as tmp:
        clone = Path(tmp) / "clone"
        _git("clone", "--quiet", "--no-checkout", str(project_root), str(clone), cwd=tmp)
        _git("checkout", "--quiet", "--detach", commit, cwd=clone)
        state = Path(tmp) / "state"
        env = {
            key: value
            for key, value in os.environ.items()
            # a newcomer's shell: no Odoo on the path, no choice of addons, no test database
            if key not in ("PYTHONPATH", "PEMKAB_ADDONS", "ODOO_ADDONS_PATH", "PEMKAB_LANGS")
            and not key.startswith("PEMKAB_TEST")
        }
        env.update(
            PEMKAB_STATE_DIR=str(state),
            PEMKAB_VENV=str(odoo_env.venv),
            ODOO_PATH=str(odoo_env.odoo_path),
            PGHOST=odoo_env.pg["host"],
            PGPORT=str(odoo_env.pg["port"]),
            PGUSER=odoo_env.pg["user"],
            PEMKAB_DB=db,
            PEMKAB_HTTP_PORT=str(http_port),
            PEMKAB_SANDBOX_PORT=str(sandbox_port),
        )
        log_path = Path(tmp) / "run.log"
        with open(log_path, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(
                [str(clone / "scripts" / "run.sh")],
                cwd=clone,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one
            )
        try:
            _wait_for_server(url, proc, log_path, SETUP_TIMEOUT)
            _deliver_a_prescription(url, db, log_path, state)
        finally:
            _stop(proc)


def _deliver_a_prescription(url, db, log_path, state):
    pharmacist = JsonRpc(url, db, "apoteker.rsud")
    head = JsonRpc(url, db, "rsud.head")

    shelter = pharmacist(
        "pemkab.shelter",
        "search_read",
        [("code", "=", "RSUD-BLB")],
        fields=["id", "open_24h"],
    )
    assert shelter and shelter[0]["open_24h"], f"RSUD Blambangan is not open 24 hours: {shelter}"
    patients = pharmacist(
        "res.partner", "search", [("is_patient", "=", True), ("name", "ilike", "Sumiati")]
    )
    assert patients, "the RSUD pharmacist finds no demo patient Sumiati"

    # register: a controlled medicine, so the head's approval is required
    delivery_id = pharmacist(
        "pemkab.health.delivery",
        "create",
        [
            {
                "shelter_id": shelter[0]["id"],
                "patient_id": patients[0],
                "prescription_number": f"E2E-{uuid.uuid4().hex[:8].upper()}",
                "prescriber_name": "dr. Hadi Santoso, Sp.PD",
                "counselled": True,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Diazepam",
                            "strength": "2 mg",
                            "quantity": 10,
                            "instructions": "1x1 malam",
                            "controlled_type": "psikotropika",
                        },
                    )
                ],
            }
        ],
    )[0]

    def read():
        return pharmacist(
            "pemkab.health.delivery",
            "read",
            [delivery_id],
            ["state", "delivery_status", "delivery_shelter_wait_label"],
        )[0]

    pharmacist("pemkab.health.delivery", "action_verify", [delivery_id])
    assert read()["state"] == "to_approve", read()
    head("pemkab.health.delivery", "action_approve", [delivery_id])
    assert read()["state"] == "approved", read()
    answer = pharmacist("pemkab.health.delivery", "action_mark_ready", [delivery_id])
    notice = answer.get("params", {}) if isinstance(answer, dict) else {}
    assert notice.get("type") != "warning", f"a 24-hour shelter is never closed, yet: {answer}"
    values = read()
    assert values["state"] in ("ready", "out_for_delivery", "delivered"), values
    assert not values["delivery_shelter_wait_label"], values

    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while time.monotonic() < deadline:
        values = read()
        if values["state"] == "delivered" or values["state"] in ("failed", "cancelled"):
            break
        time.sleep(3)
    if values["state"] != "delivered":
        sandbox_log = state / "courier_sandbox.log"
        pytest.fail(
            f"the delivery did not reach delivered within {DELIVERY_TIMEOUT} s: {values}\n"
            f"--- run.sh ---\n{log_path.read_text(errors='replace')[-4000:]}\n"
            f"--- sandbox ---\n"
            + (sandbox_log.read_text(errors="replace")[-3000:] if sandbox_log.exists() else ""),
            pytrace=False,
        )
    assert values["delivery_status"] == "delivered", values
