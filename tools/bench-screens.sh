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

in_process_bench Screens bench_screens.py bench-screens.out "${SCREENS_DB:-${BENCH_DB:-sales_team_queue_bench}}" "$@"
