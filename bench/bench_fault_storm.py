"""Fault storm: clients create leads while workers are killed and connections cut.

Run by ``tools/bench-faults.sh`` (``make bench`` runs it after the create storm;
``--no-faults`` skips it), which starts an Odoo server with several workers and a
cron worker on a bench database and passes its URL and the pid of its prefork
master here. This script is an HTTP client for the creates (JSON-RPC, no Odoo
import); it reads the database and cuts Odoo's connections with psycopg2 (the
connection comes from the usual ``PG*`` variables):

1. as admin, the round-robin queue of ``bench_storm.py`` (5 reps, every other queue
   archived);
2. N clients (threads) at once each create M leads, one ``create`` per call, in
   the queue's team, while a chaos thread SIGKILLs one of the server's HTTP
   workers at random intervals (the prefork master respawns them) and
   ``pg_terminate_backend``\\ s one of Odoo's connections to the database at
   other random intervals;
3. the chaos stops; the leads of the run are read in the database by their name
   prefix at once, then every half second until none is left half routed (no
   salesperson and no queue: neither assigned nor placed in a pool) or the wait
   for the safety net is over.

It prints the leads the clients were told were saved, the leads saved (some by
requests that died after their commit: their client got an error), the leads
lost (told saved, absent), the leads half routed right after the storm and after
the safety net, how long the slowest lead waited for its routing (from its
creation to its first ledger line) and how many the backlog cron routed, the
leads per rep, and PASS/FAIL lines; exit code 0 either way (a benchmark).

Usage::

    python bench/bench_fault_storm.py --url http://127.0.0.1:8281 -d DB \
        --server-pid PID [--clients 8] [--per-client 40] [--wait 90] \
        [--kill-every 2] [--cut-every 1] [--server-log FILE]
"""

import argparse
import os
import random
import re
import signal
import sys
import threading
import time
import uuid
from collections import Counter

import psycopg2
from bench_storm import (
    BAD_RE,
    QUEUE_TEAM,
    Client,
    LogWatch,
    RpcError,
    add_server_args,
    prepare,
    verdict,
    warm_up,
)

MAX_SPREAD = 1
LEFT_RE = re.compile(r"left to the backlog|the backlog will try again")
BACKLOG_CRON = ("sales_team_queue", "ir_cron_route_backlog")


# --------------------------------------------------------------------- chaos


def http_workers(master_pid):
    """Pids of the HTTP workers of a prefork master: its children, less the
    gevent process (its own command line) and the cron workers (niced to 10)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat_file:
                stat = stat_file.read()
            with open(f"/proc/{entry}/cmdline", "rb") as cmd_file:
                argv = cmd_file.read().split(b"\0")
        except OSError:
            continue
        # Fields after the command name: state, ppid, ... nice is the 17th.
        after = stat.rsplit(")", 1)[1].split()
        ppid, nice = int(after[1]), int(after[16])
        if ppid == master_pid and nice == 0 and b"gevent" not in argv:
            pids.append(int(entry))
    return pids


class Chaos(threading.Thread):
    """SIGKILL an HTTP worker every ``kill_every`` s and cut one of Odoo's
    database connections every ``cut_every`` s (both +/- 50 %, at random)."""

    def __init__(self, args, connect):
        super().__init__(daemon=True)
        self.args = args
        self.connect = connect
        self.random = random.Random(args.seed)
        self.done = threading.Event()
        self.kills = 0
        self.cuts = 0
        self.errors = Counter()

    def _next(self, every):
        return time.monotonic() + every * self.random.uniform(0.5, 1.5)

    def run(self):
        conn = self.connect()
        conn.autocommit = True
        next_kill = self._next(self.args.kill_every)
        next_cut = self._next(self.args.cut_every)
        while not self.done.wait(0.05):
            now = time.monotonic()
            try:
                if self.args.kill_every and now >= next_kill:
                    next_kill = self._next(self.args.kill_every)
                    self.kill()
                if self.args.cut_every and now >= next_cut:
                    next_cut = self._next(self.args.cut_every)
                    self.cut(conn)
            except (OSError, psycopg2.Error) as exc:
                self.errors[f"{type(exc).__name__}: {exc}".strip()[:120]] += 1
        conn.close()

    def kill(self):
        pids = http_workers(self.args.server_pid)
        if pids:
            os.kill(self.random.choice(pids), signal.SIGKILL)
            self.kills += 1

    def cut(self, conn):
        """End one of Odoo's connections to the database, preferably one in
        the middle of something (not idle in the pool)."""
        with conn.cursor() as cr:
            cr.execute(
                """SELECT pg_terminate_backend(pid)
                     FROM pg_stat_activity
                    WHERE datname = %s AND pid <> pg_backend_pid()
                      AND application_name LIKE 'odoo-%%'
                 ORDER BY state = 'idle', random()
                    LIMIT 1""",
                [self.args.database],
            )
            if any(row[0] for row in cr.fetchall()):
                self.cuts += 1


# --------------------------------------------------------------------- storm


def login_with_retries(client, args, tries=10):
    """Log in; a worker killed meanwhile is not the client's fault."""
    for attempt in range(1, tries + 1):
        try:
            return client.login(args.login, args.password)
        except RpcError:
            if attempt == tries:
                raise
            time.sleep(0.5)


