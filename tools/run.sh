#!/usr/bin/env bash
# make run: create (or upgrade) the demo database with the module and its demo data,
# then serve Odoo on http://localhost:$HTTP_PORT.
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
DB="${RUN_DB:-sales_team_queue_demo}"

if pg_cmd psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    say "Upgrading $MODULE in database $DB"
    odoo_bin -d "$DB" -u "$MODULE" --stop-after-init --log-level=warn
else
    say "Creating database $DB with $MODULE and demo data (about a minute)"
    odoo_bin -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn
fi
echo
echo "Odoo is starting on http://localhost:${HTTP_PORT:-8069}  (database $DB)"
echo "Log in as admin / admin (manager); reps somchai, wei, linh, mai and team leader niran (password = login)"
echo "Press Ctrl+C to stop."
exec env PYTHONPATH="$ODOO_SRC" "$VENV/bin/python" "$ODOO_SRC/setup/odoo" -c "$ODOO_CONF" \
    -d "$DB" --db-filter="^$DB\$" "$@"
