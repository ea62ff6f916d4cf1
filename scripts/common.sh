# shellcheck shell=bash
# Shared helpers of the scripts under scripts/. Source it, do not run it.
#
# Settings (environment variables, all optional):
#   ODOO_PATH         an Odoo 19.0 tree (odoo-bin, odoo/, addons/, requirements.txt).
#                     Default: /opt/odoo-19.0
#   PEMKAB_STATE_DIR  where the virtualenv, the private PostgreSQL cluster and Odoo's
#                     filestore live. Default: <project>/.state (ignored by git)
#   PEMKAB_VENV       the virtualenv. Default: $PEMKAB_STATE_DIR/venv
#   PGHOST, PGPORT, PGUSER, PGPASSWORD
#                     a PostgreSQL server you configured. When PGHOST is unset, a private
#                     cluster is created under $PEMKAB_STATE_DIR/pg and started on
#                     127.0.0.1:$PEMKAB_PG_PORT (default 54329) from the installed
#                     PostgreSQL binaries (pg_config --bindir).
#   PYTHON            the Python 3.10-3.12 interpreter for the virtualenv. Default: python3

set -o errexit -o nounset -o pipefail

PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PATH=${ODOO_PATH:-/opt/odoo-19.0}
PEMKAB_STATE_DIR=${PEMKAB_STATE_DIR:-$PROJECT_ROOT/.state}
PEMKAB_VENV=${PEMKAB_VENV:-$PEMKAB_STATE_DIR/venv}
PEMKAB_PG_PORT=${PEMKAB_PG_PORT:-54329}
PYTHON=${PYTHON:-python3}

log() { printf '\033[1m[pemkab]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[pemkab] error:\033[0m %s\n' "$1" >&2; exit "${2:-2}"; }

# --- Odoo tree -----------------------------------------------------------------------------
require_odoo() {
    local release="$ODOO_PATH/odoo/release.py"
    if [[ ! -f "$release" || ! -f "$ODOO_PATH/odoo-bin" ]]; then
        die "no Odoo 19.0 tree found at ODOO_PATH=$ODOO_PATH (looked for odoo-bin and odoo/release.py).
  Provide one, then run this again:
    - git clone --depth 1 -b 19.0 https://github.com/odoo/odoo /opt/odoo-19.0
      (or anywhere, with ODOO_PATH=/that/path), or
    - copy it out of the official image:
      docker create --name o odoo:19.0 && docker cp o:/usr/lib/python3/dist-packages/odoo /opt/odoo-19.0/odoo
      (in that layout the addons are inside odoo/addons; add an empty /opt/odoo-19.0/addons and odoo-bin)" 3
    fi
    local major
    major=$(sed -n 's/^version_info = (\([0-9]*\),.*/\1/p' "$release")
    [[ "$major" == 19 ]] || die "the Odoo tree at $ODOO_PATH is version $major, not 19.0" 3
    ODOO_ADDONS_PATH="$PROJECT_ROOT/addons"
    [[ -d "$ODOO_PATH/addons" ]] && ODOO_ADDONS_PATH="$ODOO_ADDONS_PATH,$ODOO_PATH/addons"
    export ODOO_PATH ODOO_ADDONS_PATH
}

# --- Python virtualenv ----------------------------------------------------------------------
# Odoo's requirements.txt pins psycopg2 (a source build) and, on Python 3.11, cbor2 5.4.2 (does
# not build): we take psycopg2-binary at the same version and cbor2 5.6.2. python-stdnum comes
# from our requirements.txt (2.x has stdnum.id.nik). python-ldap (a C build needing libldap
# headers) serves only auth_ldap, which this project does not use: left out.
_odoo_requirements() {
    sed -E \
        -e 's/^psycopg2==/psycopg2-binary==/' \
        -e "s/^cbor2==5\.4\.2 *;.*/cbor2==5.6.2 ; python_version < '3.12'/" \
        -e '/^python-stdnum==/d' \
        -e '/^python-ldap==/d' \
        "$ODOO_PATH/requirements.txt"
}

