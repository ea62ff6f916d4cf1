#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh: the database and its filestore.
#
#   scripts/restore.sh [--compose] [-d DB] [--force] BACKUP_DIR
#
#   --compose   the docker-compose deployment; its Odoo services (odoo, web, cron) are stopped
#               during the restore and started again afterwards; default: the local cluster
#   -d DB       the database to restore into. Default: odoo.conf's db_name with --compose,
#               else $PEMKAB_DB or pemkab. It may differ from the backed-up one (a copy)
#   --force     replace DB if it exists (it is dropped, with its filestore); without it an
#               existing DB is left alone and the restore refuses
#
# The checksums of the backup are verified first. The database is created by, and belongs
# to, the role odoo (no superuser needed). A copy of production for tests should then be
# neutralised (couriers, mail): `odoo neutralize -d DB` (README, Deployment).
source "$(dirname "$0")/common.sh"

parse_ops_args "$@"
force=0 backup=
for arg in "${OPS_REST[@]}"; do
    case "$arg" in
        --force) force=1 ;;
        -*) printf 'unknown argument: %s\n\n' "$arg" >&2; usage 2 ;;
        *)
            [[ -z "$backup" ]] || { printf 'one backup directory only\n\n' >&2; usage 2; }
            backup=$arg
            ;;
    esac
done
[[ -n "$backup" ]] || { printf 'which backup? (a directory written by scripts/backup.sh)\n\n' >&2; usage 2; }
[[ -f "$backup/database.dump" && -f "$backup/filestore.tar.gz" && -f "$backup/SHA256SUMS" ]] ||
    die "$backup is not a backup of scripts/backup.sh (database.dump, filestore.tar.gz, SHA256SUMS)"
backup=$(cd "$backup" && pwd)
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || die "$backup is damaged: its checksums do not match" 1

if [[ "$OPS_MODE" == compose ]]; then require_compose; else ops_local_setup; fi

if [[ "$OPS_MODE" == compose ]]; then
    compose up -d db >/dev/null
    stopped=$(running_odoo_services)
    if [[ -n "$stopped" ]]; then
        log "stopping ${stopped//$'\n'/ } for the restore"
        start_again() {
            log "starting ${stopped//$'\n'/ } again"
            # shellcheck disable=SC2086 # one service a word
            compose start $stopped
        }
        trap start_again EXIT
        # shellcheck disable=SC2086
        compose stop $stopped
    fi
fi

replace=0
if ops_db_exists; then
    ((force)) || die "the database $OPS_DB exists: restore into another one (-d) or replace it (--force)"
    replace=1
fi

log "restoring the database $OPS_DB from $backup"
if ((replace)); then log "dropping the existing database $OPS_DB first (--force)"; fi
# --no-owner: every object belongs to the role that restores (odoo), whoever owned it before.
if [[ "$OPS_MODE" == compose ]]; then
    if ((replace)); then compose exec -T db dropdb -U odoo --force "$OPS_DB"; fi
    compose exec -T db createdb -U odoo "$OPS_DB"
    compose exec -T db pg_restore -U odoo --no-owner --exit-on-error -d "$OPS_DB" < "$backup/database.dump"
else
    if ((replace)); then dropdb --force "$OPS_DB"; fi
    createdb "$OPS_DB"
    pg_restore --no-owner --exit-on-error -d "$OPS_DB" "$backup/database.dump"
fi

log "restoring the filestore of $OPS_DB"
if [[ "$OPS_MODE" == compose ]]; then
    # shellcheck disable=SC2016 # expanded by the container's sh
    compose run --rm --no-deps -T --entrypoint sh odoo -c \
        'dir=/var/lib/odoo/filestore/$1; rm -rf "$dir" && mkdir -p "$dir" && tar -C "$dir" -xzf -' \
        sh "$OPS_DB" < "$backup/filestore.tar.gz"
else
    rm -rf "$OPS_FILESTORE"
    mkdir -p "$OPS_FILESTORE"
    tar -C "$OPS_FILESTORE" -xzf "$backup/filestore.tar.gz"
fi

log "restored $OPS_DB from $backup"
