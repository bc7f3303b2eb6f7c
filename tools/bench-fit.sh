#!/usr/bin/env bash
# The best-fit benchmark (bench/bench_best_fit.py): a seeded history of won and lost
# leads whose reps differ in win rate by segment, then 2 000 new leads routed by round
# robin and by best fit: expected won deals, the gain, the fairness and the routing
# cost, next to their targets. `make bench` runs it after the routing benchmark, on
# the database that one built; alone:
#   bash tools/bench-fit.sh                        # fresh database, then the benchmark
#   bash tools/bench-fit.sh --reuse --seed 7 --leads 1000
# --reuse keeps the database when the module is installed there (otherwise it is
# built); other options pass through to bench_best_fit.py.
# Variables: FIT_DB (default BENCH_DB, default sales_team_queue_bench).
set -euo pipefail
source "$(dirname "$0")/common.sh"

in_process_bench "Best-fit" bench_best_fit.py bench-fit.out "${FIT_DB:-${BENCH_DB:-sales_team_queue_bench}}" "$@"
