# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""README.md is the door: what it points at exists and what it states of the scripts, CI and
the demo logins is true."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")
PATH_IN_CODE = re.compile(r"`((?:scripts|bench|tests|addons|docs|deploy|docker)/[\w./-]+?)`")


def _demo_logins():
    logins = set()
    for path in ROOT.glob("addons/*/demo/*.xml"):
        for record in ET.parse(path).iter("record"):
            if record.get("model") == "res.users":
                for field in record.findall("field"):
                    if field.get("name") == "login":
                        logins.add((field.text or "").strip())
    return logins


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_and_named_paths_exist(doc):
    text = doc.read_text(encoding="utf-8")
    missing = []
    for target, _anchor in LINK.findall(text):
        if "://" in target or target.startswith("mailto:"):
            continue
        if not (doc.parent / target).exists():
            missing.append(target)
    for path in PATH_IN_CODE.findall(text):
        path = path.rstrip(".")
        if "<" in path or "*" in path:
            continue
        if not (ROOT / path).exists():
            missing.append(path)
    assert not missing, f"{doc.name} names what does not exist: {sorted(set(missing))}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "`scripts/test.sh`" in readme and "scripts/run.sh" in readme
    assert re.search(r"^scripts/test\.sh$", ci, re.M)
    assert re.search(r"^scripts/test\.sh --odoo-runner$", ci, re.M)


def test_readme_logins_are_the_demo_users():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## The roles", 1)[1].split("\n\n", 2)[1]
    named = set(re.findall(r"`([\w.]+)`", table)) - {"admin"}
    assert named, "README lists no demo login"
    assert named <= _demo_logins(), f"not demo users: {named - _demo_logins()}"
