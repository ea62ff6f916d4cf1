# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The deployment files (docker-compose.yml, docker/Dockerfile, odoo.conf) and scripts/run.sh.

docker-compose validates the compose file (no Docker engine needed); Odoo's own configuration
parser reads odoo.conf, in a subprocess so the session's Odoo configuration (pytest-odoo's)
is left alone; run.sh sets up a scratch database as a developer's first run would.
"""

import ast
import configparser
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import textwrap
from pathlib import Path

import psycopg2
import pytest

# --- docker-compose.yml -----------------------------------------------------------------------

# What an integrator's .env holds, with made-up values (the tests never read a real .env).
FAKE_ENV = {"POSTGRES_PASSWORD": "not-a-real-password-0123456789"}
ODOO_SERVICES = ("odoo", "web", "cron")
PROFILES = {"single": [], "scale": ["--profile", "scale"]}


def _compose_run(project_root, missing_tool, tmp_dir, env_values, *args):
    exe = shutil.which("docker-compose")
    if not exe:
        missing_tool("docker-compose is not installed (apt-get install docker-compose)")
    env_file = tmp_dir / f"env-{len(env_values)}"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env_values.items()), encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in FAKE_ENV and k != "PEMKAB_ADMIN_PASSWORD" and not k.startswith("COMPOSE_")
    }
    return subprocess.run(
        [
            exe,
            "--project-directory",
            str(project_root),
            "-f",
            "docker-compose.yml",
            "--env-file",
            str(env_file),
            *args,
        ],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module", params=sorted(PROFILES))
def compose(request, project_root, missing_tool, tmp_path_factory):
    """docker-compose's rendering of docker-compose.yml for a profile, as a dict, once
    `config -q` passed for it. Compose v1 renders every service (v2 those of the profile)."""
    tmp_dir = tmp_path_factory.mktemp("compose")
    profile = PROFILES[request.param]
    check = _compose_run(project_root, missing_tool, tmp_dir, FAKE_ENV, *profile, "config", "-q")
    assert check.returncode == 0, f"docker-compose config -q ({request.param}):\n{check.stderr}"
    rendered = _compose_run(project_root, missing_tool, tmp_dir, FAKE_ENV, *profile, "config")
    assert rendered.returncode == 0, rendered.stderr
    try:
        import yaml  # noqa: PLC0415 (PyYAML comes with pre-commit, requirements-dev.txt)
    except ImportError:
        missing_tool("PyYAML is not installed in the virtualenv (requirements-dev.txt)")
    return yaml.safe_load(rendered.stdout)


def test_compose_refuses_to_start_without_env(project_root, missing_tool, tmp_path):
    """No .env: docker-compose stops and says what to do, it never falls back to a password."""
    for profile in PROFILES.values():
        proc = _compose_run(project_root, missing_tool, tmp_path, {}, *profile, "config", "-q")
        assert proc.returncode != 0, "docker-compose accepted a deployment without .env"
        assert "POSTGRES_PASSWORD" in proc.stderr and ".env" in proc.stderr, proc.stderr
    raw = (project_root / "docker-compose.yml").read_text(encoding="utf-8")
    assert ":-" not in raw, "no default value for a variable of .env"


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


def _env(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def test_compose_services(compose):
    services = compose["services"]
    assert {"odoo", "db"} <= set(services)
    odoo, db = services["odoo"], services["db"]
    assert odoo["build"]["dockerfile"] == "docker/Dockerfile"
    assert db["image"].startswith("postgres:16")
    assert not odoo.get("profiles") and not db.get("profiles"), "the default is one server"
    for name, service in services.items():
        health = service.get("healthcheck")
        assert health and health.get("test"), f"service {name} has no healthcheck"
        assert service.get("restart"), f"service {name} has no restart policy"
        logging = service.get("logging") or {}
        assert logging.get("options", {}).get("max-size"), f"{name}: logs are not rotated"
    for name in ODOO_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", depends
    # The health check asks Odoo for the database too.
    assert "/web/health?db_server_status=1" in " ".join(odoo["healthcheck"]["test"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_compose_scale_profile(compose):
    """Web containers without crons, one cron container without HTTP, a load balancer."""
    services = compose["services"]
    for name in ("web", "cron", "lb"):
        assert services[name].get("profiles") == ["scale"], name
    web, cron = services["web"], services["cron"]
    assert web["image"] == cron["image"] == services["odoo"]["image"]
    assert "--max-cron-threads=0" in web["command"]
    assert "--no-http" in cron["command"] and not any(
        c.startswith("--max-cron-threads=0") for c in cron["command"]
    )
    assert int(cron.get("scale", 1)) == 1, "exactly one container runs the crons"
    assert "db_server_status" in " ".join(services["lb"]["healthcheck"]["test"])
    lb_conf = _volumes(services["lb"])["/etc/nginx/conf.d/default.conf"]
    assert lb_conf[1].endswith("deploy/nginx/lb.conf") and lb_conf[2]


def test_compose_ports_only_on_loopback(compose):
    services = compose["services"]
    for name in ("odoo", "lb"):
        ports = [str(p) for p in services[name]["ports"]]
        assert any(p.startswith("127.0.0.1:8069:8069") for p in ports), ports
        assert any(p.startswith("127.0.0.1:8072:8072") for p in ports), ports
        assert all(p.startswith("127.0.0.1:") for p in ports), ports
    for name in ("db", "web", "cron"):
        assert "ports" not in services[name], f"{name} must not be published"


def test_compose_mounts_and_volumes(compose, project_root):
    named = set(compose.get("volumes") or {})
    for name in ODOO_SERVICES:
        odoo = _volumes(compose["services"][name])
        kind, source, read_only = odoo["/mnt/extra-addons"]
        assert kind == "bind" and source == str(project_root / "addons") and read_only
        kind, source, read_only = odoo["/etc/odoo/odoo.conf"]
        assert kind == "bind" and source == str(project_root / "odoo.conf") and read_only
        # One filestore for every Odoo container.
        assert odoo["/var/lib/odoo"] == ("volume", "odoo-data", False), odoo["/var/lib/odoo"]
    assert "odoo-data" in named
    db = _volumes(compose["services"]["db"])
    assert db["/var/lib/postgresql/data"][:2] == ("volume", "pgdata") and "pgdata" in named
    kind, source, read_only = db["/docker-entrypoint-initdb.d"]
    assert kind == "bind" and source == str(project_root / "docker" / "initdb") and read_only


def test_compose_one_password_from_env(compose, project_root):
    """Odoo's containers and PostgreSQL get the password of .env, the entrypoint's way."""
    db_env = _env(compose["services"]["db"])
    assert db_env["POSTGRES_PASSWORD"] == FAKE_ENV["POSTGRES_PASSWORD"]
    assert db_env["POSTGRES_USER"] != "odoo", "Odoo's role must not be the superuser"
    for name in ODOO_SERVICES:
        env = _env(compose["services"][name])
        assert env["PASSWORD"] == FAKE_ENV["POSTGRES_PASSWORD"], name
        assert (env["HOST"], str(env["PORT"]), env["USER"]) == ("db", "5432", "odoo"), env
        assert not {"PGPASSWORD", "PASSWORD_FILE"} & set(env), "PASSWORD is the one way in"
    raw = _raw_conf(project_root)
    assert not {"db_host", "db_port", "db_user", "db_password"} & set(raw), (
        "a db_* line in odoo.conf wins over the entrypoint's environment"
    )


# --- connections ------------------------------------------------------------------------------


def _option(command, name, default):
    for arg in command or []:
        if arg.startswith(f"--{name}="):
            return int(arg.split("=", 1)[1])
    return default


def _connections(service, conf):
    """The most connections one Odoo container opens: every process's pool at its cap."""
    command = service.get("command") or []
    http = "--no-http" not in command
    workers = _option(command, "workers", int(conf["workers"])) if http else 0
    crons = _option(command, "max-cron-threads", int(conf["max_cron_threads"]))
    maxconn = int(conf["db_maxconn"])
    gevent = int(conf.get("db_maxconn_gevent") or maxconn) if http else 0
    # HTTP workers, cron workers and the main process; the gevent (websocket) process.
    return (workers + crons + 1) * maxconn + gevent


