#!/usr/bin/env bash
# Set up the suite in a local database and serve it on http://127.0.0.1:8069.
#
#   scripts/run.sh              # create (or upgrade) the database, then serve it
#   scripts/run.sh --no-serve   # set up and exit (the tests use it)
#   scripts/run.sh --reset      # drop the database and its filestore first, then as above
#
# A new database gets the addons with their demo data and Indonesian (id_ID) loaded; an
# existing one gets them upgraded (-u), and installed if one is missing. Then, if the courier
# sandbox exists (addons/pemkab_delivery/sandbox/courier_sandbox.py), it is started on
# 127.0.0.1:8070 (PEMKAB_SANDBOX_PORT), the demo's sandbox account is pointed at it, and it is
# stopped when Odoo stops.
#
# Settings (environment variables, all optional; see scripts/common.sh for the others):
#   PEMKAB_DB         the database. Default: pemkab
#   PEMKAB_ADDONS     comma-separated addons to install. Default: those of pemkab_delivery,
#                     pemkab_health, pemkab_social present under addons/
#   PEMKAB_HTTP_PORT  Odoo's port on 127.0.0.1. Default: 8069
#   PEMKAB_LANGS      languages to load (--load-language). Default: id_ID. On a new database
#                     the first one becomes the default language: id_ID,en_US keeps English
#   PEMKAB_SANDBOX_PORT  the courier sandbox's port on 127.0.0.1. Default: 8070 (the demo's
#                     sandbox account, on loopback, is pointed at it)
#
# The sandbox posts its GoSend-like, Grab-like and Biteship-like webhooks to the courier
# provider of the database that books through it (pemkab.courier.provider of kind
# sandbox/gosend/grab/biteship whose
# base URL is the sandbox: the demo data has one), i.e. /pemkab_delivery/webhook/<provider id>,
# signed with that provider's webhook secret.
source "$(dirname "$0")/common.sh"

serve=1 reset=0
for arg in "$@"; do
    case "$arg" in
        --no-serve) serve=0 ;;
        --reset) reset=1 ;;
        -h | --help) usage ;;
        *) printf 'unknown argument: %s\n\n' "$arg" >&2; usage 2 ;;
    esac
done