require_venv() {
    require_odoo
    mkdir -p "$PEMKAB_STATE_DIR"
    local stamp="$PEMKAB_VENV/.pemkab-requirements" want
    want=$( { _odoo_requirements; cat "$PROJECT_ROOT/requirements.txt" "$PROJECT_ROOT/requirements-dev.txt"; } | sha256sum | cut -d' ' -f1)
    if [[ ! -x "$PEMKAB_VENV/bin/python" ]]; then
        log "creating the virtualenv $PEMKAB_VENV"
        "$PYTHON" -m venv "$PEMKAB_VENV"
    fi
    if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
        log "installing Python dependencies (Odoo's requirements.txt and ours)"
        _odoo_requirements > "$PEMKAB_STATE_DIR/odoo-requirements.txt"
        "$PEMKAB_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.3.1" "setuptools<81" wheel 2> >(grep -v 'is ignored: it is neither' >&2)
        "$PEMKAB_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
            -r "$PEMKAB_STATE_DIR/odoo-requirements.txt" \
            -r "$PROJECT_ROOT/requirements.txt" \
            -r "$PROJECT_ROOT/requirements-dev.txt" 2> >(grep -v 'is ignored: it is neither' >&2)
        echo "$want" > "$stamp"
    fi
    export PATH="$PEMKAB_VENV/bin:$PATH"
    ODOO_BIN=("$PEMKAB_VENV/bin/python" "$ODOO_PATH/odoo-bin")
}

# --- Chromium (the browser tests) ------------------------------------------------------------
# Odoo's browser tests (the tours of addons/*/tests/test_tours.py) drive a headless Chrome or
# Chromium, which Odoo looks up on PATH under these names.
CHROME_NAMES=(google-chrome chromium chromium-browser google-chrome-stable)

have_chromium() {
    local name
    for name in "${CHROME_NAMES[@]}"; do
        command -v "$name" >/dev/null 2>&1 && return 0
    done
    return 1
}

