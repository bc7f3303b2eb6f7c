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

in_process_bench Handover bench_handover.py bench-handover.out "${HANDOVER_DB:-${BENCH_DB:-sales_team_queue_bench}}" "$@"
