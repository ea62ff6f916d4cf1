# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A run of the whole suite (pytest.ini's testpaths) fails when a test file under those
folders gave no test: a collection that silently drops files must not pass as green."""

from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    if config.args_source != pytest.Config.ArgsSource.TESTPATHS:
        return  # the paths were chosen on the command line
    root = Path(config.rootpath)
    patterns = config.getini("python_files")
    files = {
        path.resolve()
        for folder in config.getini("testpaths")
        for pattern in patterns
        for path in (root / folder).rglob(pattern)
    }
    collected = {Path(item.path).resolve() for item in items}
    missing = sorted(str(path.relative_to(root)) for path in files - collected)
    if missing:
        raise pytest.UsageError(
            "these test files gave no test (of pytest.ini's testpaths): " + ", ".join(missing)
        )
