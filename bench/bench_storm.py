"""Create storm: many JSON-RPC clients create leads at once against real Odoo workers.

Run by ``tools/bench-storm.sh`` (``make bench`` runs it after the routing
benchmark; ``bash tools/bench.sh --storm-only`` runs it alone), which starts an Odoo
server with several workers on a bench database and passes its URL here. This
script is only an HTTP client (standard library, no Odoo import):

1. as admin, it prepares 5 salesmen, a team "Storm Plain Team" without queue and a
   team "Storm Queue Team" with one round-robin queue of the 5 (alerts off), and
   archives every other queue;
2. phase A: N clients (threads) at once each create M leads, one ``create`` per
   JSON-RPC call, in the team without queue, and read each lead back at once;
3. phase B: the same in the team with the queue.

It prints, per phase: creates that succeeded, JSON-RPC errors (and the first
distinct messages), leads lost (attempted minus found in the database by the run's
name prefix), leads left without salesperson, wall time, throughput, create latency,
serialization retries seen in the server log; for phase B the leads per rep and the
round-robin spread, and the throughput ratio B / A. Targets are marked PASS or FAIL;
the exit code is 0 either way (a benchmark, not a test).

Usage::

    python bench/bench_storm.py --url http://127.0.0.1:8079 -d sales_team_queue_bench \
        [--clients 8] [--per-client 40] [--server-log .odoo/logs/<db>/storm-server.log]
"""

import argparse
import http.client
import itertools
import json
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter

NB_REPS = 5
QUEUE_TEAM = "Storm Queue Team"
PLAIN_TEAM = "Storm Plain Team"
# Targets of the scenario.
MAX_SPREAD = 1
MIN_RATIO = 0.9  # throughput with a queue against without (issue 21)
# Odoo's retry of a request after a concurrency failure (odoo.service.model).
RETRY_RE = re.compile(r"tries left, try again in ([0-9.]+) sec")
GAVE_UP_RE = re.compile(r"maximum number of tries reached")
FAILED_SQL_RE = re.compile(r" odoo\.sql_db: bad query: ")
BAD_RE = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ")


class RpcError(Exception):
    """A JSON-RPC error answer, or a transport failure."""


