#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL cluster, on the same machine, for
# `make test-replica` (tools/test-replica.sh): Odoo's read-only requests go there
# with --db_replica_host/--db_replica_port. Debian's cluster tools, as root.
#   bash tools/replica.sh          # create, fill from the primary, start, wait for streaming
#   bash tools/replica.sh --drop   # stop and drop it, and its replication slot on the primary
# Idempotent: a replica that already streams is left as it is; a cluster of that
# name that is no standby (a half-made one) is dropped and made again.
# The primary must accept local replication connections of the postgres user and
# have wal_level replica or logical (Debian's defaults): this script checks both and
# changes nothing on the primary but a replication slot (dropped with --drop). The
# slot keeps on the primary the WAL the replica has not read: drop a replica you stop
# using (--drop), do not leave it stopped.
# Variables: PG_VERSION (the primary's, default: the newest local cluster's),
# PRIMARY_CLUSTER (main), PRIMARY_PORT (5432), REPLICA_CLUSTER (replica),
# REPLICA_PORT (5433).
set -euo pipefail

die() { echo "ERROR: $*" >&2; exit 2; }
say() { echo "==> $*"; }

[ "$(id -u)" = 0 ] || die "tools/replica.sh creates a PostgreSQL cluster: run it as root (sudo)."
command -v pg_lsclusters >/dev/null \
    || die "Debian's PostgreSQL cluster tools (pg_lsclusters, pg_createcluster) are needed: install postgresql-common."

PRIMARY_CLUSTER="${PRIMARY_CLUSTER:-main}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_CLUSTER="${REPLICA_CLUSTER:-replica}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
PG_VERSION="${PG_VERSION:-$(pg_lsclusters --no-header | awk -v c="$PRIMARY_CLUSTER" '$2 == c {print $1}' | sort -nr | head -n 1)}"
[ -n "$PG_VERSION" ] || die "No PostgreSQL cluster '$PRIMARY_CLUSTER' on this machine (pg_lsclusters): set PRIMARY_CLUSTER/PG_VERSION."
SLOT="${REPLICA_CLUSTER//[^a-z0-9_]/_}_slot"
BIN="/usr/lib/postgresql/$PG_VERSION/bin"

on_primary() { su postgres -c "psql -X -q -p $PRIMARY_PORT -d postgres -tAc \"$1\""; }
on_replica() { su postgres -c "psql -X -q -p $REPLICA_PORT -d postgres -tAc \"$1\"" 2>/dev/null; }
replica_exists() { pg_lsclusters --no-header | awk -v v="$PG_VERSION" -v c="$REPLICA_CLUSTER" '$1 == v && $2 == c' | grep -q .; }
drop_slot() {
    on_primary "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active" >/dev/null
}

drop_replica() {
    if replica_exists; then
        say "Dropping cluster $PG_VERSION/$REPLICA_CLUSTER"
        pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" stop -m fast 2>/dev/null || true
        pg_dropcluster "$PG_VERSION" "$REPLICA_CLUSTER"
    fi
    # A slot nobody reads keeps every WAL segment on the primary: never leave one.
    drop_slot
}

if [ "${1:-}" = --drop ]; then
    drop_replica
    exit 0
fi
[ -z "${1:-}" ] || die "Unknown option $1 (only --drop)."

pg_isready -q -p "$PRIMARY_PORT" || die "The primary cluster $PG_VERSION/$PRIMARY_CLUSTER does not answer on port $PRIMARY_PORT: start it (pg_ctlcluster $PG_VERSION $PRIMARY_CLUSTER start)."
wal_level="$(on_primary "SHOW wal_level")"
[ "$wal_level" != minimal ] \
    || die "The primary has wal_level = minimal: set wal_level = replica in its postgresql.conf and restart it (pg_ctlcluster $PG_VERSION $PRIMARY_CLUSTER restart)."

streaming() {
    [ "$(on_replica "SELECT pg_is_in_recovery()")" = t ] \
        && [ "$(on_replica "SELECT status FROM pg_stat_wal_receiver")" = streaming ]
}

if replica_exists && [ "$(on_replica "SELECT pg_is_in_recovery()")" != t ]; then
    # Stopped, or no standby: start it once; a cluster that is still no standby is remade.
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" start >/dev/null 2>&1 || true
    sleep 1
    [ "$(on_replica "SELECT pg_is_in_recovery()")" = t ] || drop_replica
fi

if ! replica_exists; then
    say "Creating cluster $PG_VERSION/$REPLICA_CLUSTER on port $REPLICA_PORT"
    pg_createcluster "$PG_VERSION" "$REPLICA_CLUSTER" -p "$REPLICA_PORT" >/dev/null
    DATA="$(pg_lsclusters --no-header | awk -v v="$PG_VERSION" -v c="$REPLICA_CLUSTER" '$1 == v && $2 == c {print $6}')"
    CONF_DIR="/etc/postgresql/$PG_VERSION/$REPLICA_CLUSTER"
    # Every statement in the replica's log, with its database and application: the
    # proof, for tools/replica_check.py, that the replica served a request's reads.
    cat > "$CONF_DIR/conf.d/odoo-replica.conf" <<CONF
hot_standby = on
log_statement = 'all'
log_line_prefix = '%m [%p] %q%u@%d/%a '
CONF
    chown postgres:postgres "$CONF_DIR/conf.d/odoo-replica.conf"
    say "Filling it from $PG_VERSION/$PRIMARY_CLUSTER (pg_basebackup, slot $SLOT)"
    rm -rf "${DATA:?}"/*
    drop_slot
    su postgres -c "$BIN/pg_basebackup -p $PRIMARY_PORT -D '$DATA' -R -X stream -C -S $SLOT -c fast" \
        || die "pg_basebackup from $PG_VERSION/$PRIMARY_CLUSTER failed: the primary's pg_hba.conf needs 'local replication all peer' (Debian's default)."
fi

pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" start >/dev/null 2>&1 || true
for _ in $(seq 1 60); do streaming && break; sleep 1; done
streaming || die "The replica $PG_VERSION/$REPLICA_CLUSTER does not stream from the primary after a minute: see /var/log/postgresql/postgresql-$PG_VERSION-$REPLICA_CLUSTER.log"
state="$(on_primary "SELECT state FROM pg_stat_replication WHERE application_name = '$PG_VERSION/$REPLICA_CLUSTER'")"
[ "$state" = streaming ] || die "pg_stat_replication on the primary shows no streaming replica $PG_VERSION/$REPLICA_CLUSTER (state: '${state:-none}')."
say "Replica $PG_VERSION/$REPLICA_CLUSTER streams from $PG_VERSION/$PRIMARY_CLUSTER: port $REPLICA_PORT, log /var/log/postgresql/postgresql-$PG_VERSION-$REPLICA_CLUSTER.log"
