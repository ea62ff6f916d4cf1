# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The plain-Python tests refuse to run where Odoo is importable.

Odoo on ``PYTHONPATH`` hides a broken boundary: a module of ``clients/``, ``outbox/``,
``sandbox/`` or ``tools/`` that imports Odoo (directly or through a package's
``__init__``) would pass here and die in ``scripts/run.sh``, which starts the courier
sandbox with the virtualenv's Python alone. So the session stops at once if ``odoo``
imports. ``scripts/test.sh`` runs this folder with ``PYTHONPATH`` cleared.
"""

import importlib.util
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
