#!/usr/bin/env bash
# Back up a database and its filestore into a new directory, and print that directory.
#
#   scripts/backup.sh [--compose] [-d DB] [-o DIR]
#
#   --compose   the docker-compose deployment (the db service must run); default: the local
#               database of scripts/run.sh (private cluster, or PGHOST...)
#   -d DB       the database. Default: odoo.conf's db_name with --compose, else $PEMKAB_DB or pemkab
#   -o DIR      where the backup directory is created. Default: backups/ (ignored by git)
#
# The backup is DIR/<db>-<UTC date and time>/ with
#   database.dump       pg_dump's custom format (-Fc), taken as the role odoo
#   filestore.tar.gz    the database's filestore (attachments), relative paths
#   info.txt            database, date, installed pemkab addons and their versions
#   SHA256SUMS          checked by scripts/restore.sh
# The dump is taken first, then the filestore: every attachment of the dump has its file.
# The service keeps running meanwhile (pg_dump reads a consistent snapshot).
# Restore it with scripts/restore.sh. Copy the backups off the host.
source "$(dirname "$0")/common.sh"

parse_ops_args "$@"
out_root="$PROJECT_ROOT/backups"
set -- "${OPS_REST[@]}"
while (($#)); do
    case "$1" in
        -o | --output)
            [[ $# -ge 2 ]] || { printf '%s needs a directory\n\n' "$1" >&2; usage 2; }
            out_root=$2
            shift
            ;;
        *) printf 'unknown argument: %s\n\n' "$1" >&2; usage 2 ;;
    esac
    shift
done

if [[ "$OPS_MODE" == compose ]]; then require_compose; else ops_local_setup; fi
ops_db_exists || die "there is no database $OPS_DB to back up"

mkdir -p "$out_root"
out="$(cd "$out_root" && pwd)/$OPS_DB-$(date -u +%Y%m%dT%H%M%SZ)"
[[ ! -e "$out" ]] || die "$out exists already"
mkdir -m 700 "$out"
trap 'rm -rf "$out"; die "the backup failed: nothing was kept" 1' ERR

log "dumping the database $OPS_DB"
if [[ "$OPS_MODE" == compose ]]; then
    compose exec -T db pg_dump -U odoo --format=custom "$OPS_DB" > "$out/database.dump"
else
    pg_dump --format=custom --file="$out/database.dump" "$OPS_DB"
fi

log "archiving the filestore of $OPS_DB"
if [[ "$OPS_MODE" == compose ]]; then
    # A one-off container of the odoo image with the odoo-data volume; an empty archive when the
    # database has no filestore yet.
    # shellcheck disable=SC2016 # expanded by the container's sh
    compose run --rm --no-deps -T --entrypoint sh odoo -c \
        'dir=/var/lib/odoo/filestore/$1; if [ -d "$dir" ]; then tar -C "$dir" -czf - .; else tar -czf - -T /dev/null; fi' \
        sh "$OPS_DB" > "$out/filestore.tar.gz"
elif [[ -d "$OPS_FILESTORE" ]]; then
    tar -C "$OPS_FILESTORE" -czf "$out/filestore.tar.gz" .
else
    tar -czf "$out/filestore.tar.gz" -T /dev/null
fi

{
    echo "database: $OPS_DB"
    echo "taken: $(date -u +%Y-%m-%dT%H:%M:%SZ) ($OPS_MODE)"
    echo "addons:"
    ops_psql "SELECT name || ' ' || COALESCE(latest_version, '') FROM ir_module_module
              WHERE state = 'installed' AND name LIKE 'pemkab\_%' ORDER BY name" | sed 's/^/  /'
} > "$out/info.txt"
(cd "$out" && sha256sum database.dump filestore.tar.gz info.txt > SHA256SUMS)
trap - ERR

log "backup of $OPS_DB: $out ($(du -sh "$out" | cut -f1))"
printf '%s\n' "$out"
