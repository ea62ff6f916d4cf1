# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Static checks, the same as pre-commit's (.pre-commit-config.yaml), at the versions of
requirements-dev.txt: `ruff check` (.ruff.toml) on all the Python code, and pylint-odoo with
OCA's mandatory checks (.pylintrc-mandatory) on each addon. Any message fails, and is shown.

Formatting (`ruff format`) is pre-commit's business, not a test failure.
"""

import re
import subprocess

import pytest

PYTHON_TREES = ["addons", "scripts", "tests"]


@pytest.fixture(scope="module")
def venv_tool(odoo_env, missing_tool):
    def find(name):
        path = odoo_env.venv / "bin" / name
        if not path.exists():
            missing_tool(f"{name} is not installed in {odoo_env.venv} (requirements-dev.txt)")
        return path

    return find


def test_ruff_check(project_root, venv_tool):
    ruff = venv_tool("ruff")
    trees = [t for t in PYTHON_TREES if (project_root / t).is_dir()]
    proc = subprocess.run(
        [
            str(ruff),
            "check",
            "--no-fix",
            "--no-cache",
            "--output-format=concise",
            f"--config={project_root / '.ruff.toml'}",
            *trees,
        ],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"ruff check found problems:\n{proc.stdout}{proc.stderr}"


def test_pylintrc_mandatory_names_only_known_checks(project_root, odoo_env, venv_tool):
    """A misspelt or retired check in the rcfile would silently check nothing."""
    venv_tool("pylint")
    listing = subprocess.run(
        [str(odoo_env.python), "-m", "pylint", "--load-plugins=pylint_odoo", "--list-msgs"],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    known = set(re.findall(r"^:([a-z0-9-]+) \(", listing, re.MULTILINE))
    rc = (project_root / ".pylintrc-mandatory").read_text(encoding="utf-8")
    enabled = re.search(r"^enable=(.*?)(?=^\S|\Z)", rc, re.MULTILINE | re.DOTALL).group(1)
    names = [n.strip() for n in enabled.split(",") if n.strip()]
    assert len(names) > 40
    assert not [n for n in names if n not in known], "unknown checks in .pylintrc-mandatory"
    assert re.search(r"^valid-odoo-versions=19\.0$", rc, re.MULTILINE)
    assert re.search(
        r"^manifest-required-authors=Pemerintah Kabupaten Banyuwangi$", rc, re.MULTILINE
    )


def test_pylint_odoo_mandatory(pemkab_addon, project_root, odoo_env, venv_tool):
    venv_tool("pylint")
    proc = subprocess.run(
        [
            str(odoo_env.python),
            "-m",
            "pylint",
            "--load-plugins=pylint_odoo",
            "--rcfile=.pylintrc-mandatory",
            "--output-format=text",
            "--score=n",
            f"addons/{pemkab_addon}",
        ],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = [
        line for line in proc.stdout.splitlines() if line.strip() and not line.startswith("*****")
    ]
    assert proc.returncode == 0 and not messages, (
        f"pylint-odoo (OCA mandatory checks) on addons/{pemkab_addon}, exit {proc.returncode}:\n"
        + "\n".join(messages)
        + (f"\n{proc.stderr}" if proc.stderr.strip() else "")
    )