db=${PEMKAB_DB:-pemkab}
[[ "$db" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "PEMKAB_DB=$db is not a valid database name"
http_port=${PEMKAB_HTTP_PORT:-8069}
sandbox_port=${PEMKAB_SANDBOX_PORT:-8070}
langs=${PEMKAB_LANGS:-id_ID}

if [[ -n "${PEMKAB_ADDONS:-}" ]]; then
    ADDONS=$PEMKAB_ADDONS
    for addon in ${ADDONS//,/ }; do
        [[ -f "$PROJECT_ROOT/addons/$addon/__manifest__.py" ]] ||
            die "PEMKAB_ADDONS names $addon, but there is no addons/$addon/__manifest__.py"
    done
else
    ADDONS=
    for addon in pemkab_delivery pemkab_health pemkab_social; do
        [[ -f "$PROJECT_ROOT/addons/$addon/__manifest__.py" ]] && ADDONS+="${ADDONS:+,}$addon"
    done
    [[ -n "$ADDONS" ]] || die "no addon found under $PROJECT_ROOT/addons"
fi

require_venv
require_postgres
# The client tools (psql, dropdb) of the private cluster when they are not on PATH.
[[ -n "${PG_BINDIR:-}" ]] && export PATH="$PATH:$PG_BINDIR"

# A configuration of its own (odoo.conf is the container's): no production path, limit or
# proxy_mode here, and the database connection of require_postgres.
conf="$PEMKAB_STATE_DIR/run-$db.conf"
write_odoo_conf "$db" "$conf" "http_port=$http_port" "max_cron_threads=1"
local_args=(-c "$conf")

sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

db_exists() {
    [[ "$(sql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" == 1 ]]
}

db_initialised() {
    [[ "$(sql -d "$db" -c "SELECT to_regclass('public.ir_module_module') IS NOT NULL")" == t ]]
}

if ((reset)) && db_exists; then
    log "dropping the database $db (--reset)"
    dropdb --force "$db"
fi
((reset)) && rm -rf "$PEMKAB_STATE_DIR/filestore/filestore/$db"

setup_args=(--stop-after-init --log-level=warn --load-language="$langs" -i "$ADDONS")
if db_exists && db_initialised; then
    log "upgrading $ADDONS in the database $db"
    setup_args+=(-u "$ADDONS")
else
    log "creating the database $db with $ADDONS, demo data and $langs (takes a minute)"
    setup_args+=(--with-demo)
fi
setup_log="$PEMKAB_STATE_DIR/run-setup-$db.log"
odoo_checked "$setup_log" "setting up $db" "${ODOO_BIN[@]}" "${local_args[@]}" "${setup_args[@]}"
not_installed=$(sql -d "$db" -c "SELECT string_agg(name, ',') FROM ir_module_module
    WHERE name = ANY(string_to_array('$ADDONS', ',')) AND state <> 'installed'")
[[ -z "$not_installed" ]] || die "not installed in $db after the setup: $not_installed" 1

# The demo users whose password is their login, from the installed addons' demo files.
demo_logins() {
    "$PEMKAB_VENV/bin/python" - "$PROJECT_ROOT/addons" "${ADDONS//,/ }" <<'PY'
import glob
import os
import sys
import xml.etree.ElementTree as ET

root, addons = sys.argv[1], sys.argv[2].split()
for addon in addons:
    for path in sorted(glob.glob(os.path.join(root, addon, "demo", "*.xml"))):
        try:
            tree = ET.parse(path)
        except ET.ParseError as exc:
            print(f"cannot read {path}: {exc}", file=sys.stderr)
            continue
        for record in tree.iter("record"):
            if record.get("model") != "res.users":
                continue
            fields = {f.get("name"): (f.text or "").strip() for f in record.findall("field")}
            if fields.get("login") and fields.get("password") == fields["login"]:
                print(fields["login"])
PY
}
logins=$(demo_logins)

url="http://127.0.0.1:$http_port"
{
    printf '\n  Odoo 19, database %s: %s\n' "$db" "$url"
    printf '  Logins (the password is the login):\n'
    printf '    admin\n'
    while read -r login; do [[ -n "$login" ]] && printf '    %s\n' "$login"; done <<<"$logins"
    if ((serve)); then
        # the demo company sends its SMS to the sandbox's gateway (pemkab_delivery/demo/res_users_demo.xml)
        printf '  SMS the demo sent (SMS gateway of the courier sandbox): http://127.0.0.1:%s/sms\n' \
            "$sandbox_port"
    fi
    printf '\n'
} >&2

if ((!serve)); then
    log "the database $db is ready (--no-serve)"
    exit 0
fi

# --- Courier sandbox ---------------------------------------------------------------------------
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_open "$http_port" && die "something already listens on 127.0.0.1:$http_port (another Odoo?)"

sandbox="$PROJECT_ROOT/addons/pemkab_delivery/sandbox/courier_sandbox.py"
if [[ -f "$sandbox" ]]; then
    # The demo's sandbox account books through the sandbox of this run: on another port
    # (PEMKAB_SANDBOX_PORT) its loopback base URL follows. An account an administrator
    # pointed elsewhere is left alone.
    sql -d "$db" -c "
        UPDATE pemkab_courier_provider p SET base_url = 'http://127.0.0.1:$sandbox_port'
          FROM ir_model_data d
         WHERE d.model = 'pemkab.courier.provider' AND d.res_id = p.id
           AND d.module = 'pemkab_delivery' AND d.name = 'provider_sandbox'
           AND p.base_url ~ '^https?://(127\.0\.0\.1|localhost)(:[0-9]+)?/?\$'
           AND p.base_url IS DISTINCT FROM 'http://127.0.0.1:$sandbox_port';
        UPDATE pemkab_courier_provider p
           SET base_url = 'http://127.0.0.1:$sandbox_port/biteship'
          FROM ir_model_data d
         WHERE d.model = 'pemkab.courier.provider' AND d.res_id = p.id
           AND d.module = 'pemkab_delivery' AND d.name = 'provider_biteship_sandbox'
           AND p.base_url ~ '^https?://(127\.0\.0\.1|localhost)(:[0-9]+)?/biteship/?\$'
           AND p.base_url IS DISTINCT FROM 'http://127.0.0.1:$sandbox_port/biteship'" ||
        die "could not point the demo's sandbox accounts at port $sandbox_port" 1
    if port_open "$sandbox_port"; then
        log "warning: 127.0.0.1:$sandbox_port is taken (a sandbox left running?): not starting one"
    else
        # The SMS gateway of a company sending to a sandbox on loopback (the demo's) is this one.
        sql -d "$db" -c "UPDATE res_company
               SET pemkab_sms_gateway_url = regexp_replace(pemkab_sms_gateway_url,
                   '^http://127\.0\.0\.1:[0-9]+/sms/', 'http://127.0.0.1:$sandbox_port/sms/')
             WHERE pemkab_sms_gateway_url ~ '^http://127\.0\.0\.1:[0-9]+/sms/'" 2>/dev/null || true
        # The facilities reporting to a SATUSEHAT on loopback (the demo's Puskesmas Badean,
        # pemkab_health) report to this sandbox's (/satusehat); no table without pemkab_health.
        sql -d "$db" -c "UPDATE pemkab_health_satusehat_facility
               SET host = 'http://127.0.0.1:$sandbox_port/satusehat'
             WHERE host ~ '^http://127\.0\.0\.1:[0-9]+/satusehat/?\$'" 2>/dev/null || true
        # For each API, the provider that books through the sandbox: "<api>\t<id>\t<secret>".
        providers=$(sql -F $'\t' -d "$db" -c "
            SELECT CASE kind WHEN 'grab' THEN 'grab' WHEN 'biteship' THEN 'biteship'
                   ELSE 'gosend' END, id,
                   COALESCE(NULLIF(webhook_secret, ''), '-')
              FROM pemkab_courier_provider
             WHERE active AND kind IN ('sandbox', 'gosend', 'grab', 'biteship')
               AND (base_url ~ '^https?://(127\.0\.0\.1|localhost):$sandbox_port(/|\$)'
                    OR (kind = 'sandbox' AND COALESCE(base_url, '') = ''))
             ORDER BY kind = 'sandbox' DESC, sequence, id" 2>/dev/null || true)
        sandbox_args=()
        for api in gosend grab biteship; do
            IFS=$'\t' read -r _ provider_id secret \
                < <(awk -F '\t' -v api="$api" '$1 == api' <<<"$providers" | head -n1) || true
            if [[ -n "${provider_id:-}" ]]; then
                sandbox_args+=(--webhook-url-$api "$url/pemkab_delivery/webhook/$provider_id")
                [[ "$secret" != - ]] && sandbox_args+=(--webhook-secret-$api "$secret")
            else
                # No provider books through this API of the sandbox: its webhooks go nowhere.
                sandbox_args+=(--webhook-url-$api "$url/pemkab_delivery/webhook/$api")
            fi
            provider_id=
        done
        sandbox_log="$PEMKAB_STATE_DIR/courier_sandbox.log"
        log "starting the courier sandbox on 127.0.0.1:$sandbox_port (log: $sandbox_log)"
        "$PEMKAB_VENV/bin/python" "$sandbox" --host 127.0.0.1 --port "$sandbox_port" \
            "${sandbox_args[@]}" \
            --auto-advance >"$sandbox_log" 2>&1 &
        sandbox_pid=$!
        for _ in $(seq 50); do
            port_open "$sandbox_port" && break
            kill -0 "$sandbox_pid" 2>/dev/null || break
            sleep 0.2
        done
        if port_open "$sandbox_port"; then
            # Odoo replaces this shell below (exec keeps the PID $$): this watcher stops the
            # sandbox as soon as that process ends, however it ends.
            main_pid=$$
            (
                trap 'kill "$sandbox_pid" 2>/dev/null' EXIT
                while kill -0 "$main_pid" 2>/dev/null && kill -0 "$sandbox_pid" 2>/dev/null; do
                    sleep 1
                done
            ) </dev/null >/dev/null 2>&1 &
        else
            kill "$sandbox_pid" 2>/dev/null || true
            # Without it no demo booking is ever sent: say so and stop, not serve a dead demo.
            tail -n 20 "$sandbox_log" >&2 || true
            die "the courier sandbox did not start (its log ends above: $sandbox_log)" 1
        fi
    fi
fi

log "serving $db on $url (Ctrl-C stops)"
exec "${ODOO_BIN[@]}" "${local_args[@]}"
