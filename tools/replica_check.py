"""The read side on a streaming replica: which requests a replica serves.

Run by ``tools/test-replica.sh`` (``make test-replica``), against an Odoo server
started with ``--db_replica_host``/``--db_replica_port`` on a demo database. An HTTP
client of the web client's own routes (standard library, no Odoo import): it logs
in as a demo rep and a demo team leader and calls what their screens call:

- the rep's Lead Pool: the action, its views, the cards grouped by queue, a group's
  cards (``crm.lead.pool.card``), the list and a card's form;
- the leader's queue dashboard: the menu's server action, then the queues with the
  dashboard kanban's fields, each figure's button and the pool's list; the
  leader's pool cards and Pool Leads (the leads, grouped by queue, and a form);
- the reports: each report action's pivot, read grouped as the pivot reads it;
  the rep's leaderboard and "My Queues" (the menus' server actions, then the
  screens);
- Test Routing: the wizard's form, its opening onchange and a change of scope;

then the write paths: a claim of a pool card by the rep, a lead created by the
leader in a team whose queue routes it.

Each request is then found in the server's access log (Odoo writes the cursor mode
of each request there when a replica is configured) and in the replica's statement
log (``log_statement = 'all'``, set by ``tools/replica.sh``). A read must be 'ro',
without "retrying with a read/write cursor", and must have run statements on the
replica; a write must be 'rw' and run none there. Prints a verdict table; exits 1
on a FAIL.

Usage::

    python tools/replica_check.py --url http://127.0.0.1:8173 -d DB \
        --server-log .odoo/logs/DB/replica-server.log \
        --replica-log /var/log/postgresql/postgresql-15-replica.log --replica-port 5433
"""

import argparse
import http.cookiejar
import itertools
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET

REP, LEADER = "somchai", "niran"
# The dashboard's figures that open a list (crm.team.queue._dashboard_figure_actions),
# the pool last: the check then reads the list it opens.
FIGURES = (
    "members",
    "sla_risk",
    "sla_breached",
    "assigned_today",
    "claimed_today",
    "waiting",
    "pool",
)
MODULE = "sales_team_queue"
ACCESS_RE = re.compile(
    r"^\S+ \S+ (?P<pid>\d+) INFO \S+ werkzeug: .*\"POST (?P<path>\S+) HTTP/[0-9.]+\" "
    r"(?P<status>\d+) .* (?P<mode>ro->rw|ro|rw|-)$"
)
RETRY_RE = re.compile(
    r"^\S+ \S+ (?P<pid>\d+) WARNING .*retrying with a read/write cursor"
)


class RpcError(Exception):
    """A JSON-RPC error answer."""


