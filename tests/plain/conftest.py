# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The plain-Python tests refuse to run where Odoo is importable.

Odoo on ``PYTHONPATH`` hides a broken boundary: a module of ``clients/``, ``outbox/``,
``sandbox/`` or ``tools/`` that imports Odoo (directly or through a package's
``__init__``) would pass here and die in ``scripts/run.sh``, which starts the courier
sandbox with the virtualenv's Python alone. So the session stops at once if ``odoo``
imports. ``scripts/test.sh`` runs this folder with ``PYTHONPATH`` cleared.
"""

import contextlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parents[2] / "addons" / "pemkab_delivery"
# the plain packages as scripts/run.sh and the tests import them: top-level, from the addon
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))


def pytest_configure(config):
    if importlib.util.find_spec("odoo") is not None:
        raise pytest.UsageError(
            "tests/plain must run with no Odoo importable (it is: "
            f"{importlib.util.find_spec('odoo').origin}); run it as scripts/test.sh does: "
            "env -u PYTHONPATH .state/venv/bin/python -m pytest tests/plain"
        )


@contextlib.contextmanager
def sandbox_by_path(*args):
    """The courier sandbox as scripts/run.sh starts it: ``courier_sandbox.py`` run by path
    with this virtualenv's Python, ``PYTHONPATH`` cleared, on a free loopback port, with
    ``--auto-advance`` and webhooks to a closed port. Yields its URL; stops it after,
    checking that it exits cleanly."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    process = subprocess.Popen(
        [
            sys.executable,
            str(ADDON / "sandbox" / "courier_sandbox.py"),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--auto-advance",
            "--advance-interval",
            "0.1",
            "--webhook-url",
            "http://127.0.0.1:9/none",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert match, f"the sandbox did not start: {line!r} {process.stderr.read()[-2000:]}"
        yield match.group(1)
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
