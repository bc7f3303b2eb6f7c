#!/usr/bin/env bash
# make setup: Odoo 18's source when ODOO_SRC holds none (a shallow clone of ODOO_GIT_URL
# into ODOO_CACHE), PostgreSQL and Chromium when missing (as root on Debian/Ubuntu), and
# the virtualenv with Odoo 18's Python packages and the test/lint tools.
# Idempotent: does nothing when all is there and requirements.txt has not changed.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_odoo_src
check_odoo_src

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
    || die "Python 3.11 is needed (found $("$PYTHON" --version 2>&1)): install it, or set PYTHON=/path/to/python3.11."

stamp="$VENV/.requirements.sha256"
want="$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "==> .venv is up to date"
else
    say "Creating the virtualenv in $VENV"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    # Some of Odoo's pinned sdists import pkg_resources at build time.
    "$VENV/bin/pip" install -q --disable-pip-version-check "setuptools<70" wheel \
        2> >(grep -v "is ignored: it is neither" >&2)
    # (This machine's pip.conf may name local package folders that do not exist: not
    # an error, so its warnings are filtered out.)
    say "Installing Odoo 18's Python packages and the test/lint tools (a minute or two)"
    with_heartbeat "installing packages" \
        "$VENV/bin/pip" install -q --disable-pip-version-check --no-build-isolation \
        -r "$ROOT/requirements.txt" 2> >(grep -v "is ignored: it is neither" >&2)
    echo "$want" > "$stamp"
fi

# PostgreSQL: install Debian's when there is none at all and we may.
if ! command -v pg_isready >/dev/null && [ -z "${PGHOST:-}" ]; then
    install_debian_packages postgresql || true
fi

# Browser tours need a Chromium; install Debian's when missing and we may.
if ! command -v chromium >/dev/null && ! command -v google-chrome >/dev/null \
        && ! command -v chromium-browser >/dev/null; then
    install_debian_packages chromium \
        || echo "WARNING: no Chromium found: browser tours will fail. Install it (apt-get install chromium)." >&2
fi