# require_chromium: install Debian's chromium when none is found and we are root with apt-get;
# otherwise say so: the browser tests then skip, or fail under PEMKAB_STRICT=1.
require_chromium() {
    have_chromium && return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing Chromium (Debian's package) for the browser tests"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 || true
        have_chromium && return 0
    fi
    log "no Chromium found (apt-get install chromium): the browser tests will $([[ "${PEMKAB_STRICT:-}" == 1 ]] && echo fail || echo be skipped)"
}

# --- wkhtmltopdf and pdftotext (the papers) ---------------------------------------------------
# Odoo prints its PDF reports with wkhtmltopdf; the paper tests read them back with poppler's
# pdftotext (addons/*/tests/test_papers.py).
have_pdf_tools() {
    command -v wkhtmltopdf >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1
}

# require_pdf_tools: install Debian's wkhtmltopdf and poppler-utils when missing and we are root
# with apt-get; otherwise say so: the paper tests then fail (they never skip), and under
# PEMKAB_STRICT=1 the run stops here.
require_pdf_tools() {
    have_pdf_tools && return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing wkhtmltopdf and poppler-utils (Debian's packages) for the papers"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf poppler-utils) >/dev/null 2>&1 || true
        have_pdf_tools && return 0
    fi
    if [[ "${PEMKAB_STRICT:-}" == 1 ]]; then
        die "no wkhtmltopdf or pdftotext found (apt-get install wkhtmltopdf poppler-utils): the paper tests cannot run" 5
    fi
    log "no wkhtmltopdf or pdftotext found (apt-get install wkhtmltopdf poppler-utils): the paper tests will fail"
}

# --- PostgreSQL -----------------------------------------------------------------------------
_as_pg_owner() {
    # The PostgreSQL server refuses to run as root: use the postgres account then.
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

require_postgres() {
    if [[ -n "${PGHOST:-}" ]]; then
        export PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-odoo}
        command -v pg_isready >/dev/null && { pg_isready -q -h "$PGHOST" -p "$PGPORT" ||
            die "the PostgreSQL server you configured (PGHOST=$PGHOST PGPORT=$PGPORT) does not answer" 4; }
        DB_ARGS=(--db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER")
        [[ -n "${PGPASSWORD:-}" ]] && DB_ARGS+=(--db_password="$PGPASSWORD")
        return 0
    fi
    local bindir
    bindir=$(pg_config --bindir 2>/dev/null || true)
    [[ -n "$bindir" && -x "$bindir/initdb" ]] || bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [[ -n "$bindir" && -x "$bindir/initdb" ]] || die "no PostgreSQL found: set PGHOST (and PGPORT, PGUSER, PGPASSWORD) to a server you run, or install the PostgreSQL server (e.g. apt-get install postgresql) so that a private cluster can be started" 4
    local pgdir="$PEMKAB_STATE_DIR/pg"
    if [[ $(id -u) == 0 ]]; then
        mkdir -p "$pgdir"
        chown postgres: "$pgdir"
        if ! runuser -u postgres -- test -w "$pgdir"; then
            # the project lies where the postgres account cannot reach (under /root, say)
            pgdir="/var/tmp/pemkab-pg-$(printf '%s' "$PEMKAB_STATE_DIR" | sha256sum | cut -c1-12)"
            log "the postgres account cannot reach $PEMKAB_STATE_DIR: the cluster lives in $pgdir"
        fi
    fi
    if [[ ! -f "$pgdir/data/PG_VERSION" ]]; then
        log "creating a private PostgreSQL cluster in $pgdir"
        mkdir -p "$pgdir/data" "$pgdir/run"
        [[ $(id -u) == 0 ]] && chown -R postgres: "$pgdir"
        _as_pg_owner "$bindir/initdb" --pgdata="$pgdir/data" --username=odoo --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1 ||
            die "initdb failed, see $pgdir/initdb.log" 4
    fi
    if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$PEMKAB_PG_PORT"; then
        log "starting PostgreSQL on 127.0.0.1:$PEMKAB_PG_PORT"
        _as_pg_owner "$bindir/pg_ctl" --pgdata="$pgdir/data" --log="$pgdir/server.log" --wait \
            -o "-c listen_addresses=127.0.0.1 -p $PEMKAB_PG_PORT -k $pgdir/run -c max_connections=200" \
            start >/dev/null || die "PostgreSQL did not start, see $pgdir/server.log" 4
    fi
    export PGHOST=127.0.0.1 PGPORT=$PEMKAB_PG_PORT PGUSER=odoo
    DB_ARGS=(--db_host=127.0.0.1 --db_port="$PEMKAB_PG_PORT" --db_user=odoo)
    PG_BINDIR=$bindir
}

# --- Odoo configuration for a local database -------------------------------------------------
# write_odoo_conf DB FILE [KEY=VALUE ...]: a config file for database DB (after
# require_venv/require_postgres); each KEY=VALUE adds an option or replaces the default's.
# Local runs never read the deployment's odoo.conf (its paths and limits are the container's).
write_odoo_conf() {
    local db=$1 conf=$2 pair key
    shift 2
    local -a keys=(addons_path data_dir db_host db_port db_user db_name dbfilter list_db
        http_interface max_cron_threads workers)
    local -A value=(
        [addons_path]=$ODOO_ADDONS_PATH [data_dir]=$PEMKAB_STATE_DIR/filestore
        [db_host]=$PGHOST [db_port]=$PGPORT [db_user]=$PGUSER [db_name]=$db
        [dbfilter]="^$db\$" [list_db]=False [http_interface]=127.0.0.1
        [max_cron_threads]=0 [workers]=0
    )
    if [[ -n "${PGPASSWORD:-}" ]]; then keys+=(db_password); value[db_password]=$PGPASSWORD; fi
    for pair in "$@"; do
        key=${pair%%=*}
        [[ -v "value[$key]" ]] || keys+=("$key")
        value[$key]=${pair#*=}
    done
    (
        umask 077  # it may hold PGPASSWORD
        {
            echo "[options]"
            for key in "${keys[@]}"; do echo "$key = ${value[$key]}"; done
        } > "$conf"
    )
}

# --- Usage and checked Odoo runs ---------------------------------------------------------------
# usage [EXIT_CODE]: print the script's header comment (line 2 up to `source`), exit.
usage() {
    local text
    text=$(sed -n '2,/^source /{/^source /d;s/^# \{0,1\}//;p}' "$0")
    if [[ "${1:-0}" == 0 ]]; then printf '%s\n' "$text"; else printf '%s\n' "$text" >&2; fi
    exit "${1:-0}"
}

# odoo_checked LOG WHAT COMMAND...: run COMMAND (an odoo-bin invocation), its output also to
# LOG; die unless it exits 0 and logs no ERROR/CRITICAL line (Odoo may exit 0 after a module
# failed to load, and only warns when demo data fails).
odoo_checked() {
    local log=$1 what=$2 rc
    shift 2
    set +o errexit
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -o errexit
    if ((rc != 0)) || grep -Eq '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) |demo data failed to install|Unable to (install|upgrade) module' "$log"; then
        die "$what failed (exit code $rc), see $log" 1
    fi
}

# --- Operations scripts (install, upgrade, backup, restore): local cluster or docker-compose ----
# parse_ops_args "$@": --compose, -d/--database DB, -h/--help; sets OPS_MODE (local|compose),
# OPS_FLAGS (--compose or nothing, to pass on), OPS_DB, and OPS_REST (the other arguments, in
# order, for the script itself).
# shellcheck disable=SC2034 # OPS_* are used by the scripts that source this file
parse_ops_args() {
    # shellcheck disable=SC2034 # used by the scripts that source this file
    OPS_MODE=local OPS_FLAGS=() OPS_DB=${PEMKAB_DB:-} OPS_REST=()
    while (($#)); do
        case "$1" in
            --compose) OPS_MODE=compose OPS_FLAGS=(--compose) ;;
            -d | --database)
                [[ $# -ge 2 ]] || { printf '%s needs a database name\n\n' "$1" >&2; usage 2; }
                OPS_DB=$2
                shift
                ;;
            -h | --help) usage ;;
            *) OPS_REST+=("$1") ;;
        esac
        shift
    done
    if [[ -z "$OPS_DB" ]]; then
        # The deployment's database is odoo.conf's db_name; a local one defaults to "pemkab".
        [[ "$OPS_MODE" == compose ]] && OPS_DB=$(sed -n 's/^db_name = //p' "$PROJECT_ROOT/odoo.conf")
        OPS_DB=${OPS_DB:-pemkab}
    fi
    [[ "$OPS_DB" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "$OPS_DB is not a valid database name"
}

# compose ARGS...: docker-compose (v1) or `docker compose` (v2) on the project's file.
compose() {
    if command -v docker-compose >/dev/null 2>&1; then
        docker-compose --project-directory "$PROJECT_ROOT" -f "$PROJECT_ROOT/docker-compose.yml" "$@"
    else
        docker compose --project-directory "$PROJECT_ROOT" -f "$PROJECT_ROOT/docker-compose.yml" "$@"
    fi
}

# The services of docker-compose.yml that run Odoo (stopped around an upgrade or a restore).
ODOO_SERVICES=(odoo web cron)

require_compose() {
    command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 ||
        die "neither docker-compose nor 'docker compose' is installed" 3
    [[ -f "$PROJECT_ROOT/.env" ]] ||
        die "no $PROJECT_ROOT/.env: create it first (README, Deployment with docker-compose, step 1)" 3
}

# dotenv_value NAME: NAME from the environment, else from .env (KEY=VALUE lines), else empty.
dotenv_value() {
    local name=$1 line
    if [[ -n "${!name:-}" ]]; then printf '%s' "${!name}"; return 0; fi
    [[ -f "$PROJECT_ROOT/.env" ]] || return 0
    line=$(sed -n "s/^[[:space:]]*$name=//p" "$PROJECT_ROOT/.env" | tail -n 1)
    line=${line%\"}; line=${line#\"}; line=${line%\'}; line=${line#\'}
    printf '%s' "$line"
}

# require_admin_password: export PEMKAB_ADMIN_PASSWORD (environment, else .env in compose mode),
# or die when it is missing, shorter than 12 characters or "admin".
require_admin_password() {
    if [[ "$OPS_MODE" == compose ]]; then
        PEMKAB_ADMIN_PASSWORD=$(dotenv_value PEMKAB_ADMIN_PASSWORD)
    else
        PEMKAB_ADMIN_PASSWORD=${PEMKAB_ADMIN_PASSWORD:-}
    fi
    if ((${#PEMKAB_ADMIN_PASSWORD} < 12)) || [[ "${PEMKAB_ADMIN_PASSWORD,,}" == admin ]]; then
        # shellcheck disable=SC2016 # the command is shown, not run
        die "set PEMKAB_ADMIN_PASSWORD (in .env for --compose), 12 characters at least and not 'admin', e.g. PEMKAB_ADMIN_PASSWORD=\$(openssl rand -hex 12)"
    fi
    export PEMKAB_ADMIN_PASSWORD
}

# running_odoo_services: those of ODOO_SERVICES whose containers run now (compose mode).
running_odoo_services() {
    compose ps --services --filter status=running 2>/dev/null |
        grep -Fx -e "${ODOO_SERVICES[0]}" -e "${ODOO_SERVICES[1]}" -e "${ODOO_SERVICES[2]}" || true
}

# ops_local_setup: the virtualenv, PostgreSQL and a config file for OPS_DB (local mode); sets
# OPS_CONF and OPS_FILESTORE (the database's filestore directory).
ops_local_setup() {
    require_venv
    require_postgres
    # The client tools (psql, pg_dump, pg_restore) of the private cluster when not on PATH.
    if [[ -n "${PG_BINDIR:-}" ]]; then export PATH="$PATH:$PG_BINDIR"; fi
    OPS_CONF="$PEMKAB_STATE_DIR/ops-$OPS_DB.conf"
    write_odoo_conf "$OPS_DB" "$OPS_CONF"
    # shellcheck disable=SC2034
    OPS_FILESTORE="$PEMKAB_STATE_DIR/filestore/filestore/$OPS_DB"
}

# ops_psql SQL: run SQL in OPS_DB (unaligned, tuples only), locally or in the db container.
ops_psql() {
    if [[ "$OPS_MODE" == compose ]]; then
        compose exec -T db psql -X -q -At -v ON_ERROR_STOP=1 -U odoo -d "$OPS_DB" -c "$1"
    else
        psql -X -q -At -v ON_ERROR_STOP=1 -d "$OPS_DB" -c "$1"
    fi
}

# ops_db_exists: whether OPS_DB exists (psql connects to the maintenance database postgres).
ops_db_exists() {
    local db=$OPS_DB found
    found=$(OPS_DB=postgres ops_psql "SELECT 1 FROM pg_database WHERE datname = '$db'")
    [[ "$found" == 1 ]]
}

# ops_odoo ARGS...: odoo-bin with ARGS on OPS_DB: locally with OPS_CONF, or a one-off container
# of the odoo service (the image's entrypoint adds the database connection).
ops_odoo() {
    if [[ "$OPS_MODE" == compose ]]; then
        compose run --rm -T odoo odoo "$@"
    else
        "${ODOO_BIN[@]}" "$@" -c "$OPS_CONF"
    fi
}
