#!/usr/bin/env bash
# make bench: the routing benchmark (bench/bench_routing.py) in its own throw-away
# database, with the module installed and no demo data. Options pass through to the
# routing benchmark, e.g.
#   bash tools/bench.sh --sizes 1000 --reps 20 --create 200
# Then, in this order and on the same database (each --no-... skips one):
# - the import benchmark (tools/bench-import.sh, bench/bench_import.py): a spreadsheet
#   import with and without queue (--no-import);
# - the create storm (tools/bench-storm.sh, bench/bench_storm.py) against real Odoo
#   workers (--no-storm);
# - the fault storm (tools/bench-faults.sh, bench/bench_fault_storm.py): creates
#   while workers are killed and connections cut, then the safety net (--no-faults);
# - the handover benchmark (tools/bench-handover.sh, bench/bench_handover.py)
#   (--no-handover);
# - the timers benchmark (tools/bench-timers.sh, bench/bench_timers.py) (--no-timers);
# - the best-fit benchmark (tools/bench-fit.sh, bench/bench_best_fit.py): won deals
#   of best fit against round robin on a seeded history (--no-fit);
# - last (its 40 000 leads stay in the database), the screens benchmark
#   (tools/bench-screens.sh, bench/bench_screens.py): a rep's pool screens, the
#   leader's dashboard and a claim over 20 000 waiting leads (--no-screens).
# --storm-only runs the storm alone (in a fresh database; the options that follow pass
# through to tools/bench-storm.sh), e.g.
#   bash tools/bench.sh --storm-only --clients 8 --per-client 40
set -euo pipefail
if [ "${1:-}" = "--storm-only" ]; then
    shift
    exec bash "$(dirname "$0")/bench-storm.sh" "$@"
fi
storm=1
handover=1
timers=1
fit=1
faults=1
imports=1
screens=1
args=()
for arg in "$@"; do
    case "$arg" in
        --no-storm) storm=0 ;;
        --no-handover) handover=0 ;;
        --no-timers) timers=0 ;;
        --no-fit) fit=0 ;;
        --no-faults) faults=0 ;;
        --no-import) imports=0 ;;
        --no-screens) screens=0 ;;
        *) args+=("$arg") ;;
    esac
done
source "$(dirname "$0")/common.sh"
prepare
DB="${BENCH_DB:-sales_team_queue_bench}"
LOGS="$STATE_DIR/logs/$DB"
install_fresh_db "$DB" "$LOGS/install.log" --without-demo=all
say "Benchmark in database $DB (10 to 12 minutes on 2 cores with the default sizes, most of it Odoo's own assignment of 10 000 leads)"
PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" \
    "$ROOT/bench/bench_routing.py" -c "$ODOO_CONF" -d "$DB" ${args[@]+"${args[@]}"} \
    | tee "$LOGS/bench.out"
# run_after WANTED WHAT SCRIPT DB_VARIABLE: when WANTED is 1, run tools/SCRIPT on this
# database (named to it in DB_VARIABLE).
run_after() {
    [ "$1" = 1 ] || return 0
    say "$2 on the same database"
    env "$4=$DB" bash "$ROOT/tools/$3" --reuse
}
run_after "$imports" "Import benchmark" bench-import.sh IMPORT_DB
run_after "$storm" "Create storm" bench-storm.sh STORM_DB
run_after "$faults" "Fault storm" bench-faults.sh FAULTS_DB
run_after "$handover" "Handover benchmark" bench-handover.sh HANDOVER_DB
run_after "$timers" "Timers benchmark" bench-timers.sh TIMERS_DB
run_after "$fit" "Best-fit benchmark" bench-fit.sh FIT_DB
run_after "$screens" "Screens benchmark" bench-screens.sh SCREENS_DB
