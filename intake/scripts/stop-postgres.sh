#!/usr/bin/env bash
# Stops a cluster that start-postgres.sh started in DIR and deletes DIR (a cluster is ~120 MB):
#
#   intake/scripts/stop-postgres.sh /tmp/intake-pg.XXXXXX
#
# Runs pg_ctl as the folder's owner, as start-postgres.sh ran the server. Does nothing for a
# folder that is gone; refuses one that holds anything start-postgres.sh did not make, so that a
# wrong argument deletes nothing else.
set -euo pipefail

DIR=${1:?usage: stop-postgres.sh DIR}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -d "$DIR" ] || exit 0
# Only what start-postgres.sh puts there: the cluster, its two logs and the server's socket and
# lock (it listens with -k DIR). Anything else, or a data folder without PG_VERSION, and the
# folder is left alone.
for entry in "$DIR"/* "$DIR"/.[!.]*; do
    [ -e "$entry" ] || continue
    case "${entry##*/}" in
        initdb.log | server.log | .s.PGSQL.*) ;;
        data) [ -f "$entry/PG_VERSION" ] || { echo "stop-postgres: $entry is not a PostgreSQL cluster; $DIR left alone" >&2; exit 1; } ;;
        *) echo "stop-postgres: $DIR holds $entry, which start-postgres.sh did not make; left alone" >&2; exit 1 ;;
    esac
done
if [ -f "$DIR/data/postmaster.pid" ]; then
    owner=$(stat -c %U "$DIR/data")
    if [ "$(id -u)" = 0 ] && [ "$owner" != root ]; then
        runuser -u "$owner" -- "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
    else
        "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
    fi
fi
rm -rf -- "$DIR"
