#!/usr/bin/env bash
# First installation of a production database: the addons without demo data, Indonesian, then
# the administrator's password from PEMKAB_ADMIN_PASSWORD (never admin/admin).
#
#   scripts/install.sh [--compose] [-d DB] [ADDONS]
#
#   --compose   the docker-compose deployment: builds the image (--pull), starts the db service
#               and installs in a one-off container; PEMKAB_ADMIN_PASSWORD may come from .env.
#               Start the service afterwards: docker-compose up -d. Default: the local cluster
#   -d DB       the database. Default: odoo.conf's db_name with --compose, else $PEMKAB_DB or pemkab
#   ADDONS      comma-separated. Default: pemkab_delivery,pemkab_health,pemkab_social; a dinas
#               that wants only its own installs pemkab_health or pemkab_social alone
#
# It refuses to start without PEMKAB_ADMIN_PASSWORD, and on a database where the addons are
# installed already (use scripts/upgrade.sh there). PEMKAB_LANGS (default id_ID) are loaded;
# the first one becomes the default language.
source "$(dirname "$0")/common.sh"

parse_ops_args "$@"
addons=pemkab_delivery,pemkab_health,pemkab_social
case ${#OPS_REST[@]} in
    0) ;;
    1) addons=${OPS_REST[0]} ;;
    *) printf 'unknown argument: %s\n\n' "${OPS_REST[1]}" >&2; usage 2 ;;
esac
[[ "$addons" =~ ^[a-z0-9_]+(,[a-z0-9_]+)*$ ]] || die "ADDONS must be comma-separated addon names: $addons"
langs=${PEMKAB_LANGS:-id_ID}

# Refuse before anything is created.
require_admin_password

if [[ "$OPS_MODE" == compose ]]; then
    require_compose
    log "building the image (pulling odoo:19.0 again)"
    compose build --pull
    compose up -d db
    compose exec -T db sh -c 'until pg_isready -q -U postgres; do sleep 1; done'
else
    ops_local_setup
fi
if ops_db_exists && [[ "$(ops_psql "SELECT count(*) FROM pg_tables WHERE tablename = 'ir_module_module'")" == 1 ]] &&
    [[ "$(ops_psql "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name LIKE 'pemkab\_%'")" != 0 ]]; then
    die "the addons are installed in $OPS_DB already: scripts/upgrade.sh${OPS_FLAGS[*]/#/ } upgrades them" 1
fi

log "installing $addons in $OPS_DB (no demo data, languages $langs)"
install_log="${PEMKAB_STATE_DIR}/install-$OPS_DB.log"
mkdir -p "$PEMKAB_STATE_DIR"
odoo_checked "$install_log" "installing $addons in $OPS_DB" \
    ops_odoo -d "$OPS_DB" -i "$addons" --load-language="$langs" --stop-after-init
"$PROJECT_ROOT/scripts/set-admin-password.sh" "${OPS_FLAGS[@]}" -d "$OPS_DB"
if [[ "$OPS_MODE" == compose ]]; then
    log "installed; start the service: docker-compose up -d (or the scale profile, README)"
else
    log "installed in $OPS_DB"
fi
