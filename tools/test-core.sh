#!/usr/bin/env bash
# make test-core: Odoo's own tests with this module installed and nothing configured (no
# demo data of ours): the module must be inert for crm and for the add-ons that extend
# it.
#  1. crm's and sales_team's tests (pytest-odoo) in a database with the module;
#  2. then, in the same database, Odoo's add-ons that extend crm are installed after the
#     module with their tests, by Odoo's own test runner, as Odoo runs them: each
#     add-on's at_install tests right after it is installed, post_install ones at the
#     end (this is what catches a column of ours that an add-on's data or tests cannot
#     fill). website_crm_partner_assign's TestPublish browser tours are left out: they
#     time out on 2-core machines without this module too (measured), so they would
#     tell nothing. The module's bridges (ADDONS: website_crm, event_crm,
#     mass_mailing_crm, website_crm_partner_assign) install by themselves with those
#     add-ons and run their tests there too.
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
DB="${CORE_DB:-sales_team_queue_core}"
LOGS="$STATE_DIR/logs/$DB"
FAMILY=(website_crm crm_livechat crm_sms mass_mailing_crm event_crm crm_iap_mine
        crm_iap_enrich website_crm_partner_assign crm_mail_plugin)
install_fresh_db "$DB" "$LOGS/install.log" --without-demo=all
run_pytest "$DB" "$LOGS/test.log" \
    "$ODOO_SRC/odoo/addons/crm/tests" "$ODOO_SRC/odoo/addons/sales_team/tests" "$@"

# The module's bridges (ADDONS) install by themselves with the add-ons they
# bridge to, and run their tests here.
tags="$(printf '/%s,' "${FAMILY[@]}" "${ADDONS[@]:1}")-/website_crm_partner_assign:TestPublish"
log="$LOGS/family.log"
say "Installing, after $MODULE, Odoo's add-ons that extend crm with their tests: ${FAMILY[*]}"
: > "$log"
if ! odoo_bin -d "$DB" -i "$(IFS=,; echo "${FAMILY[*]}")" --without-demo=all \
        --test-enable --test-tags="$tags" --stop-after-init \
        --log-level=info --logfile="$log"; then
    tail -n 30 "$log" >&2
    die "Installing ${FAMILY[*]} with their tests failed (full log: $log)"
fi
# Odoo's runner logs each failure and its summary as ERROR lines.
check_log "$log" "crm family tests" || exit 1
summary="$(grep -E "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$log" || true)"
tests="$(grep -oE "of [0-9]+ tests" <<<"$summary" | awk '{n += $2} END {print n + 0}')"
[ "$tests" -gt 0 ] || die "No test of ${FAMILY[*]} ran (log: $log)"
say "crm family: $tests tests of ${#FAMILY[@]} add-ons passed with $MODULE installed"
