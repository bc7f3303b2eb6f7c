#!/usr/bin/env bash
# The handover benchmark (bench/bench_handover.py): a salesperson's book of 1 000 and
# 10 000 leads previewed and handed over, to one user and by the queue rules. `make
# bench` runs it after the routing benchmark on the database that one built; alone:
#   bash tools/bench-handover.sh                 # fresh database, then the benchmark
#   bash tools/bench-handover.sh --reuse --sizes 1000 --reps 10
# --reuse keeps the database when the module is installed there (otherwise it is
# built); other options pass through to bench_handover.py.
# Variables: HANDOVER_DB (default BENCH_DB, default sales_team_queue_bench).
set -euo pipefail
source "$(dirname "$0")/common.sh"

parse_bench_args "$@"

prepare
DB="${HANDOVER_DB:-${BENCH_DB:-sales_team_queue_bench}}"
LOGS="$STATE_DIR/logs/$DB"
mkdir -p "$LOGS"
reuse_or_install "$reuse" "Handover"
say "Handover benchmark in database $DB"
PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" \
    "$ROOT/bench/bench_handover.py" -c "$ODOO_CONF" -d "$DB" ${args[@]+"${args[@]}"} \
    | tee "$LOGS/bench-handover.out"
