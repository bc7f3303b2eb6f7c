#!/usr/bin/env bash
# make i18n: export the module's terms to i18n/sales_team_queue.pot from a fresh
# database, then merge them into the shipped languages (th, zh_CN, vi); then the same
# for each bridge (ADDONS), installed in that database with the app it bridges to. New
# terms arrive untranslated (msgstr ""): translate them before committing; `make test`
# checks that every term of the module has a translation in every shipped language,
# `make lint` the bridges'.
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
DB="${I18N_DB:-sales_team_queue_i18n}"
# With demo data: its translatable names are part of the terms, as in Odoo.
install_fresh_db "$DB" "$STATE_DIR/logs/$DB/install.log"
export_terms() {
    local addon=$1 i18n="$ROOT/$1/i18n"
    say "Exporting $i18n/$addon.pot"
    odoo_bin -d "$DB" --i18n-export="$i18n/$addon.pot" --modules="$addon" \
        --stop-after-init --log-level=warn
    for lang in th zh_CN vi; do
        po="$i18n/$lang.po"
        if [ -f "$po" ]; then
            msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$i18n/$addon.pot"
        else
            msginit --no-translator --no-wrap --locale="$lang" --input="$i18n/$addon.pot" \
                --output-file="$po" >/dev/null 2>&1
        fi
        echo "$addon $lang: $(msgfmt --statistics -o /dev/null "$po" 2>&1)"
    done
}
export_terms "$MODULE"
bridges=("${ADDONS[@]:1}")
if [ "${#bridges[@]}" -gt 0 ]; then
    say "Installing the bridges: ${bridges[*]}"
    odoo_bin -d "$DB" -i "$(IFS=,; echo "${bridges[*]}")" --stop-after-init --log-level=warn
    for addon in "${bridges[@]}"; do export_terms "$addon"; done
fi
