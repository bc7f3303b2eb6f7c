#!/usr/bin/env bash
# The fault storm (bench/bench_fault_storm.py): JSON-RPC clients create leads in a
# team with a round-robin queue while a chaos thread SIGKILLs the server's HTTP
# workers and cuts Odoo's database connections; then it waits for the safety net
# (the backlog cron) to route what was left half routed. A real Odoo server with
# several workers and a cron worker. `make bench` runs it after the create storm
# (on the database the routing benchmark built; --no-faults skips it); alone:
#   bash tools/bench-faults.sh                     # fresh database, then the storm
#   bash tools/bench-faults.sh --reuse --clients 4 --per-client 20 --wait 120
# --reuse keeps the database when the module is installed there (otherwise it is
# built); other options pass through to bench_fault_storm.py.
# Variables: FAULTS_DB (default BENCH_DB, default sales_team_queue_bench),
# STORM_PORT (8079), STORM_GEVENT_PORT (8078), STORM_WORKERS (4),
# FAULTS_CRON_WORKERS (2, Odoo's default number of cron workers).
set -euo pipefail
source "$(dirname "$0")/common.sh"

parse_bench_args "$@"

prepare
DB="${FAULTS_DB:-${BENCH_DB:-sales_team_queue_bench}}"
source "$(dirname "$0")/bench-server.sh"
CRON_WORKERS="${FAULTS_CRON_WORKERS:-2}"
SERVER_LOG="$LOGS/faults-server.log"
reuse_or_install "$reuse" "Fault storm"
start_bench_server

started=$SECONDS
# The benchmark reads the database and cuts Odoo's connections as Odoo's role.
pg_env=(PGUSER="$DB_USER")
[ -z "${DB_HOST:-}" ] || pg_env+=(PGHOST="$DB_HOST")
[ -z "${DB_PORT:-}" ] || pg_env+=(PGPORT="$DB_PORT")
[ -z "${DB_PASSWORD:-}" ] || pg_env+=(PGPASSWORD="$DB_PASSWORD")
env "${pg_env[@]}" "$VENV/bin/python" "$ROOT/bench/bench_fault_storm.py" --url "$URL" -d "$DB" \
    --server-pid "$SERVER_PID" --server-log "$SERVER_LOG" ${args[@]+"${args[@]}"} \
    | tee "$LOGS/faults.out"
say "Fault storm done in $((SECONDS - started)) s"
stop_server
