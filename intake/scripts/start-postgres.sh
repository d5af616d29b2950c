#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the intake tests and prints its URL on stdout:
#
#   export INTAKE_TEST_POSTGRES_URL=$(intake/scripts/start-postgres.sh)
#   cargo test -p intake --test it postgres
#
# The cluster lives in a fresh temporary folder (or the folder given as $1), listens only on
# 127.0.0.1:${PGPORT:-55432}, trusts local connections (it holds nothing but test data) and runs
# as an unprivileged user, since PostgreSQL refuses to run as root. Stop it with the command
# printed on stderr. PGBIN overrides the server's folder (default PostgreSQL 15, Debian layout).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PGPORT:-55432}
# A cluster left running by an earlier run keeps its port: take the next free one.
if [ -z "${PGPORT:-}" ]; then
    while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
fi
DIR=${1:-$(mktemp -d /tmp/intake-pg.XXXXXX)}

if [ ! -x "$PGBIN/initdb" ]; then
    echo "start-postgres: $PGBIN/initdb not found (install postgresql-15 or set PGBIN)" >&2
    exit 1
fi

# Run the server as the postgres user if there is one, else as nobody; as ourselves if not root.
if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then RUNAS=postgres; else RUNAS=nobody; fi
    mkdir -p "$DIR"
    chown "$RUNAS" "$DIR"
    as_user() { runuser -u "$RUNAS" -- "$@"; }
else
    mkdir -p "$DIR"
    as_user() { "$@"; }
fi

as_user "$PGBIN/initdb" -D "$DIR/data" -U intake --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log"
as_user "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR" start >&2
as_user "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U intake intake

echo "start-postgres: stop it and delete its folder with: intake/scripts/stop-postgres.sh $DIR" >&2
echo "postgres://intake@127.0.0.1:$PORT/intake"
