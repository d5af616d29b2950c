#!/usr/bin/env bash
# Stops a cluster that start-postgres.sh started in DIR and deletes DIR (a cluster is ~120 MB):
#
#   intake/scripts/stop-postgres.sh /tmp/intake-pg.XXXXXX
#
# Runs pg_ctl as the folder's owner, as start-postgres.sh ran the server. Does nothing for a
# folder that is gone; refuses one that does not look like a cluster's, so that a wrong argument
# deletes nothing else.
set -euo pipefail

DIR=${1:?usage: stop-postgres.sh DIR}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -d "$DIR" ] || exit 0
if [ -e "$DIR/data" ] && [ ! -f "$DIR/data/PG_VERSION" ]; then
    echo "stop-postgres: $DIR/data is not a PostgreSQL cluster; left alone" >&2
    exit 1
fi
if [ -f "$DIR/data/postmaster.pid" ]; then
    owner=$(stat -c %U "$DIR/data")
    if [ "$(id -u)" = 0 ] && [ "$owner" != root ]; then
        runuser -u "$owner" -- "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
    else
        "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
    fi
fi
rm -rf -- "$DIR"