def test_connections_add_up(compose, project_root):
    """max_connections of PostgreSQL covers every Odoo process of each profile at its pool's
    cap, a one-off odoo command (upgrade, shell), a pg_dump and the superuser's reserve."""
    conf = _raw_conf(project_root)
    services = compose["services"]
    command = services["db"]["command"]
    settings = dict(
        arg.split("=", 1)
        for arg in (command if isinstance(command, list) else command.split())
        if "=" in arg
    )
    max_connections = int(settings["max_connections"])
    reserved = int(settings.get("superuser_reserved_connections", 3))
    assert int(conf["workers"]) >= 2 and int(conf["max_cron_threads"]) >= 1
    for profile, names in {"single": ["odoo"], "scale": ["web", "cron"]}.items():
        odoo = sum(
            _connections(services[name], conf) * int(services[name].get("scale", 1))
            for name in names
        )
        need = odoo + int(conf["db_maxconn"]) + 1 + reserved
        assert need <= max_connections, (
            f"profile {profile}: Odoo may open {odoo} connections (+ one-off command, pg_dump,"
            f" superuser reserve = {need}) but PostgreSQL's max_connections is {max_connections}"
        )
    # The arithmetic odoo.conf states is the one checked here.
    text = (project_root / "odoo.conf").read_text(encoding="utf-8")
    assert "(workers + max_cron_threads + 1) * db_maxconn" in text