class WebClient:
    """A browser session on the web client's JSON routes (cookie ``session_id``).
    Every request carries ``?check=<n>``: its line in the access log."""

    _ids = itertools.count(1)

    # {request path: statements of the database on the replica during it}
    replica_statements = {}

    def __init__(self, url, db, login, replica_log):
        self.url = url.rstrip("/")
        self.replica_log = replica_log
        self.db = db
        self.login = login
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.context = {}

    def post(self, route, params):
        number = next(self._ids)
        payload = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": params, "id": number}
        ).encode()
        path = f"{route}?check={number}"
        request = urllib.request.Request(
            self.url + path, payload, {"Content-Type": "application/json"}
        )
        position = os.path.getsize(self.replica_log)
        with self.opener.open(request, timeout=120) as response:
            answer = json.loads(response.read())
        # A backend writes a statement's log line before it runs it: all are there.
        with open(self.replica_log, encoding="utf-8", errors="replace") as log:
            log.seek(position)
            marker = f"@{self.db}/odoo-"
            self.replica_statements[path] = sum(
                1 for line in log if marker in line and "LOG:  statement:" in line
            )
        if answer.get("error"):
            data = answer["error"].get("data") or {}
            raise RpcError(data.get("message") or answer["error"].get("message"))
        return path, answer["result"]

    def authenticate(self):
        _path, info = self.post(
            "/web/session/authenticate",
            {"db": self.db, "login": self.login, "password": self.login},
        )
        self.context = info["user_context"]

    def call(self, model, method, *args, route="call_kw", **kwargs):
        kwargs.setdefault("context", self.context)
        return self.post(
            f"/web/dataset/{route}/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def load_action(self, xmlid):
        return self.post("/web/action/load", {"action_id": xmlid})

    def run_action(self, xmlid):
        _path, action = self.load_action(xmlid)
        return self.post("/web/action/run", {"action_id": action["id"]})


# ----------------------------------------------------------------- the screens


def view_fields(arch):
    """The fields of a view's own arch (not those of its sub-views)."""
    names = []

    def walk(node):
        for child in node:
            if child.tag == "field":
                names.append(child.get("name"))
            else:
                walk(child)

    walk(ET.fromstring(arch))
    return list(dict.fromkeys(names))


def spec(model, names, models):
    """The web client's field specification of ``names`` on ``model``."""
    fields = models[model].get("fields", models[model])
    result = {}
    for name in names:
        field = fields.get(name, {})
        if field.get("type") == "many2one":
            result[name] = {"fields": {"display_name": {}}}
        elif field.get("type") in ("one2many", "many2many"):
            comodel = field.get("relation")
            sub = list(models.get(comodel, {}).get("fields", {}))[:12]
            result[name] = {"fields": {n: {} for n in sub if n != "id"}}
        else:
            result[name] = {}
    return result


def get_views(client, action, kinds, checks, label):
    views = [[view_id, kind] for view_id, kind in action["views"] if kind in kinds]
    if "search" not in kinds:
        search_view = action.get("search_view_id") or False
        if isinstance(search_view, list):
            search_view = search_view[0]
        views.append([search_view, "search"])
    path, result = client.call(
        action["res_model"], "get_views", views=views, options={"load_filters": True}
    )
    checks.append(("read", f"{label}: get_views", path))
    return result


def check_pool(rep, checks):
    path, action = rep.load_action(f"{MODULE}.crm_lead_action_pool")
    checks.append(("read", "Lead Pool: action", path))
    views = get_views(rep, action, ("kanban", "list"), checks, "Lead Pool")
    model = action["res_model"]
    names = view_fields(views["views"]["kanban"]["arch"])
    fields = spec(model, names, views["models"])
    path, groups = rep.call(
        model, "web_read_group", [], ["__count"], ["queue_id"], lazy=True
    )
    checks.append(("read", "Lead Pool: web_read_group by queue_id", path))
    domain = groups["groups"][0]["__domain"] if groups["groups"] else []
    path, cards = rep.call(model, "web_search_read", domain, fields, limit=40)
    checks.append(("read", "Lead Pool: web_search_read (kanban)", path))
    claimable = [c["id"] for c in cards["records"] if not c.get("claim_block_reason")]
    return [c["id"] for c in cards["records"]], claimable


def check_dashboard(leader, checks):
    path, _action = leader.run_action(
        f"{MODULE}.crm_team_queue_action_server_dashboard"
    )
    checks.append(("action", "Dashboard: menu (server action)", path))
    path, action = leader.load_action(f"{MODULE}.crm_team_queue_action_dashboard")
    checks.append(("read", "Dashboard: action", path))
    views = get_views(leader, action, ("kanban",), checks, "Dashboard")
    names = view_fields(views["views"]["kanban"]["arch"])
    path, queues = leader.call(
        action["res_model"],
        "web_search_read",
        [],
        spec(action["res_model"], names, views["models"]),
        limit=40,
    )
    checks.append(("read", "Dashboard: web_search_read (kanban)", path))
    queue_ids = [q["id"] for q in queues["records"]]
    for figure in FIGURES:
        context = dict(leader.context, dashboard_figure=figure)
        path, opened = leader.call(
            "crm.team.queue",
            "action_dashboard_open",
            queue_ids[:1],
            route="call_button",
            context=context,
        )
        checks.append(("read", f"Dashboard: figure {figure} (button)", path))
    path, _leads = leader.call(
        opened["res_model"],
        "web_search_read",
        opened.get("domain") or [],
        {"display_name": {}, "queue_id": {"fields": {"display_name": {}}}},
        limit=80,
    )
    checks.append(("read", "Dashboard: the figure's list", path))
    return queue_ids


def check_pool_list_and_card(rep, card_id, checks):
    """The pool as a list, and a card's form."""
    path, action = rep.load_action(f"{MODULE}.crm_lead_action_pool")
    views = get_views(rep, action, ("list", "form"), checks, "Lead Pool list/form")
    model = action["res_model"]
    for kind in ("list", "form"):
        names = view_fields(views["views"][kind]["arch"])
        fields = spec(model, names, views["models"])
        if kind == "list":
            path, _rows = rep.call(model, "web_search_read", [], fields, limit=80)
        else:
            path, _rows = rep.call(model, "web_read", [card_id], fields)
        label = "web_search_read (list)" if kind == "list" else "web_read (card form)"
        checks.append(("read", f"Lead Pool: {label}", path))


def check_leader_pool_leads(leader, checks):
    """The leader's Pool Leads (the leads themselves), grouped by queue, and a
    pool lead's form."""
    path, action = leader.load_action(f"{MODULE}.crm_lead_action_pool_leads")
    checks.append(("read", "Pool Leads: action", path))
    views = get_views(leader, action, ("list", "form"), checks, "Pool Leads")
    model = action["res_model"]
    domain = action.get("domain") or []
    if isinstance(domain, str):
        domain = [("queue_state", "=", "pool")]
    path, _groups = leader.call(
        model, "web_read_group", domain, ["__count"], ["queue_id"], lazy=True
    )
    checks.append(("read", "Pool Leads: web_read_group by queue_id", path))
    names = view_fields(views["views"]["list"]["arch"])
    path, leads = leader.call(
        model,
        "web_search_read",
        domain,
        spec(model, names, views["models"]),
        limit=80,
    )
    checks.append(("read", "Pool Leads: web_search_read (list)", path))
    names = view_fields(views["views"]["form"]["arch"])
    path, _lead = leader.call(
        model,
        "web_read",
        [leads["records"][0]["id"]],
        spec(model, names, views["models"]),
    )
    checks.append(("read", "Pool Leads: web_read (lead form)", path))


def check_leader_opens_a_card(leader, checks):
    path, cards = leader.call(
        "crm.lead.pool.card", "web_search_read", [], {"name": {}}, limit=1
    )
    checks.append(("read", "Lead Pool (leader): web_search_read", path))
    path, _action = leader.call(
        "crm.lead.pool.card",
        "action_open_lead",
        [cards["records"][0]["id"]],
        route="call_button",
    )
    checks.append(("read", "Lead Pool (leader): open a card's lead (button)", path))


def check_reports(leader, checks):
    for xmlid, label in (
        ("crm_lead_assignment_report_action", "Assignment Analysis"),
        ("crm_stage_analysis_action", "Stage Analysis"),
        ("crm_team_queue_fairness_action", "Queue Fairness"),
    ):
        path, action = leader.load_action(f"{MODULE}.{xmlid}")
        checks.append(("read", f"{label}: action", path))
        views = get_views(leader, action, ("pivot", "graph", "list"), checks, label)
        pivot = ET.fromstring(views["views"]["pivot"]["arch"])
        rows = [f.get("name") for f in pivot.iter("field") if f.get("type") == "row"]
        measures = [
            f.get("name") for f in pivot.iter("field") if f.get("type") == "measure"
        ]
        fields = ["__count", *(f"{m}:sum" for m in measures)]
        model = action["res_model"]
        path, _groups = leader.call(model, "read_group", [], fields, [], lazy=False)
        checks.append(("read", f"{label}: read_group (pivot total)", path))
        path, _groups = leader.call(
            model,
            "read_group",
            [],
            fields,
            rows[:1] or ["create_date:month"],
            lazy=False,
        )
        checks.append(("read", f"{label}: read_group (pivot rows)", path))
        path, _groups = leader.call(
            model, "web_read_group", [], fields, rows[:1] or ["create_date:month"]
        )
        checks.append(("read", f"{label}: web_read_group", path))


def check_menu_screen(client, xmlid, label, checks):
    """A menu whose action is a server action (read/write by Odoo's rule), then
    the screen it opens: its views and its records."""
    path, action = client.run_action(f"{MODULE}.{xmlid}")
    checks.append(("action", f"{label}: menu (server action)", path))
    kind = action["views"][0][1]
    views = get_views(client, action, (kind,), checks, label)
    model = action["res_model"]
    names = view_fields(views["views"][kind]["arch"])
    path, _rows = client.call(
        model,
        "web_search_read",
        action.get("domain") or [],
        spec(model, names, views["models"]),
        limit=80,
    )
    checks.append(("read", f"{label}: web_search_read ({kind})", path))


def check_test_routing(leader, queue_id, checks):
    path, action = leader.load_action(f"{MODULE}.crm_team_queue_simulation_action")
    checks.append(("read", "Test Routing: action", path))
    views = get_views(leader, action, ("form",), checks, "Test Routing")
    model = action["res_model"]
    names = view_fields(views["views"]["form"]["arch"])
    fields = spec(model, names, views["models"])
    context = dict(leader.context, default_queue_id=queue_id)
    path, first = leader.call(model, "onchange", [], {}, [], fields, context=context)
    checks.append(("read", "Test Routing: onchange (opening)", path))
    values = {
        name: value["id"] if isinstance(value, dict) else value
        for name, value in first["value"].items()
        if name != "line_ids"
    }
    values.update(queue_id=queue_id, scope="all_teams")
    path, _second = leader.call(
        model, "onchange", [], values, ["scope"], fields, context=context
    )
    checks.append(("read", "Test Routing: onchange (scope changed)", path))
    return first["value"].get("lead_total")


def check_writes(rep, leader, card_ids, checks):
    if not card_ids:
        raise RpcError(f"{REP} can claim no card of the first pool group")
    path, _answer = rep.call(
        "crm.lead.pool.card", "action_claim", [card_ids[0]], route="call_button"
    )
    checks.append(("write", "Claim: action_claim (call_button)", path))
    path, teams = leader.call(
        "crm.team", "search_read", [("name", "=", "Inside Sales")], ["id"], limit=1
    )
    path, lead_id = leader.call(
        "crm.lead",
        "create",
        {
            "name": "Replica check: routed lead",
            "team_id": teams[0]["id"],
            "type": "lead",
        },
    )
    checks.append(("write", "Lead created in a team with a queue", path))
    return lead_id


# ---------------------------------------------------------------- the verdicts


def server_requests(log_path, offset):
    """{path: (mode, retried, pid)} of the access lines written after ``offset``."""
    retried_pids = set()
    found = {}
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        for line in log:
            line = line.rstrip("\n")
            retry = RETRY_RE.match(line)
            if retry:
                retried_pids.add(retry["pid"])
                continue
            access = ACCESS_RE.match(line)
            if access:
                pid = access["pid"]
                found[access["path"]] = (
                    access["mode"],
                    pid in retried_pids,
                    access["status"],
                )
                retried_pids.discard(pid)
    return found


def run_checks(args):
    rep = WebClient(args.url, args.db, REP, args.replica_log)
    leader = WebClient(args.url, args.db, LEADER, args.replica_log)
    rep.authenticate()
    leader.authenticate()
    checks = []
    all_card_ids, card_ids = check_pool(rep, checks)
    check_pool_list_and_card(rep, all_card_ids[0], checks)
    queue_ids = check_dashboard(leader, checks)
    check_leader_opens_a_card(leader, checks)
    check_leader_pool_leads(leader, checks)
    check_reports(leader, checks)
    check_menu_screen(
        rep, "crm_sales_target_action_server_leaderboard", "Leaderboard", checks
    )
    check_menu_screen(
        rep, "crm_team_queue_action_server_dashboard", "My Queues (rep)", checks
    )
    tested = check_test_routing(leader, queue_ids[0], checks)
    lead_id = check_writes(rep, leader, card_ids, checks)
    return checks, lead_id, tested


def on_replica(args, sql):
    env = dict(os.environ, PGPASSWORD=args.db_password or "")
    command = ["psql", "-X", "-tA", "-p", args.replica_port, "-d", args.db, "-c", sql]
    if args.db_host:
        command += ["-h", args.db_host]
    if args.db_user:
        command += ["-U", args.db_user]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def verdicts(args, checks, offset, lead_id):
    """The table's rows: (verdict, request, expected, mode, replica statements)."""
    requests = server_requests(args.server_log, offset)
    rows = []
    for kind, label, path in checks:
        mode, retried, status = requests.get(path, ("not logged", False, "-"))
        statements = WebClient.replica_statements.get(path, 0)
        if kind == "read":
            expected = "ro, replica"
            good = mode == "ro" and not retried and statements > 0
        elif kind == "write":
            expected = "rw, primary"
            good = mode == "rw" and statements == 0
        else:  # a server action: Odoo 18 runs /web/action/run read/write
            expected = "rw (server action)"
            good = mode == "rw" and statements == 0
        shown = f"{mode}{' (retried rw)' if retried else ''}"
        rows.append(("PASS" if good else "FAIL", label, expected, shown, statements))
    started = time.monotonic()
    seen = ""
    while time.monotonic() - started < 10 and seen != "1":
        seen = on_replica(
            args, f"SELECT count(*) FROM crm_lead WHERE id = {int(lead_id)}"
        )
        if seen != "1":
            time.sleep(0.05)
    lag = time.monotonic() - started
    rows.append(
        (
            "PASS" if seen == "1" else "FAIL",
            "The created lead reaches the replica",
            "streamed",
            f"after {lag:.2f} s" if seen == "1" else "not after 10 s",
            "-",
        )
    )
    recovery = on_replica(args, "SELECT pg_is_in_recovery()")
    rows.append(
        (
            "PASS" if recovery == "t" else "FAIL",
            f"Port {args.replica_port} is a standby",
            "pg_is_in_recovery",
            recovery,
            "-",
        )
    )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("-d", "--db", required=True)
    parser.add_argument("--server-log", required=True)
    parser.add_argument("--replica-log", required=True)
    parser.add_argument("--replica-port", default="5433")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", ""))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", ""))
    parser.add_argument("--db-password", default=os.environ.get("PGPASSWORD", ""))
    args = parser.parse_args()
    offset = os.path.getsize(args.server_log)
    checks, lead_id, tested = run_checks(args)
    time.sleep(1)  # the access log line is written after the answer is sent
    rows = verdicts(args, checks, offset, lead_id)
    rows.insert(
        -2,
        (
            "PASS" if tested else "FAIL",
            "Test Routing: the dialog tested leads",
            "some leads",
            f"{tested} leads",
            "-",
        ),
    )
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    header = ("Verdict", "Request", "Expected", "Cursor", "Replica stmts")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, *rows):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
    failed = sum(1 for row in rows if row[0] == "FAIL")
    print(f"{len(rows) - failed} PASS, {failed} FAIL")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
