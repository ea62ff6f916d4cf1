# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The plain-Python packages import and run with no Odoo importable, as scripts/run.sh
uses them: the courier sandbox started by path with the virtualenv's Python, the courier
clients and the outbox's worker threads booking an order through it.

(conftest.py has already refused to run if ``odoo`` were importable in this process.)
"""

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from conftest import sandbox_by_path

ADDON = Path(__file__).resolve().parents[2] / "addons" / "pemkab_delivery"
PLAIN_PACKAGES = ("clients", "outbox", "sandbox", "tools")


def _plain_env():
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def test_odoo_is_not_importable_here():
    result = subprocess.run(
        [sys.executable, "-c", "import odoo"],
        env=_plain_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "No module named 'odoo'" in result.stderr


@pytest.mark.parametrize("package", PLAIN_PACKAGES)
def test_every_module_imports_without_odoo(package):
    module = importlib.import_module(package)
    names = [package] + [
        f"{package}.{info.name}" for info in pkgutil.walk_packages(module.__path__)
    ]
    for name in names:
        importlib.import_module(name)
    assert "odoo" not in sys.modules, f"{package} pulled Odoo in"


def test_sandbox_by_path_books_an_order_through_the_outbox_threads():
    """scripts/run.sh's way: ``<venv>/bin/python addons/pemkab_delivery/sandbox/
    courier_sandbox.py --port ... --auto-advance``; then the GoSend client and the outbox's
    ``run_jobs`` (what the scheduled action runs in its worker threads) book through it."""
    from clients import GoSendClient, Location, Package
    from outbox import run_jobs

    with sandbox_by_path() as url:
        client = GoSendClient(
            url + "/gosend", {"client_id": "sandbox-client", "pass_key": "sandbox-pass"}
        )
        job = {
            "ref": "BOUNDARY-1",
            "action": "book",
            "client": client,
            "provider_id": 1,
            "max_parallel": 2,
            "courier_ref": False,
            "lookup_first": False,
            "strays": [],
            "payload": {
                "origin": Location(
                    "RSUD Blambangan", "+6233342100", "Jl. Letkol Istiqlah 49", -8.2192, 114.3691
                ),
                "destination": Location(
                    "Ibu Siti", "081234567890", "Desa Kemiren", -8.2080, 114.3267
                ),
                "package": Package("PKT-1", "Paket layanan kesehatan", weight_kg=0.5),
                "service_type": "instant",
            },
        }
        answers = list(run_jobs([job]))
        assert len(answers) == 1
        _job, (kind, info) = answers[0]
        assert kind == "ok", answers
        assert info.courier_ref
        counts = requests.get(url + "/_sandbox/orders", timeout=5).json()
        assert "BOUNDARY-1" in str(counts)
