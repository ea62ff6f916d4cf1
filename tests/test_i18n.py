# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Every user-visible term of every addon has its Indonesian in i18n/id.po.

The terms are exported from the test database with Odoo's own exporter, so a string
added to the code, a view or the data without a translation fails here, with the list.
scripts/i18n.sh ADDON refreshes the template and id.po (keeping what is translated).
"""

import os
import re
import subprocess

import polib
import pytest
from conftest import PROJECT_ROOT, discover_addons

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def _export_terms(odoo_env, addon, tmp_path):
    db = os.environ.get("PEMKAB_TEST_DB")
    conf = os.environ.get("PEMKAB_TEST_CONF")
    if not db or not conf:
        pytest.fail("PEMKAB_TEST_DB/PEMKAB_TEST_CONF unset: run through scripts/test.sh")
    pot = tmp_path / f"{addon}.pot"
    cmd = [
        str(odoo_env.python),
        str(odoo_env.odoo_path / "odoo-bin"),
        f"--addons-path={odoo_env.addons_path}",
        "i18n",
        "export",
        "-c",
        conf,
        "-d",
        db,
        "-o",
        str(pot),
        addon,
    ]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PYTHONPATH=str(odoo_env.odoo_path)),
    )
    assert proc.returncode == 0 and pot.exists(), proc.stdout + proc.stderr
    return polib.pofile(str(pot))


@pytest.mark.parametrize("addon", discover_addons())
def test_every_term_has_indonesian(addon, odoo_env, pg_connect, tmp_path):
    po_path = PROJECT_ROOT / "addons" / addon / "i18n" / "id.po"
    assert po_path.exists(), f"{addon} has no i18n/id.po: run scripts/i18n.sh {addon}"
    cr = pg_connect(os.environ["PEMKAB_TEST_DB"]).cursor()
    cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [addon])
    installed = (cr.fetchone() or [None])[0]
    if installed != "installed":
        pytest.fail(f"{addon} is not installed in the test database ({installed!r})")
    pot = _export_terms(odoo_env, addon, tmp_path)
    catalogue = {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(po_path))}
    missing = [
        entry.msgid
        for entry in pot
        if not (found := catalogue.get((entry.msgctxt, entry.msgid))) or not found.msgstr
    ]
    assert not missing, (
        f"{len(missing)} term(s) of {addon} without Indonesian (scripts/i18n.sh {addon}, then "
        "translate):\n" + "\n".join(missing[:40])
    )


@pytest.mark.parametrize("addon", discover_addons())
def test_translations_keep_placeholders(addon):
    po_path = PROJECT_ROOT / "addons" / addon / "i18n" / "id.po"
    if not po_path.exists():
        pytest.fail(f"{addon} has no i18n/id.po")
    wrong = [
        entry.msgid
        for entry in polib.pofile(str(po_path))
        if entry.msgstr
        and sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr))
    ]
    assert not wrong, "placeholders differ between English and Indonesian:\n" + "\n".join(wrong)
