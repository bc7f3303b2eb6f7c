# Shared by the project's commands (sourced, not run). Finds Odoo's source, the
# virtualenv and PostgreSQL, and writes the Odoo configuration file they use.
# Every check that fails prints one line that says what to do, then exits 2.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo/18.0}"
# Where `make setup` clones Odoo 18.0 when ODOO_SRC holds no Odoo (outside the
# repository), and from where: any git URL or local path (a company's mirror).
ODOO_CACHE="${ODOO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sales_team_queue/odoo-18.0}"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
ODOO_GIT_BRANCH="${ODOO_GIT_BRANCH:-18.0}"
has_odoo_src() { [ -f "$1/setup/odoo" ] && [ -f "$1/odoo/release.py" ]; }
if ! has_odoo_src "$ODOO_SRC" && has_odoo_src "$ODOO_CACHE"; then
    ODOO_SRC="$ODOO_CACHE"
fi
VENV="${VENV:-$ROOT/.venv}"
STATE_DIR="${STATE_DIR:-$ROOT/.odoo}"
ODOO_CONF="$STATE_DIR/odoo.conf"
MODULE=sales_team_queue
# The add-on and its bridges (installed by themselves with the Odoo app they
# bridge to, tested by `make test-core`, where those apps are installed).
ADDONS=(sales_team_queue sales_team_queue_website_crm sales_team_queue_event_crm
        sales_team_queue_mass_mailing_crm sales_team_queue_website_crm_partner_assign)

die() { echo "ERROR: $*" >&2; exit 2; }
say() { echo "==> $*"; }

# Run "$@" in the foreground; while it runs, say every 10 s that it still does (no
# silent minute). The heartbeat stops with the command, or when the script dies.
with_heartbeat() {
    local what=$1 beat rc=0 parent=$$; shift
    (
        start=$SECONDS
        while sleep 10 && kill -0 "$parent" 2>/dev/null; do
            echo "    ... $what ($((SECONDS - start)) s)"
        done
    ) &
    beat=$!
    "$@" || rc=$?
    kill "$beat" 2>/dev/null || true
    wait "$beat" 2>/dev/null || true
    return "$rc"
}

# Odoo's log on stdin: one line per module as Odoo loads it (and its demo data),
# the warnings and errors with their tracebacks; the rest is left out.
odoo_progress() {
    awk '/ odoo\.modules\.loading: loading [a-z0-9_]+\// {
             split($0, a, " odoo.modules.loading: loading "); split(a[2], b, "/")
             if (b[1] != last) { print "    loading " b[1]; last = b[1]; fflush() }
             next
         }
         / odoo\.modules\.loading: Module [a-z0-9_]+: loading demo/ {
             split($0, a, "Module "); split(a[2], b, ":")
             print "    demo data of " b[1]; fflush(); next
         }
         / (WARNING|ERROR|CRITICAL) / { print; fflush(); told = 1; next }
         # the traceback and the details that follow a warning or an error
         told && !/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { print; fflush(); next }
         { told = 0 }'
}

check_odoo_src() {
    if ! has_odoo_src "$ODOO_SRC"; then
        die "Odoo 18 source not found at ODOO_SRC=$ODOO_SRC: run 'make setup' (it clones $ODOO_GIT_URL into $ODOO_CACHE), or download it from https://www.odoo.com/page/download (source) and set ODOO_SRC to that folder."
    fi
    if ! grep -q "^version_info = (18, 0" "$ODOO_SRC/odoo/release.py"; then
        die "ODOO_SRC=$ODOO_SRC is not Odoo 18.0 (see its odoo/release.py): point ODOO_SRC at an Odoo 18.0 source tree."
    fi
}

# Odoo's source: ODOO_SRC when it holds one, else a shallow clone of ODOO_GIT_URL
# (branch ODOO_GIT_BRANCH) into ODOO_CACHE, made once and reused.
ensure_odoo_src() {
    has_odoo_src "$ODOO_SRC" && return
    command -v git >/dev/null || install_debian_packages git \
        || die "git is needed to get Odoo's source: install it, or set ODOO_SRC to an unpacked Odoo 18.0 source."
    local url=$ODOO_GIT_URL tmp="$ODOO_CACHE.partial"
    # A plain local path would be cloned whole: as file:// the clone stays shallow.
    [ -d "$url" ] && url="file://$(cd "$url" && pwd)"
    say "No Odoo source at $ODOO_SRC: cloning $ODOO_GIT_URL ($ODOO_GIT_BRANCH, shallow) into $ODOO_CACHE (a few minutes over the Internet)"
    rm -rf "$tmp"; mkdir -p "$(dirname "$ODOO_CACHE")"
    git clone -q --depth 1 --single-branch --branch "$ODOO_GIT_BRANCH" "$url" "$tmp" \
        || die "Could not clone $ODOO_GIT_URL (branch $ODOO_GIT_BRANCH): check ODOO_GIT_URL (any git URL or local path), or set ODOO_SRC to an unpacked Odoo 18.0 source."
    has_odoo_src "$tmp" || die "$ODOO_GIT_URL (branch $ODOO_GIT_BRANCH) is not an Odoo source tree (no setup/odoo or odoo/release.py)."
    grep -q "^version_info = (18, 0" "$tmp/odoo/release.py" \
        || die "$ODOO_GIT_URL (branch $ODOO_GIT_BRANCH) is not Odoo 18.0 (see its odoo/release.py): set ODOO_GIT_BRANCH to Odoo 18.0's branch."
    rm -rf "$ODOO_CACHE"; mv "$tmp" "$ODOO_CACHE"
    ODOO_SRC="$ODOO_CACHE"
}

