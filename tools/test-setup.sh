#!/usr/bin/env bash
# The way `make setup` gets Odoo's source on a bare machine, tested against a local git
# repository given in ODOO_GIT_URL (a stand-in for Odoo's, with the two files the
# commands check): a shallow clone of the 18.0 branch into ODOO_CACHE, used when
# ODOO_SRC holds no Odoo, made once; a clear error for a wrong URL or a non-Odoo tree.
set -euo pipefail
TOOLS="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

repo="$WORK/odoo-mirror"
git init -q -b 18.0 "$repo"
mkdir -p "$repo/setup" "$repo/odoo"
echo "version_info = (18, 0, 0, 'final', 0, '')" > "$repo/odoo/release.py"
printf '#!/usr/bin/env python3\n' > "$repo/setup/odoo"
git -C "$repo" add -A
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -q -m "first"
echo "# 2" >> "$repo/odoo/release.py"
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -q -am "second"
git -C "$repo" checkout -q -b 17.0
echo "version_info = (17, 0, 0, 'final', 0, '')" > "$repo/odoo/release.py"
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -q -am "17.0"
git -C "$repo" checkout -q 18.0

# sources common.sh in a clean shell with the given variables, runs the commands
in_setup() {
    env -i PATH="$PATH" HOME="$WORK/home" ODOO_SRC="$WORK/no-odoo-here" \
        ODOO_CACHE="$WORK/cache/odoo-18.0" "$@"
}
script='source "'"$TOOLS"'/common.sh"; ensure_odoo_src; check_odoo_src; echo "ODOO_SRC=$ODOO_SRC"'

out="$(in_setup ODOO_GIT_URL="$repo" bash -c "$script")"
echo "$out" | grep -q "cloning $repo (18.0, shallow)" || fail "no clone announced: $out"
echo "$out" | grep -q "^ODOO_SRC=$WORK/cache/odoo-18.0$" || fail "the clone is not used: $out"
[ "$(git -C "$WORK/cache/odoo-18.0" rev-list --count HEAD)" = 1 ] || fail "the clone is not shallow"
git -C "$WORK/cache/odoo-18.0" rev-parse --abbrev-ref HEAD | grep -qx 18.0 || fail "not the 18.0 branch"
echo "ok: a local repository in ODOO_GIT_URL is cloned shallow into ODOO_CACHE and used"

out="$(in_setup ODOO_GIT_URL="$WORK/gone" bash -c "$script")"
echo "$out" | grep -q "cloning" && fail "cloned again: $out"
echo "$out" | grep -q "^ODOO_SRC=$WORK/cache/odoo-18.0$" || fail "the cached clone is not found: $out"
echo "ok: the next commands find the clone without cloning again"

rm -rf "$WORK/cache"
if err="$(in_setup ODOO_GIT_URL="$WORK/gone" bash -c "$script" 2>&1)"; then fail "a wrong URL passed"; fi
echo "$err" | grep -q "ERROR: Could not clone $WORK/gone (branch 18.0): check ODOO_GIT_URL" \
    || fail "unclear error for a wrong URL: $err"
echo "ok: a wrong ODOO_GIT_URL says what to do"

if err="$(in_setup ODOO_GIT_URL="$repo" ODOO_GIT_BRANCH=17.0 bash -c "$script" 2>&1)"; then
    fail "a tree that is not 18.0 passed"
fi
echo "$err" | grep -q "is not Odoo 18.0" || fail "unclear error for another version: $err"
[ ! -e "$WORK/cache/odoo-18.0" ] || fail "a tree that is not 18.0 was kept in the cache"
echo "ok: a branch that is not Odoo 18.0 is refused and not kept"
echo "setup clone path: all checks passed"
