# Sourced by the benchmarks that need a real Odoo server (tools/bench-storm.sh,
# tools/bench-faults.sh), after tools/common.sh and `prepare`, with DB set. It sets
# PORT, GEVENT_PORT, WORKERS (STORM_PORT, STORM_GEVENT_PORT, STORM_WORKERS) and
# LOGS; the caller sets SERVER_LOG (and CRON_WORKERS: 0 unless set), calls
# reuse_or_install (tools/common.sh), then start_bench_server: SERVER_PID is then
# the pid of Odoo's prefork master, stopped on exit (stop_server). URL is the
# server's address. SERVER_ARGS (an array, optional): more options for the server.
PORT="${STORM_PORT:-8079}"
GEVENT_PORT="${STORM_GEVENT_PORT:-8078}"
WORKERS="${STORM_WORKERS:-4}"
URL="http://127.0.0.1:$PORT"
LOGS="$STATE_DIR/logs/$DB"
mkdir -p "$LOGS"

start_bench_server() {
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

    : > "$SERVER_LOG"
    say "Starting Odoo on $URL: database $DB, $WORKERS workers, ${CRON_WORKERS:-0} cron workers (log: $SERVER_LOG)"
    (
        export PYTHONPATH="$ODOO_SRC:$SHIM${PYTHONPATH:+:$PYTHONPATH}"
        exec "$VENV/bin/python" "$ODOO_SRC/setup/odoo" -c "$ODOO_CONF" -d "$DB" \
            --db-filter="^$DB\$" --workers="$WORKERS" --max-cron-threads="${CRON_WORKERS:-0}" \
            --http-port="$PORT" --gevent-port="$GEVENT_PORT" \
            --log-level=info --logfile="$SERVER_LOG" ${SERVER_ARGS[@]+"${SERVER_ARGS[@]}"} 2>"${SERVER_LOG%.log}.stderr"
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
}

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