# Debian/Ubuntu packages, installed only as root with apt-get; false otherwise.
install_debian_packages() {
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
    say "Installing Debian's $*"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

check_venv() {
    [ -x "$VENV/bin/python" ] || die "No virtualenv at $VENV: run 'make setup' first."
}

# odoo-bin from source, in the virtualenv.
odoo_bin() {
    PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" "$ODOO_SRC/setup/odoo" -c "$ODOO_CONF" "$@"
}

pg_ready() { pg_isready -q -t 5 "$@" >/dev/null 2>&1; }

# PostgreSQL: PGHOST/PGPORT/PGUSER(/PGPASSWORD) when set; otherwise the local cluster,
# started when it is stopped (as root), with a role for Odoo (Odoo refuses 'postgres').
ensure_postgres() {
    command -v pg_isready >/dev/null || die "PostgreSQL client tools not found: install PostgreSQL 15 (e.g. 'apt-get install postgresql') or put its bin folder on PATH."
    if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]; then
        DB_HOST="${PGHOST:-}"; DB_PORT="${PGPORT:-}"
        DB_USER="${PGUSER:-$(id -un)}"; DB_PASSWORD="${PGPASSWORD:-}"
        pg_ready ${DB_HOST:+-h "$DB_HOST"} ${DB_PORT:+-p "$DB_PORT"} \
            || die "PostgreSQL is unreachable at ${DB_HOST:-local socket}:${DB_PORT:-5432} (from PGHOST/PGPORT): start that server or correct PGHOST/PGPORT."
        return
    fi
    if ! pg_ready; then
        if [ "$(id -u)" = 0 ] && command -v pg_lsclusters >/dev/null; then
            local ver name
            read -r ver name _ < <(pg_lsclusters --no-header | sort -k1,1nr | head -n 1)
            [ -n "${ver:-}" ] || die "No local PostgreSQL cluster: create one ('pg_createcluster 15 main') or set PGHOST/PGPORT/PGUSER."
            say "Starting local PostgreSQL cluster $ver/$name"
            pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >/dev/null 2>&1 || true
            for _ in 1 2 3 4 5 6 7 8 9 10; do pg_ready && break; sleep 1; done
        fi
        pg_ready || die "PostgreSQL is not running on this machine: start it (e.g. 'sudo pg_ctlcluster 15 main start') or set PGHOST/PGPORT/PGUSER to a running server."
    fi
    if [ "$(id -u)" = 0 ]; then
        # As root: a dedicated role reached over TCP with a password (peer
        # authentication would need an OS user of the same name).
        DB_HOST=localhost; DB_PORT=""; DB_USER="${ODOO_DB_USER:-odoo}"; DB_PASSWORD="${ODOO_DB_PASSWORD:-odoo}"
        if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'\"" 2>/dev/null | grep -q 1; then
            say "Creating PostgreSQL role $DB_USER"
            su postgres -c "psql -q -c \"CREATE ROLE \\\"$DB_USER\\\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'\"" >/dev/null \
                || die "Could not create the PostgreSQL role $DB_USER: create it by hand (createuser -d -P $DB_USER) or set PGUSER/PGPASSWORD."
        fi
    else
        DB_HOST=""; DB_PORT=""; DB_USER="$(id -un)"; DB_PASSWORD=""
        psql -d postgres -tAc "SELECT 1" >/dev/null 2>&1 \
            || die "PostgreSQL refuses the role $DB_USER: create it ('sudo -u postgres createuser -d $DB_USER') or set PGHOST/PGPORT/PGUSER/PGPASSWORD."
    fi
}

# PostgreSQL client commands with the same connection as Odoo.
pg_cmd() {
    local cmd=$1; shift
    PGPASSWORD="$DB_PASSWORD" "$cmd" ${DB_HOST:+-h "$DB_HOST"} ${DB_PORT:+-p "$DB_PORT"} -U "$DB_USER" "$@"
}

write_config() {
    mkdir -p "$STATE_DIR/data"
    cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $ODOO_SRC/odoo/addons,$ROOT
data_dir = $STATE_DIR/data
db_host = ${DB_HOST:-False}
db_port = ${DB_PORT:-False}
db_user = $DB_USER
db_password = ${DB_PASSWORD:-False}
http_port = ${HTTP_PORT:-8069}
max_cron_threads = ${MAX_CRON_THREADS:-1}
CONF
}

