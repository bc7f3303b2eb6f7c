#!/usr/bin/env bash
# make test: a fresh test database with the module (and demo data), then the module's
# tests with pytest-odoo and an HTTP server for the browser tours.
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
DB="${TEST_DB:-sales_team_queue_test}"
LOGS="$STATE_DIR/logs/$DB"
install_fresh_db "$DB" "$LOGS/install.log"
run_pytest "$DB" "$LOGS/test.log" "$ROOT/$MODULE/tests" "$@"
