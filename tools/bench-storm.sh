#!/usr/bin/env bash
# The create storm (bench/bench_storm.py): a real Odoo server with several workers on
# a bench database, many JSON-RPC clients creating leads at once. `make bench` runs it
# after the routing benchmark (on the database that one built); alone:
#   bash tools/bench-storm.sh                      # fresh database, then the storm
#   bash tools/bench.sh --storm-only               # the same
#   bash tools/bench-storm.sh --reuse --clients 4 --per-client 10
# --reuse keeps the database when the module is installed there (otherwise it is
# built); other options pass through to bench_storm.py.
# Then the claim storm (bench/bench_claim_storm.py) on the same server: 8 reps claim
# 1 000 pool leads at once (CLAIM_STORM=0 skips it).
# Variables: STORM_DB (default BENCH_DB, default sales_team_queue_bench),
# STORM_PORT (8079), STORM_GEVENT_PORT (8078), STORM_WORKERS (4), CLAIM_STORM (1).
set -euo pipefail
source "$(dirname "$0")/common.sh"

parse_bench_args "$@"

prepare
DB="${STORM_DB:-${BENCH_DB:-sales_team_queue_bench}}"
source "$(dirname "$0")/bench-server.sh"
SERVER_LOG="$LOGS/storm-server.log"
reuse_or_install "$reuse" "Create storm"
start_bench_server

started=$SECONDS
"$VENV/bin/python" "$ROOT/bench/bench_storm.py" --url "$URL" -d "$DB" \
    --server-log "$SERVER_LOG" ${args[@]+"${args[@]}"} | tee "$LOGS/storm.out"
say "Create storm done in $((SECONDS - started)) s"
if [ "${CLAIM_STORM:-1}" != 0 ]; then
    started=$SECONDS
    "$VENV/bin/python" "$ROOT/bench/bench_claim_storm.py" --url "$URL" -d "$DB" \
        --server-log "$SERVER_LOG" | tee "$LOGS/claim-storm.out"
    say "Claim storm done in $((SECONDS - started)) s"
fi
stop_server
bad="$(bad_log_lines "$SERVER_LOG")"
# A refused claim (a UserError over RPC) is logged by odoo.http at WARNING: the claim
# storm's lost races, counted there as refusals, not errors.
REFUSAL_RE=' WARNING .* odoo\.http: This lead (is not waiting in a pool|was just claimed, or is being changed, by someone else)'
refusals="$(grep -c -E "$REFUSAL_RE" <<<"$bad" || true)"
bad="$(grep -v -E "$REFUSAL_RE" <<<"$bad" || true)"
[ "$refusals" = 0 ] || say "Server log: $refusals refused claims (WARNING odoo.http, the claim storm's lost races)"
if [ -n "$bad" ]; then
    say "Server log: $(echo "$bad" | wc -l) WARNING/ERROR lines not in tools/log-allowlist.txt, the first ones ($SERVER_LOG):"
    echo "$bad" | head -n 10 | cut -c1-300
fi
