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

reuse=0
args=()
for arg in "$@"; do
    case "$arg" in
        --reuse) reuse=1 ;;
        *) args+=("$arg") ;;
    esac
done

prepare
DB="${STORM_DB:-${BENCH_DB:-sales_team_queue_bench}}"
PORT="${STORM_PORT:-8079}"
GEVENT_PORT="${STORM_GEVENT_PORT:-8078}"
WORKERS="${STORM_WORKERS:-4}"
LOGS="$STATE_DIR/logs/$DB"
SERVER_LOG="$LOGS/storm-server.log"
URL="http://127.0.0.1:$PORT"
mkdir -p "$LOGS"

module_state() {
    pg_cmd psql -d "$1" -tAc \
        "SELECT state FROM ir_module_module WHERE name = '$MODULE'" 2>/dev/null || true
}

if [ "$reuse" = 1 ] && [ "$(module_state "$DB")" = installed ]; then
    say "Create storm: reusing database $DB"
else
    install_fresh_db "$DB" "$LOGS/install.log" --without-demo=all
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_in_use "$PORT" \
    && die "Port $PORT is already in use: stop what listens there or set STORM_PORT."
port_in_use "$GEVENT_PORT" \
    && die "Port $GEVENT_PORT is already in use: stop what listens there or set STORM_GEVENT_PORT."

# With --workers, Odoo also runs a gevent process (websocket/longpolling) and respawns
# it as soon as it dies. gevent loads its plugins through pkg_resources, and the old
# pkg_resources of this virtualenv (setuptools 65) does not find distributions whose
# metadata folder has a normalized name (zope_interface-8.7.dist-info): the gevent
# process then dies at once, several times a second, which eats the 2 cores the
# benchmark measures. When that is the case, a folder on the server's PYTHONPATH gets
# a metadata-only entry under the old-style name for each missing distribution (the
# installed version; no code), so the gevent process starts normally.
SHIM="$STATE_DIR/storm-pkg-shim"
"$VENV/bin/python" - "$SHIM" <<'PY'
import importlib.metadata
import os
import sys

shim = sys.argv[1]
os.makedirs(shim, exist_ok=True)
sys.path.insert(0, shim)
import pkg_resources  # noqa: E402

for _ in range(10):
    try:
        pkg_resources.require("gevent")
        break
    except pkg_resources.DistributionNotFound as exc:
        name = exc.req.project_name
        version = importlib.metadata.version(name)
        folder = os.path.join(shim, f"{name}-{version}.dist-info")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "METADATA"), "w") as meta:
            meta.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        print(f"(gevent: metadata of {name} {version} added in {shim})")
        pkg_resources.working_set.add_entry(shim)
    except Exception as exc:  # noqa: BLE001 - the server starts anyway
        print(f"(gevent's requirements could not be checked: {exc})")
        break
PY

# The server: exec'd in the background subshell, so $! is Odoo's own pid (the
# prefork master; its workers stop with it).
SERVER_PID=""
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 30); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

: > "$SERVER_LOG"
say "Starting Odoo on $URL: database $DB, $WORKERS workers, no cron (log: $SERVER_LOG)"
(
    export PYTHONPATH="$ODOO_SRC:$SHIM${PYTHONPATH:+:$PYTHONPATH}"
    exec "$VENV/bin/python" "$ODOO_SRC/setup/odoo" -c "$ODOO_CONF" -d "$DB" \
        --db-filter="^$DB\$" --workers="$WORKERS" --max-cron-threads=0 \
        --http-port="$PORT" --gevent-port="$GEVENT_PORT" \
        --log-level=info --logfile="$SERVER_LOG" 2>"$LOGS/storm-server.stderr"
) &
SERVER_PID=$!
for _ in $(seq 1 120); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 30 "$SERVER_LOG" >&2
        die "Odoo stopped before answering (log: $SERVER_LOG)"
    fi
    if curl -sf -o /dev/null --max-time 5 "$URL/web/login"; then break; fi
    sleep 1
done
curl -sf -o /dev/null --max-time 5 "$URL/web/login" \
    || die "Odoo does not answer $URL/web/login after 2 minutes (log: $SERVER_LOG)"

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