# Everything a command needs before it can start Odoo.
prepare() {
    check_odoo_src
    check_venv
    ensure_postgres
    write_config
}

# Log lines at WARNING or above, less those the allow-list explains.
bad_log_lines() {
    local log=$1
    grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$log" \
        | grep -v -E -f <(grep -v -E '^\s*(#|$)' "$ROOT/tools/log-allowlist.txt") || true
}

check_log() {
    local log=$1 what=$2 bad
    bad="$(bad_log_lines "$log")"
    if [ -n "$bad" ]; then
        echo "FAILED: the $what log holds WARNING/ERROR lines ($log):" >&2
        echo "$bad" | head -n 40 >&2
        return 1
    fi
}

# The demo database $1: the module upgraded when it exists, installed with demo
# data otherwise (make run, make screenshots).
demo_db() {
    local db=$1
    if pg_cmd psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
        say "Upgrading $MODULE in database $db"
        odoo_bin -d "$db" -u "$MODULE" --stop-after-init --log-level=info 2>&1 | odoo_progress \
            || die "Upgrading $MODULE in $db failed (see the errors above)"
    else
        say "Creating database $db with $MODULE and demo data (about a minute)"
        odoo_bin -d "$db" -i "$MODULE" --stop-after-init --log-level=info 2>&1 | odoo_progress \
            || die "Installing $MODULE in $db failed (see the errors above)"
    fi
}

# A fresh database with the module installed; the install log must be clean.
install_fresh_db() {
    local db=$1 log=$2; shift 2
    PGOPTIONS="--client-min-messages=warning" pg_cmd dropdb --if-exists "$db"
    rm -rf "$STATE_DIR/data/filestore/$db"
    mkdir -p "$(dirname "$log")"; : > "$log"
    say "Installing $MODULE in a fresh database $db $*"
    with_heartbeat "installing (log: $log)" \
        odoo_bin -d "$db" -i "$MODULE" --stop-after-init --log-level=info --logfile="$log" "$@" \
        || { tail -n 30 "$log" >&2; die "Installing $MODULE failed (full log: $log)"; }
    check_log "$log" "install"
}

# pytest-odoo against a database; fails on a failed test, on no test, on a dirty log.
# Ends with pytest's summary line.
run_pytest() {
    local db=$1 log=$2 out rc summary; shift 2
    out="$log.out"; : > "$log"
    set +e
    PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" -m pytest \
        -p no:cacheprovider -ra --color=no \
        --odoo-database="$db" --odoo-config="$ODOO_CONF" --odoo-http \
        --odoo-log-level=info --odoo-extra="logfile=$log" "$@" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    set -e
    summary="$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected).* in [0-9.]+s|no tests ran' "$out" | tail -n 1 || true)"
    if [ "$rc" = 5 ]; then
        echo "FAILED: no test ran." >&2; rc=1
    fi
    if ! check_log "$log" "test"; then rc=1; fi
    if [ "$rc" != 0 ]; then
        echo "FAILED (exit $rc; Odoo log: $log)" >&2
        # End with pytest's summary line all the same.
        [ -z "$summary" ] || echo "$summary"
    fi
    return "$rc"
}

# The benchmarks' options: --reuse sets reuse=1 (keep a database where the module is
# installed); the others are kept in args, for the benchmark's script.
parse_bench_args() {
    reuse=0
    args=()
    for arg in "$@"; do
        case "$arg" in
            --reuse) reuse=1 ;;
            *) args+=("$arg") ;;
        esac
    done
}

# The state of the module in database $1 (empty when there is no such database).
module_state() {
    pg_cmd psql -d "$1" -tAc \
        "SELECT state FROM ir_module_module WHERE name = '$MODULE'" 2>/dev/null || true
}

# With --reuse ($1 = 1), keep database $DB when the module is installed there; otherwise
# build it (install log in $LOGS). $2: what is reusing it.
reuse_or_install() {
    if [ "$1" = 1 ] && [ "$(module_state "$DB")" = installed ]; then
        say "$2: reusing database $DB"
    else
        install_fresh_db "$DB" "$LOGS/install.log" --without-demo=all
    fi
}

# in_process_bench WHAT SCRIPT OUT DB [ARGS...]: the in-process benchmark bench/SCRIPT
# (WHAT: its name in messages) on database DB (reused with --reuse in ARGS when the
# module is installed there, else built), its output also in $LOGS/OUT.
in_process_bench() {
    local what="$1" script="$2" out="$3"
    DB="$4"
    shift 4
    parse_bench_args "$@"
    prepare
    LOGS="$STATE_DIR/logs/$DB"
    mkdir -p "$LOGS"
    reuse_or_install "$reuse" "$what"
    say "$what benchmark in database $DB"
    PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" \
        "$ROOT/bench/$script" -c "$ODOO_CONF" -d "$DB" ${args[@]+"${args[@]}"} \
        | tee "$LOGS/$out"
}
