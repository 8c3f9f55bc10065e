#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the test suite and prints its URL.
# Usage: eval "$(scripts/postgres-for-tests.sh start)"   …   scripts/postgres-for-tests.sh stop
# Needs Debian's postgresql package (apt-get install -y postgresql); runs the server as the
# `postgres` user when called as root, since PostgreSQL refuses to run as root.
set -euo pipefail
DIR=${SOVEREIGN_PG_DIR:-/tmp/sovereign-test-pg}
PORT=${SOVEREIGN_PG_PORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "postgresql is not installed (apt-get install -y postgresql)" >&2; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-start}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
      as_owner "$BIN/initdb" -D "$DIR" --auth=trust --username=postgres --encoding=UTF8 > /dev/null
    fi
    if ! as_owner "$BIN/pg_ctl" -D "$DIR" status > /dev/null 2>&1; then
      as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
        -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start > /dev/null
    fi
    echo "export SOVEREIGN_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_owner "$BIN/pg_ctl" -D "$DIR" -m fast stop > /dev/null 2>&1 || true
    ;;
esac
