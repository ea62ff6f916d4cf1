# shellcheck shell=bash
# Shared helpers for scripts/run.sh and scripts/test.sh. Source it, do not run it.
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
# write_odoo_conf DB FILE: a config file for database DB (after require_venv/require_postgres).
write_odoo_conf() {
    local db=$1 conf=$2
    cat > "$conf" <<CONF
[options]
addons_path = $ODOO_ADDONS_PATH
data_dir = $PEMKAB_STATE_DIR/filestore
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_name = $db
dbfilter = ^$db\$
list_db = False
http_interface = 127.0.0.1
max_cron_threads = 0
workers = 0
CONF
    if [[ -n "${PGPASSWORD:-}" ]]; then echo "db_password = $PGPASSWORD" >> "$conf"; fi
}
