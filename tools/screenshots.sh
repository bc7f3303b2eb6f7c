#!/usr/bin/env bash
# make screenshots: the pictures in sales_team_queue/static/description/, taken from the
# demo database (created or upgraded as by `make run`) in a headless Chromium by
# tools/screenshots.py. Names of screens may be given to take only those.
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
DB="${RUN_DB:-sales_team_queue_demo}"
PORT="${SHOTS_PORT:-8090}"
LOGS="$STATE_DIR/logs/$DB"; mkdir -p "$LOGS"
demo_db "$DB"
say "Starting Odoo on port $PORT for the screenshots"
# (the server itself in the background, not a subshell, so that it can be stopped)
PYTHONPATH="$ODOO_SRC" "$VENV/bin/python" "$ODOO_SRC/setup/odoo" -c "$ODOO_CONF" \
    -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" --gevent-port=$((PORT + 1)) \
    --max-cron-threads=0 --log-level=warn --logfile="$LOGS/screenshots.log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/web/login" && break
    sleep 1
done
say "Taking the screenshots"
PYTHONPATH="$ODOO_SRC" "$VENV/bin/python" "$ROOT/tools/screenshots.py" \
    --url "http://127.0.0.1:$PORT" --db "$DB" "$@"
