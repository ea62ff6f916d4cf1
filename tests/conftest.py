# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fixtures of the project-level tests (deployment files, install/uninstall, lint).

They run inside ``scripts/test.sh``, which exports the environment they need: ``PEMKAB_VENV``,
``PEMKAB_STATE_DIR``, ``ODOO_PATH``, ``ODOO_ADDONS_PATH``, ``PGHOST``/``PGPORT``/``PGUSER`` (and
``PGPASSWORD``), ``PEMKAB_TEST_DB``/``PEMKAB_TEST_CONF``, and ``PEMKAB_STRICT=1`` in CI.

pytest-odoo is active for the whole session (it initialises Odoo on ``PEMKAB_TEST_DB``); these
tests do not use its TransactionCase machinery: they drive Odoo as a subprocess and inspect the
databases with plain psycopg2, so nothing here touches the session's Odoo configuration.

A missing tool (docker-compose, the virtualenv, the environment of scripts/test.sh) fails the
test when ``PEMKAB_STRICT=1`` and skips it, with the reason, otherwise.
"""

import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("PEMKAB_STRICT") == "1"
SCRATCH_PREFIX = "pemkab_scratch_"
# An Odoo log line: "2026-01-01 10:00:00,000 1234 ERROR dbname logger: ...", and one that
# means a failure: ERROR, CRITICAL, or the warning that demo data could not be loaded.
ODOO_LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ [A-Z]+ ")
ODOO_ERROR_LINE = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR |CRITICAL |WARNING .*"
    # Odoo only warns when a module's demo data fails, and goes on without it.
    r"demo data failed to install)"
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: takes tens of seconds (creates Odoo databases); in the default run"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """A run of the whole suite (pytest.ini's testpaths) fails when a test file under those
    folders gave no test: a collection that silently drops files must not pass as green."""
    if config.args_source != pytest.Config.ArgsSource.TESTPATHS:
        return  # the paths were chosen on the command line
    root = Path(config.rootpath)
    patterns = config.getini("python_files")
    files = {
        path.resolve()
        for folder in config.getini("testpaths")
        for pattern in patterns
        for path in (root / folder).rglob(pattern)
        # tests/plain is run apart, with no Odoo importable (scripts/test.sh)
        if "plain" not in path.relative_to(root).parts
    }
    collected = {Path(item.path).resolve() for item in items}
    missing = sorted(str(path.relative_to(root)) for path in files - collected)
    if missing:
        raise pytest.UsageError(
            "these test files gave no test (of pytest.ini's testpaths): " + ", ".join(missing)
        )


def pytest_generate_tests(metafunc):
    # One test per addon of the project for tests taking a ``pemkab_addon`` argument.
    if "pemkab_addon" in metafunc.fixturenames:
        metafunc.parametrize("pemkab_addon", discover_addons())


def missing_tool(reason):
    """Fail under PEMKAB_STRICT=1 (CI must not hide a missing tool), skip otherwise."""
    if STRICT:
        pytest.fail(f"{reason} (PEMKAB_STRICT=1: a missing tool is a failure)", pytrace=False)
    pytest.skip(reason)


def discover_addons():
    """Names of the addons under addons/: directories with an installable __manifest__.py."""
    names = []
    for manifest in sorted((PROJECT_ROOT / "addons").glob("*/__manifest__.py")):
        text = manifest.read_text(encoding="utf-8")
        if re.search(r"""["']installable["']\s*:\s*False""", text):
            continue
        names.append(manifest.parent.name)
    return names


@dataclass
class OdooResult:
    args: list
    returncode: int
    output: str

    def error_lines(self, context=2, width=400):
        """The failure lines of the log (ODOO_ERROR_LINE), each with the lines continuing it (the
        PostgreSQL error of a "bad query", a traceback's end...), shortened to ``width``."""
        lines = self.output.splitlines()
        found = []
        for i, line in enumerate(lines):
            if not ODOO_ERROR_LINE.match(line):
                continue
            block = [line]
            for follow in lines[i + 1 : i + 1 + context]:
                if ODOO_LOG_LINE.match(follow):
                    break
                block.append("    " + follow.strip())
            found.append("\n".join(b if len(b) <= width else b[:width] + " [...]" for b in block))
        return found

    def failure(self, what):
        """A description of what went wrong in this run, or None when it went well."""
        errors = self.error_lines()
        if self.returncode == 0 and not errors:
            return None
        # The same error repeated (Odoo retries a failed delete in halves): show it once,
        # keyed on what follows the log line (PostgreSQL's message) when there is something.
        distinct = {}
        for block in errors:
            first, _, rest = block.partition("\n")
            key = re.sub(r"\d+", "N", rest or ODOO_LOG_LINE.sub("", first))[:300]
            distinct.setdefault(key, [block, 0])[1] += 1
        shown = [
            block + (f"\n    (x{count})" if count > 1 else "")
            for block, count in list(distinct.values())[:20]
        ]
        tail = "\n".join(self.output.splitlines()[-30:])
        return (
            f"{what}: odoo-bin exited {self.returncode}, {len(errors)} failure line(s) in its"
            " log (ERROR, CRITICAL, demo data failed)"
            f" ({len(distinct)} distinct)\ncommand: {' '.join(map(str, self.args))}\n"
            + ("errors:\n" + "\n".join(shown) + "\n" if shown else "")
            + f"--- end of the log ---\n{tail}"
        )

    def check(self, what):
        """Fail, with the relevant log lines, unless Odoo exited 0 and logged no failure."""
        failure = self.failure(what)
        if failure:
            pytest.fail(failure, pytrace=False)
        return self


@dataclass
class OdooEnv:
    """What scripts/test.sh exported, with helpers to run odoo-bin against it."""

    venv: Path
    odoo_path: Path
    addons_path: str
    state_dir: Path
    pg: dict

    @property
    def python(self):
        return self.venv / "bin" / "python"

    @property
    def filestore(self):
        return self.state_dir / "filestore"

    def server_args(self):
        return [
            f"--addons-path={self.addons_path}",
            f"--db_host={self.pg['host']}",
            f"--db_port={self.pg['port']}",
            f"--db_user={self.pg['user']}",
            f"--data-dir={self.filestore}",
        ]

    def run_odoo(self, *args, command=None, stdin=None, timeout=900):
        """odoo-bin [command] args + connection args, as a subprocess; returns an OdooResult.

        ``command`` is an odoo-bin subcommand taking the server's options (``shell``); the
        default is the server (``-i``/``-u`` ... ``--stop-after-init``).
        """
        cmd = [str(self.python), str(self.odoo_path / "odoo-bin")]
        if command:
            cmd.append(command)
        cmd += [*map(str, args), *self.server_args()]
        env = dict(os.environ, PYTHONPATH=str(self.odoo_path))
        proc = subprocess.run(
            cmd,
            input=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
            timeout=timeout,
            check=False,
        )
        return OdooResult(cmd, proc.returncode, proc.stdout)

    def connect(self, dbname):
        conn = psycopg2.connect(dbname=dbname, **self.pg)
        conn.autocommit = True
        return conn


@pytest.fixture(scope="session")
def project_root():
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def suite_addons():
    """All the addons of the project (see discover_addons)."""
    return discover_addons()


@pytest.fixture(name="missing_tool", scope="session")
def missing_tool_fixture():
    """missing_tool(reason): fail under PEMKAB_STRICT=1, skip otherwise."""
    return missing_tool


@pytest.fixture(scope="session")
def odoo_env():
    """The environment of scripts/test.sh; fails (strict) or skips without it."""
    needed = ["PEMKAB_VENV", "PEMKAB_STATE_DIR", "ODOO_PATH", "ODOO_ADDONS_PATH", "PGHOST"]
    missing = [name for name in needed if not os.environ.get(name)]
    if missing:
        missing_tool(f"not run by scripts/test.sh: {', '.join(missing)} unset")
    venv = Path(os.environ["PEMKAB_VENV"])
    odoo_path = Path(os.environ["ODOO_PATH"])
    if not (venv / "bin" / "python").exists():
        missing_tool(f"no virtualenv at PEMKAB_VENV={venv}")
    if not (odoo_path / "odoo-bin").exists():
        missing_tool(f"no odoo-bin in ODOO_PATH={odoo_path}")
    pg = {
        "host": os.environ["PGHOST"],
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "odoo"),
    }
    if os.environ.get("PGPASSWORD"):
        pg["password"] = os.environ["PGPASSWORD"]
    return OdooEnv(
        venv=venv,
        odoo_path=odoo_path,
        addons_path=os.environ["ODOO_ADDONS_PATH"],
        state_dir=Path(os.environ["PEMKAB_STATE_DIR"]),
        pg=pg,
    )


@pytest.fixture
def pg_connect(odoo_env):
    """pg_connect(dbname) -> an autocommit psycopg2 connection, closed after the test."""
    conns = []

    def connect(dbname):
        conn = odoo_env.connect(dbname)
        conns.append(conn)
        return conn

    yield connect
    for conn in conns:
        conn.close()


def drop_database(odoo_env, name):
    """Drop a scratch database (closing its sessions) and its filestore."""
    assert name.startswith(SCRATCH_PREFIX), name
    conn = odoo_env.connect("postgres")
    try:
        with conn.cursor() as cr:
            cr.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()
    shutil.rmtree(odoo_env.filestore / "filestore" / name, ignore_errors=True)
    # What scripts/run.sh and the operations scripts write for a database.
    for leftover in (f"run-setup-{name}.log", f"run-{name}.conf", f"ops-{name}.conf"):
        (odoo_env.state_dir / leftover).unlink(missing_ok=True)


@pytest.fixture
def scratch_db(odoo_env):
    """scratch_db(label) -> the name of a new, not yet created, database ``pemkab_scratch_*``.

    Odoo creates it on first use (``-d name -i ...``). Every one is dropped after the test,
    whatever its outcome.
    """
    names = []

    def new(label="db"):
        slug = re.sub(r"[^a-z0-9_]", "_", label.lower())[:30]
        name = f"{SCRATCH_PREFIX}{slug}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        names.append(name)
        return name

    yield new
    for name in names:
        drop_database(odoo_env, name)
