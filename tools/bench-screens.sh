#!/usr/bin/env bash
# The screens benchmark (bench/bench_screens.py): a rep's pool screens, the leader's
# dashboard and a claim over 20 000 waiting leads, against Odoo's own lead list and
# change of salesperson. `make bench` runs it after the routing benchmark on the
# database that one built; alone:
#   bash tools/bench-screens.sh                  # fresh database, then the benchmark
#   bash tools/bench-screens.sh --reuse --leads 2000 --runs 5
# --reuse keeps the database when the module is installed there (otherwise it is
# built); other options pass through to bench_screens.py.
# Variables: SCREENS_DB (default BENCH_DB, default sales_team_queue_bench).
set -euo pipefail
source "$(dirname "$0")/common.sh"

parse_bench_args "$@"

prepare
DB="${SCREENS_DB:-${BENCH_DB:-sales_team_queue_bench}}"
LOGS="$STATE_DIR/logs/$DB"
mkdir -p "$LOGS"
reuse_or_install "$reuse" "Screens"
say "Screens benchmark in database $DB"
PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" \
    "$ROOT/bench/bench_screens.py" -c "$ODOO_CONF" -d "$DB" ${args[@]+"${args[@]}"} \
    | tee "$LOGS/bench-screens.out"
