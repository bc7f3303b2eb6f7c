#!/usr/bin/env bash
# make run: create (or upgrade) the demo database with the module and its demo data,
# then serve Odoo on http://localhost:$HTTP_PORT.
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
DB="${RUN_DB:-sales_team_queue_demo}"

demo_db "$DB"
echo
echo "Odoo is starting on http://localhost:${HTTP_PORT:-8069}  (database $DB)"
cat <<'LOGINS'
Log in (password = login):
  admin                      sales manager: every team, queue settings, handover
  niran                      leader of Inside Sales (Thai): queue dashboard, targets
  somchai, anan              reps of Inside Sales; somchai is the senior of the VIP pool,
                             anan is leaving: hand his book over (CRM > Configuration)
  wei                        rep of Inside Sales, leader of China Sales
  li, chen                   reps of China Sales (ergonomic-chair product queue)
  linh                       rep of Inside Sales, leader of Vietnam Sales
  tuan, bao                  reps of Vietnam Sales (southern territory, 4 h SLA)
  mai                        rep of Key Accounts (big deals)
LOGINS
echo "Press Ctrl+C to stop."
exec env PYTHONPATH="$ODOO_SRC" "$VENV/bin/python" "$ODOO_SRC/setup/odoo" -c "$ODOO_CONF" \
    -d "$DB" --db-filter="^$DB\$" "$@"