class Client:
    """A JSON-RPC client of ``/jsonrpc`` (one HTTP connection per call)."""

    _ids = itertools.count(1)

    def __init__(self, url, db, timeout=300):
        self.url = url.rstrip("/") + "/jsonrpc"
        self.db = db
        self.timeout = timeout
        self.uid = None
        self.password = None

    def call(self, service, method, *args):
        payload = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"service": service, "method": method, "args": args},
                "id": next(self._ids),
            }
        ).encode()
        request = urllib.request.Request(
            self.url, payload, {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        # URLError, timeouts, bad JSON, a response cut short (worker killed)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise RpcError(f"transport: {exc}") from exc
        if answer.get("error"):
            error = answer["error"]
            data = error.get("data") or {}
            name = data.get("name") or error.get("message", "error")
            message = data.get("message") or error.get("message", "")
            raise RpcError(f"{name}: {message}")
        if "result" not in answer:
            raise RpcError(f"no result in the answer: {str(answer)[:200]}")
        return answer["result"]

    def login(self, login, password):
        uid = self.call("common", "login", self.db, login, password)
        if not uid:
            raise RpcError(f"login {login!r} refused on database {self.db}")
        self.uid, self.password = uid, password
        return uid

    def execute(self, model, method, *args, **kwargs):
        return self.call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )


# ---------------------------------------------------------------------- data


def xmlid_res_id(client, module, name):
    rows = client.execute(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", name)],
        fields=["res_id"],
    )
    if not rows:
        raise RpcError(f"no record {module}.{name}")
    return rows[0]["res_id"]


def ensure_reps(client, count, login, name, with_password=False):
    """Salesmen ``<login>_1``... ``<login>_<count>`` named ``<name> 1``...: found
    again by login (and made active salesmen again), created otherwise.

    :param bool with_password: their password is their login (they log in)
    :return: their ids, in order
    """
    everything = {"context": {"active_test": False}}
    group_id = xmlid_res_id(client, "sales_team", "group_sale_salesman")
    user_ids = []
    for index in range(1, count + 1):
        rep_login = f"{login}_{index}"
        password = {"password": rep_login} if with_password else {}
        found = client.execute(
            "res.users", "search", [("login", "=", rep_login)], **everything
        )
        if found:
            client.execute(
                "res.users",
                "write",
                found[:1],
                {"active": True, **password, "groups_id": [(4, group_id)]},
            )
            user_ids.append(found[0])
            continue
        vals = {
            "name": f"{name} {index}",
            "login": rep_login,
            **password,
            "email": f"{rep_login}@example.com",
            "groups_id": [(6, 0, [group_id])],
        }
        user_ids.append(
            client.execute(
                "res.users", "create", vals, context={"no_reset_password": True}
            )
        )
    return user_ids


def ensure_team(client, name, user_ids):
    """Team ``name`` (found again by name, or created), active, with leads, whose
    members are exactly ``user_ids``; return its id."""
    found = client.execute(
        "crm.team",
        "search",
        [("name", "=", name)],
        limit=1,
        context={"active_test": False},
    )
    vals = {"active": True, "use_leads": True, "member_ids": [(6, 0, user_ids)]}
    if found:
        client.execute("crm.team", "write", found, vals)
        return found[0]
    return client.execute("crm.team", "create", dict(vals, name=name))


def create_queue(client, name, team_id, strategy, user_ids):
    """A new queue of ``team_id`` whose members are ``user_ids`` in that order,
    alerts off; every other queue archived (none but ours takes a lead of the
    run). Return its id."""
    others = client.execute("crm.team.queue", "search", [("active", "=", True)])
    if others:
        client.execute("crm.team.queue", "write", others, {"active": False})
    return client.execute(
        "crm.team.queue",
        "create",
        {
            "name": name,
            "team_id": team_id,
            "strategy": strategy,
            "notify_assignee": False,
            "activity_type_id": False,
            "member_ids": [
                (0, 0, {"user_id": user_id, "sequence": index})
                for index, user_id in enumerate(user_ids, start=1)
            ],
        },
    )


def prepare(client):
    """The 5 reps, the two teams and the queue; every other queue archived.

    Idempotent: users and teams are found again by login and name; the queue is
    new on each run (so the rotation starts at the first member).
    :return: (user ids, plain team id, queue team id, queue id)
    """
    # The 5 reps are members of both teams.
    client.execute(
        "ir.config_parameter", "set_param", "sales_team.membership_multi", "True"
    )
    user_ids = ensure_reps(client, NB_REPS, "storm_rep", "Storm Rep")
    plain_team_id = ensure_team(client, PLAIN_TEAM, user_ids)
    queue_team_id = ensure_team(client, QUEUE_TEAM, user_ids)
    queue_id = create_queue(
        client, "Storm Round Robin", queue_team_id, "round_robin", user_ids
    )
    return user_ids, plain_team_id, queue_team_id, queue_id


def warm_up(client_args, nb_clients):
    """Every worker answers a few calls before the clock starts (lazy loading)."""

    def work():
        client = Client(*client_args[:2])
        client.login(*client_args[2:])
        for _ in range(3):
            client.execute("crm.lead", "search_count", [])
            client.execute("crm.team", "search_read", [], fields=["name"], limit=5)

    threads = [threading.Thread(target=work) for _ in range(nb_clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --------------------------------------------------------------------- storm


class LogWatch:
    """Lines the server appends to its log file during a phase."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def start(self):
        if self.path:
            try:
                with open(self.path, "rb") as log:
                    log.seek(0, 2)
                    self.offset = log.tell()
            except OSError:
                self.path = None

    def lines(self):
        if not self.path:
            return None
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            return log.read().decode(errors="replace").splitlines()


def run_at_once(work, args_list, gate, log_watch):
    """One thread per item of ``args_list`` runs ``work(*args)``; the threads
    wait at ``gate`` (a barrier for them and this one) to start together.

    :return: (wall time from the gate to the last thread's end, lines of the
        server log meanwhile)
    """
    threads = [threading.Thread(target=work, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    log_watch.start()
    gate.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - t0, log_watch.lines()


def run_phase(args, label, team_id, tag, log_watch):
    """N clients at once, M creates each; returns the phase's figures."""
    prefix = f"STORM {tag} {label}"
    attempted = args.clients * args.per_client
    results = []  # one dict per create
    lock = threading.Lock()
    start_gate = threading.Barrier(args.clients + 1)

    def work(index):
        client = Client(args.url, args.database)
        mine = []
        try:
            client.login(args.login, args.password)
        except RpcError as exc:
            mine = [{"error": f"login: {exc}"}] * args.per_client
            start_gate.wait()
        else:
            start_gate.wait()
            for number in range(args.per_client):
                vals = {
                    "name": f"{prefix} c{index:02d} n{number:03d}",
                    "team_id": team_id,
                    "user_id": False,
                    "email_from": f"storm.{tag}.{label}.{index}.{number}@example.com",
                }
                row = {}
                t0 = time.perf_counter()
                try:
                    lead_id = client.execute("crm.lead", "create", [vals])[0]
                except Exception as exc:  # counted, not raised
                    row["error"] = str(exc)
                    mine.append(row)
                    continue
                row["latency"] = time.perf_counter() - t0
                try:
                    read = client.execute(
                        "crm.lead",
                        "read",
                        [lead_id],
                        ["user_id", "queue_id", "queue_state"],
                    )[0]
                except Exception as exc:  # counted, not raised
                    row["read_error"] = str(exc)
                else:
                    row["owner_on_return"] = bool(read["user_id"])
                mine.append(row)
        with lock:
            results.extend(mine)

    wall, log_lines = run_at_once(
        work, [(index,) for index in range(args.clients)], start_gate, log_watch
    )

    checker = Client(args.url, args.database)
    checker.login(args.login, args.password)
    leads = checker.execute(
        "crm.lead",
        "search_read",
        [("name", "=like", f"{prefix} %")],
        fields=["user_id", "queue_id", "queue_state"],
        context={"active_test": False},
    )
    create_errors = [r["error"] for r in results if "error" in r]
    read_errors = [r["read_error"] for r in results if "read_error" in r]
    latencies = sorted(r["latency"] for r in results if "latency" in r)
    per_user = Counter(lead["user_id"][0] for lead in leads if lead["user_id"])
    phase = {
        "label": label,
        "attempted": attempted,
        "created": attempted - len(create_errors),
        "create_errors": len(create_errors),
        "read_errors": len(read_errors),
        "errors": len(create_errors) + len(read_errors),
        "messages": Counter(create_errors + read_errors),
        "found": len(leads),
        "lost": attempted - len(leads),
        "no_owner": sum(1 for lead in leads if not lead["user_id"]),
        "unplaced": sum(
            1 for lead in leads if not lead["user_id"] and not lead["queue_id"]
        ),
        "pool": sum(1 for lead in leads if lead["queue_state"] == "pool"),
        "owner_on_return": sum(1 for r in results if r.get("owner_on_return")),
        "per_user": per_user,
        "wall": wall,
        "rate": len(leads) / wall if wall else 0.0,
        "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else 0,
        "max": latencies[-1] * 1000 if latencies else 0.0,
        "log": None,
    }
    if log_lines is not None:
        sleeps = [float(m.group(1)) for m in map(RETRY_RE.search, log_lines) if m]
        phase["log"] = {
            "failed_sql": sum(1 for line in log_lines if FAILED_SQL_RE.search(line)),
            "retried": len(sleeps),
            "backoff": sum(sleeps),
            "gave_up": sum(1 for line in log_lines if GAVE_UP_RE.search(line)),
            "bad": [line for line in log_lines if BAD_RE.match(line)],
        }
    print(
        f"  phase {label}: {phase['created']}/{attempted} created, "
        f"{phase['errors']} errors, {phase['lost']} lost, "
        f"{wall:.1f} s, {phase['rate']:.1f} leads/s",
        flush=True,
    )
    return phase


# --------------------------------------------------------------------- table


def verdict(ok):
    return "PASS" if ok else "FAIL"


def print_report(args, a, b, user_ids, users):
    total = args.clients * args.per_client
    print(
        f"\n## Create storm: {args.clients} clients x {args.per_client} creates "
        f"({total} leads per phase) over JSON-RPC\n"
    )
    print(
        "| phase | team | created | errors | lost | without salesperson "
        "| owner when create returned | wall (s) | leads/s | create p50 (ms) "
        "| create p95 (ms) | create max (ms) |"
    )
    print(
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |"
    )
    for phase, team in ((a, "no queue"), (b, "round-robin queue")):
        no_owner = phase["no_owner"]
        if phase is b:
            # A lead in the pool is placed, not lost: count those placed nowhere.
            no_owner = f"{phase['unplaced']} (pool {phase['pool']})"
        print(
            f"| {phase['label']} | {team} | {phase['created']} "
            f"| {phase['errors']} | {phase['lost']} | {no_owner} "
            f"| {phase['owner_on_return']} | {phase['wall']:.1f} "
            f"| {phase['rate']:.1f} | {phase['p50']:.0f} | {phase['p95']:.0f} "
            f"| {phase['max']:.0f} |"
        )
    if a["log"] is not None:
        print("\nServer log during each phase (Odoo tries a request up to 5 times)\n")
        print(
            "| phase | failed SQL (bad query) | requests retried | gave up "
            "| back-off sleep (s) | WARNING/ERROR lines |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for phase in (a, b):
            log = phase["log"]
            print(
                f"| {phase['label']} | {log['failed_sql']} | {log['retried']} "
                f"| {log['gave_up']} | {log['backoff']:.1f} | {len(log['bad'])} |"
            )
    counts = [b["per_user"].get(user_id, 0) for user_id in user_ids]
    spread = max(counts) - min(counts)
    others = sum(b["per_user"].values()) - sum(counts)
    print("\nPhase B, leads per rep (round robin):\n")
    print("| rep | leads |")
    print("| --- | ---: |")
    for user_id, count in zip(user_ids, counts, strict=True):
        print(f"| {users.get(user_id, user_id)} | {count} |")
    if others:
        print(f"| (someone else) | {others} |")
    print(f"\nSpread (max - min): {spread}")
    ratio = b["rate"] / a["rate"] if a["rate"] else 0.0
    print(f"Throughput B / A: {ratio:.2f}")

    for phase in (a, b):
        if phase["messages"]:
            print(f"\nPhase {phase['label']}, first distinct errors (count: message):")
            for message, count in list(phase["messages"].items())[:5]:
                print(f"  {count}: {message[:300]}")
        bad = phase["log"] and phase["log"]["bad"]
        if bad:
            distinct = Counter(line.split(" ", 3)[-1] for line in bad)
            print(
                f"\nPhase {phase['label']}: {len(bad)} WARNING/ERROR lines in the "
                "server log (count: line, without date and pid):"
            )
            for line, count in list(distinct.items())[:5]:
                print(f"  {count}: {line[:300]}")

    errors = a["errors"] + b["errors"]
    lost = a["lost"] + b["lost"]
    print("\n## Targets\n")
    print("| target | measured | verdict |")
    print("| --- | ---: | --- |")
    print(f"| 0 errors (A + B) | {errors} | {verdict(errors == 0)} |")
    print(f"| 0 lost (A + B) | {lost} | {verdict(lost == 0)} |")
    print(
        f"| round-robin spread <= {MAX_SPREAD} (B) | {spread} "
        f"| {verdict(spread <= MAX_SPREAD)} |"
    )
    print(
        f"| throughput B / A >= {MIN_RATIO} | {ratio:.2f} "
        f"| {verdict(ratio >= MIN_RATIO)} |"
    )


def add_server_args(parser, url="http://127.0.0.1:8079"):
    """The options that reach the server: its ``--url``, the database and the
    login and password of the administrator who prepares the run."""
    parser.add_argument("--url", default=url)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_server_args(parser)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=40)
    parser.add_argument(
        "--server-log", help="the server's log file: count retries per phase"
    )
    args = parser.parse_args()
    if args.clients < 1 or args.per_client < 1:
        sys.exit("--clients and --per-client must be at least 1")

    started = time.perf_counter()
    admin = Client(args.url, args.database)
    try:
        admin.login(args.login, args.password)
        installed = admin.execute(
            "ir.module.module",
            "search_count",
            [("name", "=", "sales_team_queue"), ("state", "=", "installed")],
        )
        if not installed:
            sys.exit(f"sales_team_queue is not installed in {args.database}")
        user_ids, plain_team, queue_team, _queue = prepare(admin)
        users = {
            row["id"]: row["name"]
            for row in admin.execute("res.users", "read", user_ids, ["name"])
        }
        warm_up((args.url, args.database, args.login, args.password), args.clients)
    except RpcError as exc:
        sys.exit(f"Preparing the storm failed: {exc}")
    tag = uuid.uuid4().hex[:6]
    print(
        f"Create storm {tag}: {args.clients} clients x {args.per_client} leads "
        f"per phase, {args.url}, database {args.database}",
        flush=True,
    )
    log_watch = LogWatch(args.server_log)
    phase_a = run_phase(args, "A", plain_team, tag, log_watch)
    phase_b = run_phase(args, "B", queue_team, tag, log_watch)
    print_report(args, phase_a, phase_b, user_ids, users)
    print(f"\n(storm run: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
