#!/usr/bin/env bash
# make test-wheel: the add-on packaged the way OCA's are. whool builds the wheel
# odoo-addon-sales_team_queue from sales_team_queue/pyproject.toml (git-tracked files
# only; the version is the manifest's); pip installs it, offline, into a throw-away
# virtualenv where Odoo 18 is installed; Odoo finds it in the odoo.addons namespace, with
# no addons path to this repository, and installs it in a fresh database
# (WHEEL_DB, dropped at the end) with a clean log.
set -euo pipefail
source "$(dirname "$0")/common.sh"
check_odoo_src
check_venv
ensure_postgres
DB="${WHEEL_DB:-sales_team_queue_wheel}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

untracked="$(git -C "$ROOT" ls-files --others --exclude-standard -- "$MODULE")"
[ -z "$untracked" ] || echo "WARNING: not in git, so not in the wheel (git add them):"$'\n'"$untracked" >&2

say "Building the wheel with whool"
"$VENV/bin/pip" wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
    -w "$WORK/dist" "$ROOT/$MODULE" 2> >(grep -v "is ignored: it is neither" >&2) \
    || fail "whool could not build the wheel"
wheel=("$WORK"/dist/odoo_addon_"$MODULE"-18.0.*-py3-none-any.whl)
[ -f "${wheel[0]}" ] || fail "no odoo_addon_$MODULE-18.0.* wheel in: $(ls "$WORK/dist")"
echo "    $(basename "${wheel[0]}")"

# An Odoo environment: a new virtualenv that sees Odoo's packages (those of VENV) and
# Odoo's source, registered as the distribution "odoo" of ODOO_SRC's version, as
# `pip install -e ODOO_SRC` would do (without writing into ODOO_SRC).
say "Installing it with pip into a new virtualenv with Odoo 18"
env="$WORK/venv"
"$VENV/bin/python" -m venv "$env"
site="$("$env/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
printf '%s\n%s\n' "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
    "$ODOO_SRC" > "$site/odoo-environment.pth"
odoo_version="$("$env/bin/python" -c 'import sys; ns = {}; exec(open(sys.argv[1]).read(), ns); print(ns["version"])' "$ODOO_SRC/odoo/release.py")"
mkdir "$site/odoo-$odoo_version.dist-info"
printf 'Metadata-Version: 2.1\nName: odoo\nVersion: %s\n' "$odoo_version" \
    > "$site/odoo-$odoo_version.dist-info/METADATA"
# Offline: what the wheel requires must already be there (Odoo 18, nothing else).
"$env/bin/pip" install -q --disable-pip-version-check --no-index "${wheel[0]}" \
    2> >(grep -v "is ignored: it is neither" >&2) \
    || fail "pip could not install the wheel in an Odoo $odoo_version environment"
"$env/bin/pip" show -q "odoo-addon-$MODULE" >/dev/null || fail "pip does not list odoo-addon-$MODULE"

cat > "$WORK/odoo.conf" <<CONF
[options]
addons_path = $ODOO_SRC/odoo/addons
data_dir = $WORK/data
db_host = ${DB_HOST:-False}
db_port = ${DB_PORT:-False}
db_user = $DB_USER
db_password = ${DB_PASSWORD:-False}
CONF
found="$(cd "$WORK" && "$env/bin/python" -c '
import sys, odoo
from odoo.modules.module import get_module_path
odoo.tools.config.parse_config(["-c", sys.argv[1]])
print(get_module_path(sys.argv[2], display_warning=False))' "$WORK/odoo.conf" "$MODULE")"
[ "$found" = "$site/odoo/addons/$MODULE" ] \
    || fail "Odoo finds $MODULE at '$found', not in the virtualenv ($site/odoo/addons)"
echo "    Odoo finds it at $found"

log="$STATE_DIR/logs/$DB/install.log"
mkdir -p "$(dirname "$log")"; : > "$log"
PGOPTIONS="--client-min-messages=warning" pg_cmd dropdb --if-exists "$DB"
say "Installing the pip-installed $MODULE in a fresh database $DB, with its demo data"
(cd "$WORK" && with_heartbeat "installing (log: $log)" \
    "$env/bin/python" "$ODOO_SRC/setup/odoo" -c "$WORK/odoo.conf" -d "$DB" -i "$MODULE" \
    --stop-after-init --log-level=info --logfile="$log") \
    || { tail -n 30 "$log" >&2; fail "installing $MODULE from the wheel failed (log: $log)"; }
check_log "$log" "install" || exit 1
[ "$(module_state "$DB")" = installed ] || fail "$MODULE is not installed in $DB (log: $log)"
PGOPTIONS="--client-min-messages=warning" pg_cmd dropdb --if-exists "$DB"
echo "wheel: built by whool, installed by pip, installed by Odoo with a clean log"
