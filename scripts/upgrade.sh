#!/usr/bin/env bash
# Upgrade the addons after `git pull`: back up, rebuild, stop Odoo, -u, start again.
#
#   scripts/upgrade.sh [--compose] [-d DB] [--no-backup] [ADDONS]
#
#   --compose    the docker-compose deployment: scripts/backup.sh --compose, then
#                `docker-compose build --pull` (a newer odoo:19.0 and requirements.txt), stop the
#                Odoo services (odoo, web, cron: no HTTP worker or cron runs the old code
#                against the new schema), `odoo -u ADDONS --stop-after-init` in a one-off
#                container, and start again the services that were running (odoo if none was).
#                Default: the local database of scripts/run.sh (stop scripts/run.sh first)
#   -d DB        the database. Default: odoo.conf's db_name with --compose, else $PEMKAB_DB or pemkab
#   --no-backup  skip the backup (only if you just took one)
#   ADDONS       comma-separated. Default: pemkab_delivery,pemkab_health,pemkab_social (those not
#                installed are left alone)
#
# If -u fails the services stay stopped: restore the backup it printed (scripts/restore.sh
# --force) or fix and run this again.
source "$(dirname "$0")/common.sh"

parse_ops_args "$@"
addons=pemkab_delivery,pemkab_health,pemkab_social backup=1
for arg in "${OPS_REST[@]}"; do
    case "$arg" in
        --no-backup) backup=0 ;;
        -*) printf 'unknown argument: %s\n\n' "$arg" >&2; usage 2 ;;
        *) addons=$arg ;;
    esac
done
[[ "$addons" =~ ^[a-z0-9_]+(,[a-z0-9_]+)*$ ]] || die "ADDONS must be comma-separated addon names: $addons"

if [[ "$OPS_MODE" == compose ]]; then
    require_compose
    compose up -d db
else
    ops_local_setup
    port=${PEMKAB_HTTP_PORT:-8069}
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "something listens on 127.0.0.1:$port: stop scripts/run.sh before upgrading"
    fi
fi
ops_db_exists || die "there is no database $OPS_DB to upgrade"

if ((backup)); then
    "$PROJECT_ROOT/scripts/backup.sh" "${OPS_FLAGS[@]}" -d "$OPS_DB" >/dev/null
fi

if [[ "$OPS_MODE" == compose ]]; then
    log "building the image (pulling odoo:19.0 again)"
    compose build --pull
    running=$(running_odoo_services)
    log "stopping the Odoo services"
    compose stop "${ODOO_SERVICES[@]}"
fi

log "upgrading $addons in $OPS_DB"
mkdir -p "$PEMKAB_STATE_DIR"
odoo_checked "$PEMKAB_STATE_DIR/upgrade-$OPS_DB.log" "upgrading $addons in $OPS_DB" \
    ops_odoo -d "$OPS_DB" -u "$addons" --stop-after-init

if [[ "$OPS_MODE" == compose ]]; then
    running=${running:-odoo}
    log "starting ${running//$'\n'/ } on the new image"
    # shellcheck disable=SC2086 # one service a word
    compose up -d $running
fi
log "upgraded $addons in $OPS_DB"
