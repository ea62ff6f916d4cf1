# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The addons' XML data, read as OCA's module checks read it (`oca-checks-odoo-module`, run by
pre-commit): an addon declares each of its records once in its data files and once in its demo files
(demo data may add to a record of the data files), under its own name.

Two declarations of one record id in an addon's files (say a demo agency in its own file and
again where the demo users are made) are loaded in manifest order, each overwriting the other's
fields, so what the record ends up as depends on the file list; OCA's checks refuse it
(`xml-duplicate-record-id`), and a record of the addon itself named with the module's prefix
(`xml-redundant-module-name`).
"""

import ast
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDONS = sorted(p.parent for p in ROOT.glob("addons/*/__manifest__.py"))


def _xml_files(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))
    for key in ("data", "demo"):
        for name in manifest.get(key, []):
            if name.endswith(".xml"):
                yield key, addon / name


@pytest.mark.parametrize("addon", ADDONS, ids=lambda p: p.name)
def test_each_record_declared_once_under_its_own_name(addon):
    seen = defaultdict(list)
    redundant = []
    for key, path in _xml_files(addon):
        for record in ET.parse(path).iter("record"):
            xmlid = record.get("id")
            if xmlid.startswith(f"{addon.name}."):
                redundant.append(f"{path.relative_to(ROOT)}: {xmlid}")
                xmlid = xmlid.split(".", 1)[1]
            if "." not in xmlid:
                seen[key, xmlid].append(str(path.relative_to(ROOT)))
    duplicates = {xmlid: paths for (_key, xmlid), paths in seen.items() if len(paths) > 1}
    assert not duplicates, f"record ids declared more than once: {duplicates}"
    assert not redundant, f"records of the addon named with its own prefix: {redundant}"
