#!/usr/bin/env bash
# make test-replica: the read side on a streaming replica. As root (it creates a
# PostgreSQL cluster): tools/replica.sh makes a replica of the local cluster on port
# REPLICA_PORT (5433), a fresh demo database gets the module, then an Odoo server with
# 2 workers and --db_replica_host/--db_replica_port serves tools/replica_check.py,
# which calls what the pool, the dashboard, the reports and Test Routing call, then a
# claim and a lead creation, and checks in the server's access log and the replica's
# statement log that the reads ran on the replica (cursor 'ro', no retry on the
# primary) and the writes on the primary ('rw'). Prints a verdict table; exit 1 on a
# FAIL. --reuse keeps the database when the module is installed there (each run
# claims one more pool lead). The replica is left running (bash tools/replica.sh --drop removes it).
# Variables: REPLICA_DB (sales_team_queue_replica), REPLICA_PORT (5433),
# STORM_PORT/STORM_GEVENT_PORT (the server's ports, 8079/8078).
set -euo pipefail
source "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || die "make test-replica creates a PostgreSQL cluster: run it as root (sudo make test-replica)."
[ -z "${PGHOST:-}${PGPORT:-}" ] || die "make test-replica makes a replica of the local cluster: unset PGHOST/PGPORT."
REPLICA_PORT="${REPLICA_PORT:-5433}"
export REPLICA_PORT
bash "$ROOT/tools/replica.sh"

prepare
DB="${REPLICA_DB:-sales_team_queue_replica}"
STORM_WORKERS=2
source "$(dirname "$0")/bench-server.sh"
SERVER_LOG="$LOGS/replica-server.log"
parse_bench_args "$@"
if [ "$reuse" = 1 ] && [ "$(module_state "$DB")" = installed ]; then
    say "Reusing database $DB"
else
    install_fresh_db "$DB" "$LOGS/install.log"
fi

# The replica has replayed the install before the server starts.
lsn="$(su postgres -c "psql -X -tAc 'SELECT pg_current_wal_lsn()'")"
for _ in $(seq 1 60); do
    caught="$(su postgres -c "psql -X -p $REPLICA_PORT -tAc \"SELECT pg_last_wal_replay_lsn() >= '$lsn'\"")"
    [ "$caught" = t ] && break
    sleep 1
done
[ "$caught" = t ] || die "The replica has not replayed the install after a minute."

PG_VERSION="$(su postgres -c "psql -X -tAc 'SHOW server_version_num'" | cut -c1-2)"
REPLICA_LOG="/var/log/postgresql/postgresql-$PG_VERSION-${REPLICA_CLUSTER:-replica}.log"
SERVER_ARGS=(--db_replica_host="${DB_HOST:-}" --db_replica_port="$REPLICA_PORT")
start_bench_server

set +e
PGPASSWORD="$DB_PASSWORD" "$VENV/bin/python" "$ROOT/tools/replica_check.py" --url "$URL" -d "$DB" \
    --server-log "$SERVER_LOG" --replica-log "$REPLICA_LOG" --replica-port "$REPLICA_PORT" \
    --db-host "${DB_HOST:-}" --db-user "$DB_USER" | tee "$LOGS/replica-check.out"
rc=${PIPESTATUS[0]}
set -e
stop_server
if ! check_log "$SERVER_LOG" "server"; then rc=1; fi
exit "$rc"
