#!/usr/bin/env bash
# make test-upgrade: an upgrade from the previous version of the module keeps all data.
# Installs the previous version (UPGRADE_FROM, a commit of this repository) with its
# demo data in a fresh database, records what users made (queues, members, leads and
# their owners, stages and probabilities, the ledger, the stage history, settings),
# upgrades to the working tree's version with `-u`, and compares: every row kept,
# unchanged, and the install and upgrade logs clean.
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
FROM="${UPGRADE_FROM:-c557837}"   # 18.0.1.1.0, the version before 18.0.1.2.0
DB="${UPGRADE_DB:-sales_team_queue_upgrade}"
LOGS="$STATE_DIR/logs/$DB"
OLD="$STATE_DIR/upgrade-from"
mkdir -p "$LOGS"
git -C "$ROOT" cat-file -e "$FROM^{commit}" 2>/dev/null \
    || die "UPGRADE_FROM=$FROM is not a commit of this repository: fetch the full history (git fetch --unshallow) or set UPGRADE_FROM."
rm -rf "$OLD"; mkdir -p "$OLD"
git -C "$ROOT" archive "$FROM" "$MODULE" | tar -x -C "$OLD"
OLD_CONF="$STATE_DIR/odoo-upgrade-from.conf"
sed "s#^addons_path = .*#addons_path = $ODOO_SRC/odoo/addons,$OLD#" "$ODOO_CONF" > "$OLD_CONF"

say "Installing $MODULE $(grep -o '"version": "[^"]*"' "$OLD/$MODULE/__manifest__.py" | cut -d'"' -f4) (commit $FROM) with its demo data in $DB"
PGOPTIONS="--client-min-messages=warning" pg_cmd dropdb --if-exists "$DB"
rm -rf "$STATE_DIR/data/filestore/$DB"
: > "$LOGS/install-old.log"
PYTHONPATH="$ODOO_SRC" "$VENV/bin/python" "$ODOO_SRC/setup/odoo" -c "$OLD_CONF" -d "$DB" \
    -i "$MODULE" --stop-after-init --log-level=info --logfile="$LOGS/install-old.log" \
    || { tail -n 30 "$LOGS/install-old.log" >&2; die "Installing the previous version failed (log: $LOGS/install-old.log)"; }

# What users made, one line per table: row count and a digest of the rows.
snapshot() {
    pg_cmd psql -d "$DB" -X -q -t -A -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'queues', count(*), md5(string_agg(concat_ws('|', id, name::text, team_id, sequence, active, strategy, overflow, domain, sla_hours, claim_daily_limit, pool_hide_contact), ',' ORDER BY id)) FROM crm_team_queue;
SELECT 'members', count(*), md5(string_agg(concat_ws('|', id, queue_id, user_id, active, weight, daily_cap, max_open, is_senior), ',' ORDER BY id)) FROM crm_team_queue_member;
SELECT 'leads', count(*), md5(string_agg(concat_ws('|', id, name, user_id, team_id, queue_id, stage_id, probability, pool_date, active, type, email_from, partner_id), ',' ORDER BY id)) FROM crm_lead;
SELECT 'ledger', count(*), md5(string_agg(concat_ws('|', id, lead_id, user_id, previous_user_id, queue_id, team_id, method, reason_code, reason_args::text, wait_minutes, create_date), ',' ORDER BY id)) FROM crm_lead_assignment;
SELECT 'stage history', count(*), md5(string_agg(concat_ws('|', id, lead_id, stage_id, previous_stage_id, user_id, date, probability), ',' ORDER BY id)) FROM crm_lead_stage_history;
SELECT 'stages', count(*), md5(string_agg(concat_ws('|', id, name::text, probability, is_default, is_won, sequence), ',' ORDER BY id)) FROM crm_stage;
SELECT 'teams', count(*), md5(string_agg(concat_ws('|', id, name::text, user_id, probability_mode, lead_visibility, restrict_pool), ',' ORDER BY id)) FROM crm_team;
SELECT 'settings', count(*), md5(string_agg(concat_ws('|', id, queue_backlog_days, queue_activity_type_id, queue_notify_assignee), ',' ORDER BY id)) FROM res_company;
SQL
}
before="$(snapshot)"
echo "$before" | grep -q '^ledger|0|' && die "The previous version's demo wrote no ledger line: nothing to compare."

say "Upgrading $DB to $(grep -o '"version": "[^"]*"' "$ROOT/$MODULE/__manifest__.py" | cut -d'"' -f4) (this working tree) with -u $MODULE"
: > "$LOGS/upgrade.log"
odoo_bin -d "$DB" -u "$MODULE" --stop-after-init --log-level=info --logfile="$LOGS/upgrade.log" \
    || { tail -n 30 "$LOGS/upgrade.log" >&2; die "The upgrade failed (log: $LOGS/upgrade.log)"; }
check_log "$LOGS/upgrade.log" "upgrade"
after="$(snapshot)"
if [ "$before" != "$after" ]; then
    echo "FAILED: the upgrade changed or lost data (table|rows|digest):" >&2
    diff <(echo "$before") <(echo "$after") >&2 || true
    exit 1
fi
echo "$after" | awk -F'|' '{printf "    %-14s %6s rows kept\n", $1, $2}'
say "Upgrade from $FROM: all data kept"