# --- PostgreSQL's init script: the role odoo --------------------------------------------------


def _pg_bindir():
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and os.path.exists(os.path.join(out.stdout.strip(), "initdb")):
            return out.stdout.strip()
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(candidates[-1]) if candidates else None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_initdb_script_creates_a_role_without_superuser(project_root, missing_tool, request):
    """docker/initdb/10-odoo-role.sh, run as the postgres image runs it on a new cluster:
    the role odoo logs in with POSTGRES_PASSWORD, may create databases, is no superuser, and
    the superuser can no longer log in over the network."""
    bindir = _pg_bindir()
    if not bindir:
        missing_tool("the PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    # Not under tmp_path: the postgres account could not reach pytest's private directory.
    base = Path(tempfile.mkdtemp(prefix="pemkab-initdb-"))
    request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    data, sock, pwfile = base / "data", base / "run", base / "pwfile"
    sock.mkdir()
    pwfile.write_text("initial-superuser-password\n", encoding="utf-8")
    if as_owner:
        for path in (base, sock, pwfile):
            shutil.chown(path, "postgres")
    initdb = subprocess.run(
        [
            *as_owner,
            f"{bindir}/initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={pwfile}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert initdb.returncode == 0, initdb.stderr
    port = _free_port()
    subprocess.run(
        [
            *as_owner,
            f"{bindir}/pg_ctl",
            "-D",
            str(data),
            "-w",
            "-l",
            str(base / "log"),
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sock}",
            "start",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    try:
        password = "pw-from-dot-env-0123"
        env = dict(
            os.environ,
            PGHOST=str(sock),
            PGPORT=str(port),
            POSTGRES_USER="postgres",
            POSTGRES_PASSWORD=password,
            PATH=f"{bindir}:{os.environ['PATH']}",
        )
        env.pop("PGUSER", None)
        env.pop("PGPASSWORD", None)
        script = project_root / "docker" / "initdb" / "10-odoo-role.sh"
        assert os.access(script, os.X_OK), "the postgres image runs executable scripts"
        proc = subprocess.run(
            [
                *as_owner,
                "env",
                *(
                    f"{k}={env[k]}"
                    for k in ("PGHOST", "PGPORT", "POSTGRES_USER", "POSTGRES_PASSWORD", "PATH")
                ),
                str(script),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        tcp = {"host": "127.0.0.1", "port": port, "dbname": "postgres"}
        conn = psycopg2.connect(user="odoo", password=password, **tcp)
        with conn.cursor() as cr:
            cr.execute(
                "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'odoo'"
            )
            assert cr.fetchone() == (False, True, False)
        conn.close()
        for user, secret in (("odoo", "wrong"), ("postgres", "initial-superuser-password")):
            with pytest.raises(psycopg2.OperationalError):
                psycopg2.connect(user=user, password=secret, **tcp).close()
    finally:
        subprocess.run(
            [*as_owner, f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
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


def _odoo_python_json(odoo_env, script, *args):
    """Run ``script`` with the virtualenv's Python and Odoo on its path, without the PG*/ODOO_*
    variables (Odoo 19 reads them as options), and return the JSON of its last line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "ODOO_"))}
    env["PYTHONPATH"] = str(odoo_env.odoo_path)
    options = {"cwd": "/", "env": env, "capture_output": True, "text": True, "timeout": 120}
    proc = subprocess.run(
        [str(odoo_env.python), "-c", script, *map(str, args)], check=False, **options
    )
    assert proc.returncode == 0, f"{script.strip().splitlines()[0]}...:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


CHECK_DEPENDENCY = textwrap.dedent(
    """
    import json, sys
    from unittest import mock
    from odoo.modules.module import MissingDependency, check_python_external_dependency
    refused = {}
    for entry in json.loads(sys.argv[1]):
        check_python_external_dependency(entry)  # the virtualenv has python-stdnum 2.x
        with mock.patch("importlib.metadata.version", return_value="1.19"):
            try:
                check_python_external_dependency(entry)
            except MissingDependency as exc:
                refused[entry] = str(exc)
    print(json.dumps(refused))
    """
)


def test_manifests_declare_python_stdnum_2(project_root, odoo_env):
    """An image with python-stdnum 1.x (Ubuntu's) is refused by Odoo's own dependency check,
    "external dependency is not met", rather than failing on an import in the registry."""
    entries = {}
    for manifest in sorted((project_root / "addons").glob("*/__manifest__.py")):
        data = ast.literal_eval(manifest.read_text(encoding="utf-8"))
        python = data.get("external_dependencies", {}).get("python", [])
        uses = any(
            "stdnum" in path.read_text(encoding="utf-8")
            for path in manifest.parent.rglob("*.py")
            if "tests" not in path.parts and path.name != "__manifest__.py"
        )
        stdnum = [e for e in python if re.match(r"python-stdnum\b", e)]
        if uses:
            assert stdnum, f"{manifest.parent.name} imports stdnum but does not declare it"
        for entry in stdnum:
            assert re.fullmatch(r"python-stdnum>=2(\.\d+)*", entry), entry
            entries[entry] = manifest.parent.name
    assert entries, "no addon declares python-stdnum"
    refused = _odoo_python_json(odoo_env, CHECK_DEPENDENCY, json.dumps(sorted(entries)))
    accepted = set(entries) - set(refused)
    assert not accepted, f"python-stdnum 1.19 accepted by {accepted}"


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
    return _odoo_python_json(odoo_env, PARSE_CONF, project_root / "odoo.conf")


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
    # No master password: the database manager refuses everything (and list_db is off).
    assert raw["admin_passwd"] == ""
    db_name = opts["db_name"][0]
    assert re.fullmatch(opts["dbfilter"], db_name) and opts["dbfilter"].startswith("^")
    assert not re.fullmatch(opts["dbfilter"], db_name + "_other")


def test_odoo_conf_format(project_root):
    """Comments sit on lines of their own (an inline one would become part of the value)."""
    text = (project_root / "odoo.conf").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith((";", "#", "[")):
            assert re.fullmatch(r"[a-z_]+ =( \S.*)?", line), f"not 'key = value': {line}"
            assert not re.search(r"\s[;#]", line), f"inline comment becomes the value: {line}"


def test_odoo_conf_comments_on_values_to_change(project_root):
    """Every value an integrator may have to change is preceded by a CHANGE comment."""
    lines = (project_root / "odoo.conf").read_text(encoding="utf-8").splitlines()
    for key in ("workers", "dbfilter", "limit_memory_hard", "proxy_mode"):
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
        comment = []
        for line in reversed(lines[:index]):
            if not line.startswith(";"):
                if line.split("=")[0].strip() in ("db_name", "limit_memory_soft"):
                    continue  # db_name/dbfilter and the memory limits share their comment
                break
            comment.append(line)
        assert any("CHANGE" in c for c in comment), f"{key} has no CHANGE comment above it"


def test_local_runs_write_their_own_configuration(project_root, odoo_env):
    """scripts/*.sh never hand the container's odoo.conf to a local Odoo, and the file that
    scripts/test.sh wrote with write_odoo_conf parses without a single warning."""
    for script in sorted((project_root / "scripts").glob("*.sh")):
        text = script.read_text(encoding="utf-8")
        assert not re.search(r"-c\s+\S*odoo\.conf|--config[= ]\S*odoo\.conf", text), script.name
    conf = os.environ.get("PEMKAB_TEST_CONF")
    if not conf:
        pytest.fail("PEMKAB_TEST_CONF unset: run this under scripts/test.sh", pytrace=False)
    parsed = _odoo_python_json(odoo_env, PARSE_CONF, conf)
    assert not parsed["messages"], parsed["messages"]
    assert not parsed["file"].get("proxy_mode") and parsed["file"]["workers"] == 0


# --- no secret in a tracked file -------------------------------------------------------------

# Deployment files where a secret could be written: every tracked file outside addons/,
# tests/ and bench/ (the demo users', the tests' and the sandbox's secrets are made up).
SKIPPED = ("addons/", "tests/", "bench/")
# A name saying it is a secret, set to a quoted literal ...
SECRET_QUOTED = re.compile(
    r"""(?i)(password|passwd|secret|token)\w*["']?\s*(=|:\s)\s*["']([^"'$\s{<]{6,})["']"""
)
# ... or, outside Python, to a bare value ending the line (conf, env, YAML, shell).
SECRET_BARE = re.compile(
    r"""(?i)(password|passwd|secret|token)\w*\s*[:=]\s*([^\s"'$\\{<(:?]{6,})\s*$"""
)


def _tracked_files(project_root, missing_tool):
    git = shutil.which("git")
    if not git:
        missing_tool("git is not installed")
    proc = subprocess.run(
        [git, "ls-files", "-z"], cwd=project_root, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        missing_tool(f"not a git checkout: {proc.stderr.strip()}")
    return [name for name in proc.stdout.split("\0") if name]


def test_no_secret_in_a_tracked_file(project_root, missing_tool):
    tracked = _tracked_files(project_root, missing_tool)
    assert not [n for n in tracked if os.path.basename(n).startswith(".env")], ".env is tracked"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=project_root, check=False)
    assert ignored.returncode == 0, ".gitignore must list .env"
    ignore = (project_root / ".dockerignore").read_text(encoding="utf-8").split()
    assert "*" in ignore or ".env" in ignore, ".env must stay out of the build context"
    found = []
    for name in tracked:
        if name.startswith(SKIPPED) or name.endswith((".po", ".pot", ".png")):
            continue
        path = project_root / name
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SECRET_QUOTED.search(line) or (
                not name.endswith(".py") and SECRET_BARE.search(line)
            ):
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "a secret written in a tracked file:\n" + "\n".join(found)
    conf = _raw_conf(project_root)
    assert "db_password" not in conf and conf.get("admin_passwd") == ""


def test_compose_secrets_come_from_env_only(project_root):
    """In docker-compose.yml every password is ${VAR:?message}: no literal, no default."""
    import yaml  # noqa: PLC0415

    raw = yaml.safe_load((project_root / "docker-compose.yml").read_text(encoding="utf-8"))
    checked = 0
    for name, service in raw["services"].items():
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) for item in env)
        for key, value in env.items():
            if re.search(r"PASSWORD|SECRET|TOKEN", key):
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", str(value)), f"{name}: {key}={value}"
                checked += 1
    assert checked >= 2


# --- reverse proxy, logs ----------------------------------------------------------------------


def test_reverse_proxy_example(project_root):
    text = (project_root / "deploy" / "nginx" / "pemkab.conf").read_text(encoding="utf-8")
    assert re.search(r"location /websocket \{[^}]*proxy_pass http://pemkab_odoo_websocket;", text)
    assert "server 127.0.0.1:8072;" in text and "server 127.0.0.1:8069;" in text
    for location in re.findall(r"location [^{]+\{([^}]*)\}", text):
        # proxy_set_header in a location drops the inherited ones: each says them all.
        for header in ("X-Forwarded-Host", "X-Forwarded-For", "X-Forwarded-Proto"):
            assert f"proxy_set_header {header}" in location, (header, location)
    websocket = re.search(r"location /websocket \{([^}]*)\}", text).group(1)
    assert "proxy_set_header Upgrade $http_upgrade;" in websocket
    assert "proxy_set_header Connection $pemkab_connection_upgrade;" in websocket
    for timeout in ("proxy_read_timeout", "proxy_send_timeout", "proxy_connect_timeout"):
        assert re.search(rf"^\s*{timeout}\s+\d+s;", text, re.MULTILINE), timeout
    assert "listen 443 ssl" in text and "return 301 https://" in text
    lb = (project_root / "deploy" / "nginx" / "lb.conf").read_text(encoding="utf-8")
    assert "listen 8069;" in lb and "listen 8072;" in lb and "resolver 127.0.0.11" in lb
    assert "http://web:8069" in lb and "http://web:8072" in lb
    logrotate = (project_root / "deploy" / "logrotate" / "pemkab-nginx").read_text(encoding="utf-8")
    assert logrotate.startswith("#") and "/var/log/nginx/pemkab/*.log {" in logrotate
    assert "/var/log/nginx/pemkab/" in text and "rotate " in logrotate


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
    assert "/mnt/extra-addons" not in out, "run.sh read the container's odoo.conf"

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


OPS_SCRIPTS = ("install.sh", "set-admin-password.sh", "upgrade.sh", "backup.sh", "restore.sh")


def test_scripts_are_executable(project_root, missing_tool):
    scripts = ["run.sh", "test.sh", *OPS_SCRIPTS]
    for name in scripts:
        assert os.access(project_root / "scripts" / name, os.X_OK), name
    if not shutil.which("bash"):
        missing_tool("bash is not installed")
    for name in [*scripts, "common.sh"]:
        proc = subprocess.run(
            ["bash", "-n", str(project_root / "scripts" / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, f"{name}: {proc.stderr}"


def test_ops_scripts_pass_shellcheck(project_root, missing_tool):
    """The compose paths cannot run here: shellcheck reads them (run.sh and test.sh predate
    it and are left out)."""
    exe = shutil.which("shellcheck")
    if not exe:
        missing_tool("shellcheck is not installed (apt-get install shellcheck)")
    files = [f"scripts/{name}" for name in (*OPS_SCRIPTS, "common.sh")]
    files.append("docker/initdb/10-odoo-role.sh")
    proc = subprocess.run(
        [exe, "-x", "-P", "SCRIPTDIR", "--severity=warning", *files],
        cwd=project_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("name", OPS_SCRIPTS)
def test_ops_scripts_print_usage(project_root, name):
    proc = subprocess.run(
        [str(project_root / "scripts" / name), "-h"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"scripts/{name}" in proc.stdout and "--compose" in proc.stdout, proc.stdout
    bogus = subprocess.run(
        [str(project_root / "scripts" / name), "--bogus"],
        env={k: v for k, v in os.environ.items() if k != "PEMKAB_ADMIN_PASSWORD"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bogus.returncode == 2, bogus.stderr


@pytest.mark.parametrize("value", [None, "", "admin", "too-short"])
def test_install_refuses_without_an_admin_password(project_root, value):
    """Before creating anything: no value, an empty, the default or a short one."""
    env = {k: v for k, v in os.environ.items() if k != "PEMKAB_ADMIN_PASSWORD"}
    if value is not None:
        env["PEMKAB_ADMIN_PASSWORD"] = value
    proc = subprocess.run(
        [str(project_root / "scripts" / "install.sh"), "-d", "pemkab_scratch_never_created"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2 and "PEMKAB_ADMIN_PASSWORD" in proc.stderr, proc.stderr
