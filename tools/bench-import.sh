#!/usr/bin/env bash
# The import benchmark (bench/bench_import.py): 3 000 leads imported in one file (`load`,
# what Odoo's Import button calls) into a team without queue and into a team whose
# round-robin queue routes them, alerts on. `make bench` runs it after the routing
# benchmark on the database that one built; alone:
#   bash tools/bench-import.sh                   # fresh database, then the benchmark
#   bash tools/bench-import.sh --reuse --leads 1000 --reps 10
# --reuse keeps the database when the module is installed there (otherwise it is
# built); other options pass through to bench_import.py.
# Variables: IMPORT_DB (default BENCH_DB, default sales_team_queue_bench).
set -euo pipefail
source "$(dirname "$0")/common.sh"

in_process_bench Import bench_import.py bench-import.out "${IMPORT_DB:-${BENCH_DB:-sales_team_queue_bench}}" "$@"
