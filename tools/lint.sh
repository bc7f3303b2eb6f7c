#!/usr/bin/env bash
# make lint: ruff, pylint-odoo's mandatory checks and the XML checks on the add-on.
set -euo pipefail
source "$(dirname "$0")/common.sh"
check_venv
cd "$ROOT"
rc=0
paths=("$MODULE" tools)
[ -d bench ] && paths+=(bench)
say "ruff"; "$VENV/bin/ruff" check "${paths[@]}" || rc=1
say "pylint-odoo"; "$VENV/bin/pylint" --rcfile=.pylintrc $MODULE || rc=1
say "xml"; "$VENV/bin/python" tools/lint_xml.py $MODULE || rc=1
say "README.rst"; "$VENV/bin/python" tools/gen_readme.py --check $MODULE || rc=1
[ "$rc" = 0 ] && echo "lint: clean"
exit "$rc"
