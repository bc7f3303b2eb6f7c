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

# What users made, one line per table: row count and a digest of the rows that
# existed before the upgrade (ids up to $LIMIT_<table>; the upgrade may add rows,
# e.g. the new version's demo data, but must keep and not change these).
TABLES=(crm_team_queue crm_team_queue_member crm_lead crm_lead_assignment
        crm_lead_stage_history crm_stage crm_team res_company)
declare -A LIMIT
for table in "${TABLES[@]}"; do
    LIMIT[$table]="$(pg_cmd psql -d "$DB" -X -q -t -A -c "SELECT COALESCE(max(id), 0) FROM $table")"
done
snapshot() {
    pg_cmd psql -d "$DB" -X -q -t -A -v ON_ERROR_STOP=1 \
        -v queues="${LIMIT[crm_team_queue]}" -v members="${LIMIT[crm_team_queue_member]}" \
        -v leads="${LIMIT[crm_lead]}" -v ledger="${LIMIT[crm_lead_assignment]}" \
        -v history="${LIMIT[crm_lead_stage_history]}" -v stages="${LIMIT[crm_stage]}" \
        -v teams="${LIMIT[crm_team]}" -v companies="${LIMIT[res_company]}" <<'SQL'
SELECT 'queues', count(*), md5(string_agg(concat_ws('|', id, name::text, team_id, sequence, active, strategy, overflow, domain, sla_hours, claim_daily_limit, pool_hide_contact), ',' ORDER BY id)) FROM crm_team_queue WHERE id <= :queues;
SELECT 'members', count(*), md5(string_agg(concat_ws('|', id, queue_id, user_id, active, weight, daily_cap, max_open, is_senior), ',' ORDER BY id)) FROM crm_team_queue_member WHERE id <= :members;
SELECT 'leads', count(*), md5(string_agg(concat_ws('|', id, name, user_id, team_id, queue_id, stage_id, probability, pool_date, active, type, email_from, partner_id, sla_deadline), ',' ORDER BY id)) FROM crm_lead WHERE id <= :leads;
SELECT 'ledger', count(*), md5(string_agg(concat_ws('|', id, lead_id, user_id, previous_user_id, queue_id, team_id, method, reason_code, reason_args::text, wait_minutes, create_date), ',' ORDER BY id)) FROM crm_lead_assignment WHERE id <= :ledger;
SELECT 'stage history', count(*), md5(string_agg(concat_ws('|', id, lead_id, stage_id, previous_stage_id, user_id, date, probability), ',' ORDER BY id)) FROM crm_lead_stage_history WHERE id <= :history;
SELECT 'stages', count(*), md5(string_agg(concat_ws('|', id, name::text, probability, is_default, is_won, sequence), ',' ORDER BY id)) FROM crm_stage WHERE id <= :stages;
SELECT 'teams', count(*), md5(string_agg(concat_ws('|', id, name::text, user_id, probability_mode, lead_visibility, restrict_pool), ',' ORDER BY id)) FROM crm_team WHERE id <= :teams;
SELECT 'settings', count(*), md5(string_agg(concat_ws('|', id, queue_backlog_days, queue_activity_type_id, queue_notify_assignee), ',' ORDER BY id)) FROM res_company WHERE id <= :companies;
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
# The SLA of the leads assigned before: watched when their deadline is ahead, never
# breached after the fact (migrations/18.0.1.2.0).
sla="$(pg_cmd psql -d "$DB" -X -q -t -A -c "SELECT count(*) FILTER (WHERE sla_state = 'running' AND sla_deadline <= now() AT TIME ZONE 'UTC'), count(*) FILTER (WHERE sla_state = 'breached') FROM crm_lead WHERE id <= ${LIMIT[crm_lead]}")"
[ "$sla" = "0|0" ] || die "The upgrade set a passed SLA running or breached on old leads ($sla)"
states="$(pg_cmd psql -d "$DB" -X -q -t -A -F ' ' -c "SELECT sla_state, count(*) FROM crm_lead WHERE id <= ${LIMIT[crm_lead]} AND sla_deadline IS NOT NULL GROUP BY 1 ORDER BY 1" | paste -sd, -)"
echo "    SLA of the old leads with a deadline: ${states:-none}"
say "Upgrade from $FROM: all data kept, no old SLA breached after the fact"
