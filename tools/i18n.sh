#!/usr/bin/env bash
# make i18n: export the module's terms to i18n/sales_team_queue.pot from a fresh
# database, then merge them into the shipped languages (th, zh_CN, vi). New terms arrive
# untranslated (msgstr ""): translate them before committing; `make test` checks that
# every term has a translation in every shipped language.
set -euo pipefail
source "$(dirname "$0")/common.sh"
prepare
DB="${I18N_DB:-sales_team_queue_i18n}"
I18N="$ROOT/$MODULE/i18n"
# With demo data: its translatable names are part of the terms, as in Odoo.
install_fresh_db "$DB" "$STATE_DIR/logs/$DB/install.log"
say "Exporting $I18N/$MODULE.pot"
odoo_bin -d "$DB" --i18n-export="$I18N/$MODULE.pot" --modules="$MODULE" \
    --stop-after-init --log-level=warn
for lang in th zh_CN vi; do
    po="$I18N/$lang.po"
    if [ -f "$po" ]; then
        msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$I18N/$MODULE.pot"
    else
        msginit --no-translator --no-wrap --locale="$lang" --input="$I18N/$MODULE.pot" \
            --output-file="$po" >/dev/null 2>&1
    fi
    echo "$lang: $(msgfmt --statistics -o /dev/null "$po" 2>&1)"
done
