#!/usr/bin/env bash
# Set the password of Odoo's administrator (login "admin") from PEMKAB_ADMIN_PASSWORD.
#
#   PEMKAB_ADMIN_PASSWORD=... scripts/set-admin-password.sh [--compose] [-d DB]
#
#   --compose   the docker-compose deployment (a one-off container of the odoo service);
#               PEMKAB_ADMIN_PASSWORD may then also come from .env; default: the local cluster
#   -d DB       the database. Default: odoo.conf's db_name with --compose, else $PEMKAB_DB or pemkab
#
# scripts/install.sh runs it right after installing, before the service starts, so that
# admin/admin is never live. It refuses to run without a value (12 characters at least, not
# "admin"). The value goes to Odoo through the environment, never on a command line; Odoo
# stores only its hash.
source "$(dirname "$0")/common.sh"

parse_ops_args "$@"
((${#OPS_REST[@]} == 0)) || { printf 'unknown argument: %s\n\n' "${OPS_REST[0]}" >&2; usage 2; }

require_admin_password

if [[ "$OPS_MODE" == compose ]]; then
    require_compose
    compose run --rm -T -e PEMKAB_ADMIN_PASSWORD odoo odoo shell -d "$OPS_DB" --log-level=warn \
        < "$PROJECT_ROOT/scripts/set_admin_password.py"
else
    ops_local_setup
    ops_db_exists || die "there is no database $OPS_DB"
    "${ODOO_BIN[@]}" shell -c "$OPS_CONF" -d "$OPS_DB" --log-level=warn \
        < "$PROJECT_ROOT/scripts/set_admin_password.py"
fi
log "the administrator's password of $OPS_DB is set"
