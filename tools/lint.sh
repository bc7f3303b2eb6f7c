#!/usr/bin/env bash
# make lint: ruff, pylint-odoo's mandatory checks, OCA's module and .po checks
# (oca-odoo-pre-commit-hooks, the version OCA's 18.0 repositories pin) and README.rst.
set -euo pipefail
source "$(dirname "$0")/common.sh"
check_venv
cd "$ROOT"
rc=0
paths=("${ADDONS[@]}" tools)
[ -d bench ] && paths+=(bench)
say "ruff"; "$VENV/bin/ruff" check "${paths[@]}" || rc=1
say "pylint-odoo"; "$VENV/bin/pylint" --rcfile=.pylintrc "${ADDONS[@]}" || rc=1
# Manifest, XML and CSV files the manifest declares (syntax, duplicate or missing
# xml ids, duplicate fields, deprecated nodes, users created without
# no_reset_password, ...).
say "oca-checks-odoo-module"
for addon in "${ADDONS[@]}"; do "$VENV/bin/oca-checks-odoo-module" "$addon" || rc=1; done
# po-pretty-format off, as in OCA's 18.0 repositories: the .po files are Odoo's
# export merged by msgmerge (`make i18n`), in Odoo's order, not sorted by msgid.
say "oca-checks-po"
for addon in "${ADDONS[@]}"; do
    "$VENV/bin/oca-checks-po" --disable=po-pretty-format \
        "$addon"/i18n/*.po "$addon"/i18n/*.pot || rc=1
done
# Every term of a bridge translated, none fuzzy, in each shipped language (the
# module's own: `make test`, test_i18n).
for addon in "${ADDONS[@]:1}"; do
    for lang in th zh_CN vi; do
        po="$addon/i18n/$lang.po"
        if [ ! -f "$po" ]; then
            echo "$po: missing (make i18n)"; rc=1; continue
        fi
        left="$(msgattrib --untranslated --no-obsolete "$po" \
                && msgattrib --only-fuzzy --no-obsolete "$po")" || { rc=1; continue; }
        if [ -n "$left" ]; then
            echo "$po: untranslated or fuzzy terms (make i18n, then translate)"; rc=1
        fi
    done
done
# What OCA's checks (and Odoo) let through: a <menuitem> whose id is used again (by
# a menu or a record) is silently rewritten by the later one; Odoo 18 accepts an
# inline <tree> sub-view without a word and shows the model's default list instead
# (a <tree> view, attrs= and states= it refuses at install).
say "menuitem ids, <tree>"
"$VENV/bin/python" - "${ADDONS[@]}" <<'PY' || rc=1
import collections, pathlib, sys
from lxml import etree
nodes = [(path, node) for addon in sys.argv[1:]
         for path in sorted(pathlib.Path(addon).rglob("*.xml"))
         for node in etree.parse(str(path)).iter("menuitem", "record", "template", "tree")]
ids = collections.Counter(node.get("id") for _path, node in nodes if node.tag != "tree")
bad = [f"{path}:{node.sourceline}: <tree> is <list> in Odoo 18" for path, node in nodes
       if node.tag == "tree"]
bad += [f"{path}:{node.sourceline}: <menuitem> id {node.get('id')} is used again"
        for path, node in nodes if node.tag == "menuitem" and ids[node.get("id")] > 1]
sys.exit("\n".join(bad) or None)
PY
say "README.rst"
for addon in "${ADDONS[@]}"; do
    "$VENV/bin/python" tools/gen_readme.py --check "$addon" || rc=1
done
[ "$rc" = 0 ] && echo "lint: clean"
exit "$rc"
