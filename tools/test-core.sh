#!/usr/bin/env bash
# make test-core: Odoo's own crm and sales_team tests in a database where the module is
# installed and nothing is configured (no demo data of ours): the module must be inert.
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
DB="${CORE_DB:-sales_team_queue_core}"
LOGS="$STATE_DIR/logs/$DB"
install_fresh_db "$DB" "$LOGS/install.log" --without-demo=all
run_pytest "$DB" "$LOGS/test.log" \
    "$ODOO_SRC/odoo/addons/crm/tests" "$ODOO_SRC/odoo/addons/sales_team/tests" "$@"
