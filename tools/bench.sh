#!/usr/bin/env bash
# make bench: the routing benchmark (bench/bench_routing.py) in its own throw-away
# database, with the module installed and no demo data. Options pass through, e.g.
#   bash tools/bench.sh --sizes 1000 --reps 20 --create 200
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
DB="${BENCH_DB:-sales_team_queue_bench}"
LOGS="$STATE_DIR/logs/$DB"
install_fresh_db "$DB" "$LOGS/install.log" --without-demo=all
say "Benchmark in database $DB (10 to 12 minutes on 2 cores with the default sizes, most of it Odoo's own assignment of 10 000 leads)"
PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" \
    "$ROOT/bench/bench_routing.py" -c "$ODOO_CONF" -d "$DB" "$@" \
    | tee "$LOGS/bench.out"
