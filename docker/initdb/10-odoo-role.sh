#!/usr/bin/env bash
# Run once by the postgres:16 image, as its superuser, when it initialises an empty volume
# (mounted at /docker-entrypoint-initdb.d by docker-compose.yml).
#
# Creates Odoo's role "odoo": it may log in and create databases (it owns the ones it creates),
# but it is no superuser and cannot create roles. Its password is POSTGRES_PASSWORD (.env),
# the only database password of the deployment. The superuser's own password is then removed:
# the superuser can log in only through the container's local socket
# (docker-compose exec db psql -U postgres), never over the network.
#
# On an existing volume this script does not run: change the password with
#   docker-compose exec db psql -U postgres -c "ALTER ROLE odoo PASSWORD '<new>'"
# and then POSTGRES_PASSWORD in .env, and recreate the Odoo containers (docker-compose up -d).
set -o errexit -o nounset -o pipefail

: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set}"

psql --no-psqlrc --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set odoo_password="$POSTGRES_PASSWORD" --set superuser="$POSTGRES_USER" <<'SQL'
CREATE ROLE odoo LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION PASSWORD :'odoo_password';
ALTER ROLE :"superuser" PASSWORD NULL;
SQL
