# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The deployment files (docker-compose.yml, docker/Dockerfile, odoo.conf) and scripts/run.sh.

docker-compose validates the compose file (no Docker engine needed); Odoo's own configuration
parser reads odoo.conf, in a subprocess so the session's Odoo configuration (pytest-odoo's)
is left alone; run.sh sets up a scratch database as a developer's first run would.
"""

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

# --- docker-compose.yml -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose(project_root, missing_tool):
    """docker-compose's rendering of docker-compose.yml, as a dict (after `config -q` passed)."""
    exe = shutil.which("docker-compose")
    if not exe:
        missing_tool("docker-compose is not installed (apt-get install docker-compose)")
    env = {k: v for k, v in os.environ.items() if k != "POSTGRES_PASSWORD"}
    base = [exe, "--project-directory", str(project_root), "-f", "docker-compose.yml", "config"]
    check = subprocess.run(
        [*base, "-q"],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, f"docker-compose config -q failed:\n{check.stderr}"
    rendered = subprocess.run(
        base, cwd=project_root, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    try:
        import yaml  # noqa: PLC0415 (PyYAML comes with pre-commit, requirements-dev.txt)
    except ImportError:
        missing_tool("PyYAML is not installed in the virtualenv (requirements-dev.txt)")
    return yaml.safe_load(rendered.stdout)


def _volumes(service):
    """{target: (type, source, read_only)} of a rendered service, short or long syntax."""
    found = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            parts = volume.split(":")
            source, target = parts[0], parts[1]
            mode = parts[2] if len(parts) > 2 else "rw"
            kind = "bind" if source.startswith(("/", ".")) else "volume"
            found[target] = (kind, source, "ro" in mode.split(","))
        else:
            found[volume["target"]] = (
                volume.get("type"),
                volume.get("source"),
                bool(volume.get("read_only")),
            )
    return found


def test_compose_services(compose):
    services = compose["services"]
    assert {"odoo", "db"} <= set(services)
    odoo, db = services["odoo"], services["db"]
    assert odoo["build"]["dockerfile"] == "docker/Dockerfile"
    assert db["image"].startswith("postgres:16")
    depends = odoo["depends_on"]
    assert isinstance(depends, dict) and depends["db"]["condition"] == "service_healthy", depends
    assert odoo.get("restart") and db.get("restart")
    for name, service in services.items():
        health = service.get("healthcheck")
        assert health and health.get("test"), f"service {name} has no healthcheck"
    assert "/web/health" in " ".join(services["odoo"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])


def test_compose_ports_only_on_loopback(compose):
    ports = [str(p) for p in compose["services"]["odoo"]["ports"]]
    assert any(p.startswith("127.0.0.1:8069:8069") for p in ports), ports
    assert any(p.startswith("127.0.0.1:8072:8072") for p in ports), ports
    assert all(p.startswith("127.0.0.1:") for p in ports), ports
    assert "ports" not in compose["services"]["db"], "PostgreSQL must not be published"


def test_compose_mounts_and_volumes(compose, project_root):
    odoo = _volumes(compose["services"]["odoo"])
    kind, source, read_only = odoo["/mnt/extra-addons"]
    assert kind == "bind" and source == str(project_root / "addons") and read_only
    kind, source, read_only = odoo["/etc/odoo/odoo.conf"]
    assert kind == "bind" and source == str(project_root / "odoo.conf") and read_only
    named = set(compose.get("volumes") or {})
    kind, source, _ro = odoo["/var/lib/odoo"]
    assert kind == "volume" and source in named, odoo["/var/lib/odoo"]
    kind, source, _ro = _volumes(compose["services"]["db"])["/var/lib/postgresql/data"]
    assert kind == "volume" and source == "pgdata" and "pgdata" in named


def test_compose_matches_odoo_conf(compose, project_root):
    conf = _raw_conf(project_root)
    db_env = compose["services"]["db"]["environment"]
    assert conf["db_host"] == "db"
    assert conf["db_port"] == "5432"
    assert conf["db_user"] == db_env["POSTGRES_USER"]
    # The compose default of ${POSTGRES_PASSWORD:-...} (POSTGRES_PASSWORD unset here).
    assert conf["db_password"] == db_env["POSTGRES_PASSWORD"]
    raw = (project_root / "docker-compose.yml").read_text(encoding="utf-8")
    assert re.search(r"POSTGRES_PASSWORD:\s*\$\{POSTGRES_PASSWORD:-[^}]+\}", raw), (
        "POSTGRES_PASSWORD must come from the environment (.env) with a default"
    )


# --- Dockerfile -------------------------------------------------------------------------------


def test_dockerfile_installs_requirements(project_root):
    dockerfile = (project_root / "docker" / "Dockerfile").read_text(encoding="utf-8")
    instructions = [
        line.strip()
        for line in re.sub(r"\\\n", " ", dockerfile).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert instructions[0] == "FROM odoo:19.0"
    assert "USER root" in instructions
    assert any(
        re.match(r"COPY\s+requirements\.txt\s+/tmp/requirements\.txt$", i) for i in instructions
    ), instructions
    assert any(
        i.startswith("RUN")
        and "pip3 install" in i
        and "--no-cache-dir" in i
        and "--break-system-packages" in i
        and "-r /tmp/requirements.txt" in i
        for i in instructions
    ), instructions
    assert instructions[-1] == "USER odoo", "the image must run as odoo, not root"
    requirements = (project_root / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^python-stdnum==2\.", requirements, re.MULTILINE)
    ignore = (project_root / ".dockerignore").read_text(encoding="utf-8").split()
    assert "!requirements.txt" in ignore or "requirements.txt" not in ignore
    assert "*" in ignore or ".state" in ignore or ".state/" in ignore


# --- odoo.conf --------------------------------------------------------------------------------


def _raw_conf(project_root):
    parser = configparser.RawConfigParser()
    parser.read(project_root / "odoo.conf", encoding="utf-8")
    return dict(parser.items("options"))


PARSE_CONF = textwrap.dedent(
    """
    import json, logging, sys
    messages = []

    class Collect(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    logging.getLogger("odoo.tools.config").addHandler(Collect())
    logging.getLogger("odoo.tools.config").setLevel(logging.DEBUG)
    from odoo.tools import config
    config.parse_config(["-c", sys.argv[1]], setup_logging=False)
    print(json.dumps({
        "file": {k: v for k, v in config._file_options.items()},
        "known": sorted(config.options_index),
        "messages": messages,
    }, default=str))
    """
)


@pytest.fixture(scope="module")
def odoo_conf(project_root, odoo_env):
    """odoo.conf as Odoo 19's parser reads it: {'file': options, 'known': keys, 'messages'}."""
    # Without PG*/ODOO_* variables, which Odoo 19 reads as options too.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "ODOO_"))}
    env["PYTHONPATH"] = str(odoo_env.odoo_path)
    proc = subprocess.run(
        [str(odoo_env.python), "-c", PARSE_CONF, str(project_root / "odoo.conf")],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"Odoo could not parse odoo.conf:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_odoo_conf_parses_without_complaint(odoo_conf, project_root):
    raw = _raw_conf(project_root)
    unknown = set(raw) - set(odoo_conf["known"]) - {"without_demo"}
    assert not unknown, f"keys Odoo 19 does not know: {sorted(unknown)}"
    # The only expected message: /mnt/extra-addons exists in the container, not here.
    messages = [m for m in odoo_conf["messages"] if "/mnt/extra-addons" not in m]
    assert not messages, messages


def test_odoo_conf_values(odoo_conf, project_root):
    raw = _raw_conf(project_root)
    opts = odoo_conf["file"]
    assert raw["addons_path"] == "/mnt/extra-addons"
    assert opts["data_dir"] == "/var/lib/odoo"
    assert opts["proxy_mode"] is True
    assert opts["list_db"] is False
    assert opts["with_demo"] is False
    assert opts["workers"] >= 2, "a deployment runs the multi-process server"
    assert opts["max_cron_threads"] >= 1
    assert 0 < opts["limit_memory_soft"] < opts["limit_memory_hard"]
    assert 0 < opts["limit_time_cpu"] <= opts["limit_time_real"]
    assert opts["limit_request"] > 0
    assert opts["http_interface"] == "0.0.0.0", "inside the container; compose binds loopback"
    assert opts["admin_passwd"] and opts["admin_passwd"] != "admin"
    db_name = opts["db_name"][0]
    assert re.fullmatch(opts["dbfilter"], db_name) and opts["dbfilter"].startswith("^")
    assert not re.fullmatch(opts["dbfilter"], db_name + "_other")


def test_odoo_conf_format_for_the_image_entrypoint(project_root):
    """The odoo image's entrypoint reads db_* with `cut -d " " -f3`; comments sit alone."""
    text = (project_root / "odoo.conf").read_text(encoding="utf-8")
    for key in ("db_host", "db_port", "db_user", "db_password"):
        assert re.search(rf"^{key} = \S+$", text, re.MULTILINE), f"{key} line: 'key = value'"
    for line in text.splitlines():
        if line and not line.startswith((";", "#", "[")):
            assert not re.search(r"\s[;#]", line), f"inline comment becomes the value: {line}"


def test_odoo_conf_comments_on_values_to_change(project_root):
    """Every value an integrator must change is preceded by a CHANGE comment."""
    lines = (project_root / "odoo.conf").read_text(encoding="utf-8").splitlines()
    for key in ("admin_passwd", "db_password", "workers", "dbfilter"):
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
        comment = []
        for line in reversed(lines[:index]):
            if not line.startswith(";"):
                if line.split("=")[0].strip() in ("db_name",):
                    continue  # db_name and dbfilter share their comment
                break
            comment.append(line)
        assert any("CHANGE" in c for c in comment), f"{key} has no CHANGE comment above it"


# --- scripts/run.sh ---------------------------------------------------------------------------


def _password_ok(hashed, password):
    from passlib.context import CryptContext

    return CryptContext(schemes=["pbkdf2_sha512", "plaintext"]).verify(password, hashed)


@pytest.mark.slow
def test_run_sh_sets_up_a_database(project_root, odoo_env, scratch_db, pg_connect):
    """`scripts/run.sh --no-serve` creates the database with demo data and Indonesian, then
    upgrades it on a second run; the logins it prints work."""
    db = scratch_db("run")
    env = dict(os.environ, PEMKAB_DB=db)
    run = [str(project_root / "scripts" / "run.sh"), "--no-serve"]

    first = subprocess.run(
        run, cwd=project_root, env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    out = first.stdout + first.stderr
    assert first.returncode == 0, f"run.sh failed:\n{out[-5000:]}"
    assert "http://127.0.0.1:8069" in out
    after = out.split("Logins (the password is the login):\n", 1)[-1]
    printed = re.findall(r"^ {4}(\S+)$", after.split("\n\n", 1)[0], re.MULTILINE)
    assert printed and printed[0] == "admin", out[-3000:]

    conn = pg_connect(db)
    with conn.cursor() as cr:
        cr.execute("SELECT code FROM res_lang WHERE active")
        assert "id_ID" in {code for (code,) in cr.fetchall()}
        cr.execute("SELECT name, state, demo FROM ir_module_module WHERE name LIKE 'pemkab\\_%%'")
        modules = {name: (state, demo) for name, state, demo in cr.fetchall()}
        cr.execute(
            "SELECT login, password FROM res_users WHERE active AND login = ANY(%s)", [printed]
        )
        users = dict(cr.fetchall())
    expected = (os.environ.get("PEMKAB_ADDONS") or "").split(",")
    expected = [a for a in expected if a] or [
        a
        for a in ("pemkab_delivery", "pemkab_health", "pemkab_social")
        if (project_root / "addons" / a / "__manifest__.py").exists()
    ]
    for addon in expected:
        assert modules.get(addon) == ("installed", True), f"{addon}: {modules.get(addon)}"
    assert len(printed) > 1, "no demo user printed"
    assert set(users) == set(printed), (
        f"printed logins missing in {db}: {set(printed) - set(users)}"
    )
    wrong = [login for login, hashed in users.items() if not _password_ok(hashed, login)]
    assert not wrong, f"these logins do not take their login as password: {wrong}"

    second = subprocess.run(
        run, cwd=project_root, env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    out = second.stdout + second.stderr
    assert second.returncode == 0, f"run.sh on the existing database failed:\n{out[-5000:]}"
    assert "upgrading" in out


def test_run_sh_rejects_unknown_arguments(project_root):
    proc = subprocess.run(
        [str(project_root / "scripts" / "run.sh"), "--bogus"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "--no-serve" in proc.stderr


def test_scripts_are_executable(project_root):
    for name in ("run.sh", "test.sh"):
        assert os.access(project_root / "scripts" / name, os.X_OK), name
    if sys.platform.startswith("linux") and shutil.which("bash"):
        proc = subprocess.run(
            ["bash", "-n", str(project_root / "scripts" / "run.sh")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
