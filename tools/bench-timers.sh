#!/usr/bin/env bash
# The timers benchmark (bench/bench_timers.py): the queues' scheduled action on
# 10 000 due leads per scenario (SLA warning, breach with recycle, breach with
# reassign, hybrid dispatch): time and SQL queries per lead. `make bench` runs it
# after the routing benchmark, on the database that one built; alone:
#   bash tools/bench-timers.sh                     # fresh database, then the timers
#   bash tools/bench-timers.sh --reuse --size 2000 # reuse the bench database
# --reuse keeps the database when the module is installed there (otherwise it is
# built); other options pass through to bench_timers.py.
# Variables: TIMERS_DB (default BENCH_DB, default sales_team_queue_bench).
set -euo pipefail
source "$(dirname "$0")/common.sh"

parse_bench_args "$@"

prepare
DB="${TIMERS_DB:-${BENCH_DB:-sales_team_queue_bench}}"
LOGS="$STATE_DIR/logs/$DB"
mkdir -p "$LOGS"

reuse_or_install "$reuse" "Timers"
started=$SECONDS
PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" \
    "$ROOT/bench/bench_timers.py" -c "$ODOO_CONF" -d "$DB" ${args[@]+"${args[@]}"} \
    | tee "$LOGS/timers.out"
say "Timers benchmark done in $((SECONDS - started)) s"