def create_leads(args, team_id, prefix, chaos):
    """The clients, logged in before the chaos starts; returns (names told
    saved, errors by message)."""
    told_saved = []
    errors = Counter()
    lock = threading.Lock()
    gate = threading.Barrier(args.clients + 1)

    def work(index):
        client = Client(args.url, args.database, timeout=120)
        saved, failed = [], Counter()
        try:
            login_with_retries(client, args)
        except RpcError as exc:
            failed[f"login: {exc}"[:120]] += args.per_client
            gate.wait()
            with lock:
                errors.update(failed)
            return
        gate.wait()
        for number in range(args.per_client):
            name = f"{prefix} c{index:02d} n{number:03d}"
            vals = {"name": name, "team_id": team_id, "user_id": False}
            try:
                client.execute("crm.lead", "create", [vals])
            except RpcError as exc:  # counted, not raised
                failed[str(exc)[:120]] += 1
                continue
            saved.append(name)
        with lock:
            told_saved.extend(saved)
            errors.update(failed)

    threads = [
        threading.Thread(target=work, args=(index,)) for index in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    gate.wait()
    chaos.start()
    for thread in threads:
        thread.join()
    chaos.done.set()
    chaos.join()
    return told_saved, errors


def read_leads(conn, prefix):
    """{name: (user id, queue id, seconds from creation to first ledger line,
    uid of that line)} of the run's leads."""
    with conn.cursor() as cr:
        cr.execute(
            """SELECT l.name, l.user_id, l.queue_id,
                      EXTRACT(EPOCH FROM first.create_date - l.create_date),
                      first.create_uid
                 FROM crm_lead l
            LEFT JOIN LATERAL (
                        SELECT a.create_date, a.create_uid
                          FROM crm_lead_assignment a
                         WHERE a.lead_id = l.id
                      ORDER BY a.id LIMIT 1) first ON TRUE
                WHERE l.name LIKE %s""",
            [prefix + " %"],
        )
        return {row[0]: row[1:] for row in cr.fetchall()}


def half_routed(leads):
    return [name for name, row in leads.items() if not row[0] and not row[1]]


def wait_for_safety_net(conn, prefix, wait):
    """Read the run's leads until none is half routed or ``wait`` s passed;
    returns (leads, seconds waited)."""
    started = time.monotonic()
    while True:
        leads = read_leads(conn, prefix)
        waited = time.monotonic() - started
        if not half_routed(leads) or waited >= wait:
            return leads, waited
        time.sleep(0.5)


def wait_for_idle_cron(conn, wait=180):
    """Wait until no scheduled action is due: on a fresh database every one is
    due when the server starts, and the cron worker busy with them would not
    run the backlog during the storm."""
    started = time.monotonic()
    with conn.cursor() as cr:
        while time.monotonic() - started < wait:
            cr.execute(
                """SELECT count(*) FROM ir_cron
                    WHERE active AND nextcall <= now() at time zone 'UTC'"""
            )
            if not cr.fetchone()[0]:
                return
            time.sleep(1)


def cron_user(conn):
    with conn.cursor() as cr:
        cr.execute(
            """SELECT c.user_id FROM ir_cron c
                 JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id
                WHERE d.module = %s AND d.name = %s""",
            list(BACKLOG_CRON),
        )
        row = cr.fetchone()
        return row and row[0]


# --------------------------------------------------------------------- report


def print_report(args, run):
    told, after, net = run["told"], run["after"], run["net"]
    lost = sorted(set(told) - set(net))
    died = sorted(set(net) - set(told))
    half_after = half_routed(after)
    half_net = half_routed(net)
    delays = [row[2] for row in net.values() if row[2] is not None]
    slowest = max(delays, default=0.0)
    by_cron = sum(1 for row in net.values() if row[3] and row[3] == run["cron_uid"])
    late = sum(1 for delay in delays if delay > 5)
    per_user = Counter(row[0] for row in net.values() if row[0])
    counts = [per_user.get(user_id, 0) for user_id in run["user_ids"]]
    spread = max(counts) - min(counts) if counts else 0
    chaos = run["chaos"]
    print(
        f"\n## Fault storm: {args.clients} clients x {args.per_client} creates, "
        f"{chaos.kills} workers killed, {chaos.cuts} connections cut\n"
    )
    print(
        "| told saved | create errors | saved | saved by a request that died "
        "| lost | half routed right after | half routed after the safety net "
        "| waited for the safety net (s) | slowest routing (s) "
        "| routed after > 5 s | routed by the backlog cron | storm (s) |"
    )
    print(
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |"
    )
    print(
        f"| {len(told)} | {sum(run['errors'].values())} | {len(net)} | {len(died)} "
        f"| {len(lost)} | {len(half_after)} | {len(half_net)} | {run['waited']:.1f} "
        f"| {slowest:.1f} | {late} | {by_cron} | {run['wall']:.1f} |"
    )
    print("\nLeads per rep (round robin): " + ", ".join(map(str, counts)))
    print(f"Spread (max - min): {spread}")
    if run["errors"]:
        print("\nCreate errors (count: message):")
        for message, count in run["errors"].most_common(5):
            print(f"  {count}: {message}")
    if chaos.errors:
        print("\nChaos thread errors (count: message):")
        for message, count in chaos.errors.most_common(3):
            print(f"  {count}: {message}")
    log = run["log"]
    if log is not None:
        left = sum(1 for line in log if LEFT_RE.search(line))
        bad = sum(1 for line in log if BAD_RE.match(line))
        print(
            f"\nServer log: {bad} WARNING/ERROR lines (killed workers and cut "
            f"connections are expected there), {left} routings left to the backlog"
        )
    print_targets(args, lost, half_net, spread)


def print_targets(args, lost, half_net, spread):
    print("\n## Targets\n")
    print("| target | measured | verdict |")
    print("| --- | ---: | --- |")
    print(f"| 0 lost (told saved, absent) | {len(lost)} | {verdict(not lost)} |")
    print(
        f"| 0 half routed after the safety net ({args.wait:.0f} s at most) "
        f"| {len(half_net)} | {verdict(not half_net)} |"
    )
    print(
        f"| round-robin spread <= {MAX_SPREAD} | {spread} "
        f"| {verdict(spread <= MAX_SPREAD)} |"
    )


# --------------------------------------------------------------------- main


def run_storm(args, connect, team_id, user_ids):
    conn = connect()
    conn.autocommit = True
    wait_for_idle_cron(conn)
    tag = uuid.uuid4().hex[:6]
    prefix = f"FAULTS {tag}"
    print(
        f"Fault storm {tag}: {args.clients} clients x {args.per_client} leads, "
        f"{args.url}, database {args.database}, a worker killed every "
        f"~{args.kill_every} s, a connection cut every ~{args.cut_every} s",
        flush=True,
    )
    log_watch = LogWatch(args.server_log)
    log_watch.start()
    chaos = Chaos(args, connect)
    t0 = time.perf_counter()
    told, errors = create_leads(args, team_id, prefix, chaos)
    wall = time.perf_counter() - t0
    after = read_leads(conn, prefix)
    print(
        f"  storm over in {wall:.1f} s: {len(told)} told saved, {len(after)} saved, "
        f"{len(half_routed(after))} half routed; waiting for the safety net",
        flush=True,
    )
    net, waited = wait_for_safety_net(conn, prefix, args.wait)
    run = {
        "told": told,
        "errors": errors,
        "after": after,
        "net": net,
        "waited": waited,
        "wall": wall,
        "chaos": chaos,
        "user_ids": user_ids,
        "cron_uid": cron_user(conn),
        "log": log_watch.lines(),
    }
    conn.close()
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_server_args(parser, url="http://127.0.0.1:8281")
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=40)
    parser.add_argument("--kill-every", type=float, default=2.0)
    parser.add_argument("--cut-every", type=float, default=1.0)
    parser.add_argument("--wait", type=float, default=90.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--server-log")
    args = parser.parse_args()
    if args.clients < 1 or args.per_client < 1:
        sys.exit("--clients and --per-client must be at least 1")

    def connect():
        return psycopg2.connect(
            dbname=args.database, application_name="bench-fault-storm"
        )

    started = time.perf_counter()
    admin = Client(args.url, args.database)
    try:
        admin.login(args.login, args.password)
        user_ids, _plain, queue_team, _queue = prepare(admin)
        warm_up((args.url, args.database, args.login, args.password), args.clients)
    except RpcError as exc:
        sys.exit(f"Preparing the fault storm failed: {exc}")
    run = run_storm(args, connect, queue_team, user_ids)
    print_report(args, run)
    print(
        f"\n(fault storm run, team {QUEUE_TEAM!r}: "
        f"{time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
