"""Claim storm: 8 reps claim 1 000 pool leads at once over JSON-RPC on real workers.

Run by ``tools/bench-storm.sh`` right after the create storm (``bench_storm.py``), on
the same server and database. An HTTP client only (it reuses the JSON-RPC client of
``bench_storm.py``):

1. as admin: 8 salesmen ``claim_rep_1..8`` (password = login), members of a team
   "Claim Storm Team" and of a new pool queue of that team (alerts off, no claim
   rule), every other queue archived; 1 000 leads created in the team without
   salesperson (batch creates), which wait in the pool;
2. 8 threads, one per rep logged in as that rep, each in a loop: read a page of the
   queue's pool leads, pick one of the first 20 at random, ``action_claim`` it; a
   refusal because someone else took it first is a lost race; stop when the pool is
   empty;
3. checks, as admin: double claims (a lead with more than one claim ledger line),
   lost leads (neither claimed nor still in the pool), claims without exactly one
   ledger line of their rep; and the server log of the phase.

Printed: claims/s, p50/p95/max latency of a claim, lost races, and from the
server log the requests retried by Odoo (serialization failures that reached its
retry loop) and their back-off. Targets (0 retried requests, at least
``TARGET_CLAIMS_PER_S`` claims/s, p95 under ``TARGET_P95_MS``, 0 doubles, 0 lost)
are marked PASS or FAIL; the exit code is 0 either way.

Usage::

    python bench/bench_claim_storm.py --url http://127.0.0.1:8079 -d DB \
        [--reps 8] [--leads 1000] [--server-log .odoo/logs/<db>/storm-server.log]
"""

import argparse
import random
import sys
import threading
import time
import uuid
from collections import Counter

from bench_storm import (
    BAD_RE,
    FAILED_SQL_RE,
    GAVE_UP_RE,
    RETRY_RE,
    Client,
    LogWatch,
    RpcError,
    add_server_args,
    create_queue,
    ensure_reps,
    ensure_team,
    run_at_once,
    verdict,
)

TEAM = "Claim Storm Team"
PAGE = 20
BATCH = 100
# The two refusals of a lost race (crm_lead_pool.py, _queue_claim_rule_pool).
RACE_MESSAGES = (
    "was just claimed, or is being changed, by someone else",
    "not waiting in a pool",
)
# A rep gives up after this many errors in a row (a broken server, not a race).
MAX_ERRORS_IN_A_ROW = 20
# Targets of issue 18 item 7 ("claims without retries"): no request reaches
# Odoo's retry loop, at least twice the 15.5 claims/s measured before, p95 under
# 150 ms.
TARGET_CLAIMS_PER_S = 31.0
TARGET_P95_MS = 150.0


def is_lost_race(message):
    return message.startswith("odoo.exceptions.UserError") and any(
        text in message for text in RACE_MESSAGES
    )


def is_claimed(answer):
    """``action_claim`` of one lead succeeded: it answers a notification of
    success (``True`` before the claim answered with a notification)."""
    if isinstance(answer, dict):
        return answer.get("params", {}).get("type") == "success"
    return answer is True


def percentiles(latencies):
    """p50, p95 and max of sorted ``latencies`` (seconds), in milliseconds."""
    if not latencies:
        return 0, 0, 0
    return (
        latencies[len(latencies) // 2] * 1000,
        latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        latencies[-1] * 1000,
    )


def prepare(admin, nb_reps):
    """The reps, the team and a new pool queue; other queues archived.

    :return: (list of (user id, login), team id, queue id)
    """
    admin.execute(
        "ir.config_parameter", "set_param", "sales_team.membership_multi", "True"
    )
    user_ids = ensure_reps(admin, nb_reps, "claim_rep", "Claim Rep", True)
    reps = [(user_id, f"claim_rep_{i}") for i, user_id in enumerate(user_ids, 1)]
    team_id = ensure_team(admin, TEAM, user_ids)
    queue_id = create_queue(admin, "Claim Storm Pool", team_id, "pool", user_ids)
    return reps, team_id, queue_id


def fill_pool(admin, team_id, prefix, nb_leads):
    for start in range(0, nb_leads, BATCH):
        admin.execute(
            "crm.lead",
            "create",
            [
                {
                    "name": f"{prefix} n{number:04d}",
                    "team_id": team_id,
                    "user_id": False,
                    "email_from": f"claim.{number}@example.com",
                }
                for number in range(start, min(start + BATCH, nb_leads))
            ],
        )


def run_storm(args, reps, queue_id, log_watch):
    """One thread per rep; returns (per-rep results, wall time, log lines)."""
    domain = [("queue_id", "=", queue_id), ("queue_state", "=", "pool")]
    results = {}
    gate = threading.Barrier(len(reps) + 1)

    def work(user_id, login):
        mine = {
            "claimed": [],
            "races": 0,
            "errors": [],
            "latencies": [],
            "race_latencies": [],
        }
        results[user_id] = mine
        client = Client(args.url, args.database)
        try:
            client.login(login, login)
            client.execute("crm.lead", "search_read", domain, fields=["id"], limit=1)
        except RpcError as exc:
            mine["errors"].append(f"login: {exc}")
            gate.wait()
            return
        gate.wait()
        rng = random.Random(user_id)
        in_a_row = 0
        while in_a_row < MAX_ERRORS_IN_A_ROW:
            try:
                page = client.execute(
                    "crm.lead", "search_read", domain, fields=["id"], limit=PAGE
                )
            except RpcError as exc:
                mine["errors"].append(f"search_read: {exc}")
                in_a_row += 1
                continue
            if not page:
                break
            lead_id = rng.choice(page)["id"]
            t0 = time.perf_counter()
            try:
                answer = client.execute("crm.lead", "action_claim", [lead_id])
            except RpcError as exc:
                message = str(exc)
                if is_lost_race(message):
                    mine["races"] += 1
                    mine["race_latencies"].append(time.perf_counter() - t0)
                    in_a_row = 0
                else:
                    mine["errors"].append(f"action_claim: {message}")
                    in_a_row += 1
                continue
            mine["latencies"].append(time.perf_counter() - t0)
            in_a_row = 0
            if is_claimed(answer):
                mine["claimed"].append(lead_id)
            else:  # a notification: not claimed (one lead: should not happen)
                mine["errors"].append(f"action_claim answered {str(answer)[:200]}")

    wall, log_lines = run_at_once(work, reps, gate, log_watch)
    return results, wall, log_lines


def check(admin, prefix, results):
    """Leads and ledger after the storm, as admin."""
    leads = admin.execute(
        "crm.lead",
        "search_read",
        [("name", "=like", f"{prefix} %")],
        fields=["user_id", "queue_state"],
        context={"active_test": False},
    )
    lines = admin.execute(
        "crm.lead.assignment",
        "search_read",
        [("lead_id", "in", [lead["id"] for lead in leads]), ("method", "=", "claim")],
        fields=["lead_id", "user_id"],
    )
    claim_lines = Counter(line["lead_id"][0] for line in lines)
    line_user = {
        line["lead_id"][0]: line["user_id"] and line["user_id"][0] for line in lines
    }
    claimed_by = {}  # lead id -> reps whose action_claim said it is theirs
    for user_id, mine in results.items():
        for lead_id in mine["claimed"]:
            claimed_by.setdefault(lead_id, []).append(user_id)
    owner = {lead["id"]: lead["user_id"] and lead["user_id"][0] for lead in leads}
    in_pool = {lead["id"] for lead in leads if lead["queue_state"] == "pool"}
    double = sum(1 for count in claim_lines.values() if count > 1)
    double += sum(1 for users in claimed_by.values() if len(users) > 1)
    # A claim is right when its lead has exactly one claim line, of its rep, and
    # the lead's salesperson is that rep.
    bad_ledger = sum(
        1
        for lead_id, users in claimed_by.items()
        for user_id in users
        if claim_lines[lead_id] != 1
        or line_user.get(lead_id) != user_id
        or owner.get(lead_id) != user_id
    )
    lost = sum(
        1
        for lead in leads
        if lead["id"] not in in_pool
        and not (lead["id"] in claimed_by and claim_lines[lead["id"]] == 1)
    )
    return {
        "found": len(leads),
        "in_pool": len(in_pool),
        "claim_lines": len(lines),
        "double": double,
        "bad_ledger": bad_ledger,
        "lost": lost,
        "per_owner": Counter(owner[lead_id] for lead_id in claimed_by),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_server_args(parser)
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--server-log", help="the server's log file")
    args = parser.parse_args()
    if args.reps < 1 or args.leads < 1:
        sys.exit("--reps and --leads must be at least 1")

    started = time.perf_counter()
    tag = uuid.uuid4().hex[:6]
    prefix = f"CLAIM {tag}"
    admin = Client(args.url, args.database)
    try:
        admin.login(args.login, args.password)
        reps, team_id, queue_id = prepare(admin, args.reps)
        fill_pool(admin, team_id, prefix, args.leads)
        pooled = admin.execute(
            "crm.lead",
            "search_count",
            [("queue_id", "=", queue_id), ("queue_state", "=", "pool")],
        )
    except RpcError as exc:
        sys.exit(f"Preparing the claim storm failed: {exc}")
    print(
        f"\nClaim storm {tag}: {args.reps} reps, {args.leads} leads created, "
        f"{pooled} in the pool, {args.url}, database {args.database}",
        flush=True,
    )
    results, wall, log_lines = run_storm(
        args, reps, queue_id, LogWatch(args.server_log)
    )
    figures = check(admin, prefix, results)

    claims = sum(len(mine["claimed"]) for mine in results.values())
    races = sum(mine["races"] for mine in results.values())
    errors = Counter(e for mine in results.values() for e in mine["errors"])
    nb_errors = sum(errors.values())
    latencies = sorted(x for mine in results.values() for x in mine["latencies"])
    print(f"\n## Claim storm: {args.reps} reps, {args.leads} pool leads, JSON-RPC\n")
    print(
        "| pool leads | claims | lost races | real errors | left in pool "
        "| wall (s) | claims/s | claim p50 / p95 / max (ms) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    p50, p95, top = percentiles(latencies)
    print(
        f"| {pooled} | {claims} | {races} | {nb_errors} | {figures['in_pool']} "
        f"| {wall:.1f} | {claims / wall if wall else 0:.1f} "
        f"| {p50:.0f} / {p95:.0f} / {top:.0f} |"
    )
    race_latencies = sorted(
        x for mine in results.values() for x in mine["race_latencies"]
    )
    r50, r95, rtop = percentiles(race_latencies)
    print(
        "\nLost races (refused: taken by someone else) answered in p50 / p95 / max "
        f"{r50:.0f} / {r95:.0f} / {rtop:.0f} ms."
    )
    print("\n| rep | claims | lost races | errors |")
    print("| --- | ---: | ---: | ---: |")
    for user_id, login in reps:
        mine = results[user_id]
        print(
            f"| {login} | {len(mine['claimed'])} | {mine['races']} "
            f"| {len(mine['errors'])} |"
        )
    if errors:
        print("\nFirst distinct errors (count: message):")
        for message, count in list(errors.items())[:5]:
            print(f"  {count}: {message[:300]}")

    retried = None
    if log_lines is not None:
        bad = [line for line in log_lines if BAD_RE.match(line)]
        refusals = [
            line
            for line in bad
            if " WARNING " in line
            and " odoo.http: " in line
            and any(text in line for text in RACE_MESSAGES)
        ]
        others = [line for line in bad if line not in refusals]
        sleeps = [float(m.group(1)) for m in map(RETRY_RE.search, log_lines) if m]
        retried = len(sleeps)
        print("\nServer log during the claim storm:\n")
        print(
            "| refusals logged (WARNING odoo.http) | other WARNING/ERROR lines "
            "| failed SQL | requests retried | gave up | back-off sleep (s) |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        print(
            f"| {len(refusals)} | {len(others)} "
            f"| {sum(1 for line in log_lines if FAILED_SQL_RE.search(line))} "
            f"| {len(sleeps)} "
            f"| {sum(1 for line in log_lines if GAVE_UP_RE.search(line))} "
            f"| {sum(sleeps):.1f} |"
        )
        if others:
            distinct = Counter(line.split(" ", 3)[-1] for line in others)
            print("\nOther WARNING/ERROR lines (count: line, without date and pid):")
            for line, count in list(distinct.items())[:5]:
                print(f"  {count}: {line[:300]}")

    print("\n## Claim storm targets\n")
    print("| target | measured | verdict |")
    print("| --- | ---: | --- |")
    rows = (
        ("0 double claims", figures["double"]),
        ("0 lost leads", figures["lost"]),
        ("every claim one ledger line (claims without)", figures["bad_ledger"]),
        ("0 real errors", nb_errors),
    )
    for label, value in rows:
        print(f"| {label} | {value} | {verdict(value == 0)} |")
    if retried is None:
        print("| 0 requests retried by Odoo | (no --server-log) | - |")
    else:
        print(f"| 0 requests retried by Odoo | {retried} | {verdict(retried == 0)} |")
    rate = claims / wall if wall else 0
    print(
        f"| >= {TARGET_CLAIMS_PER_S:g} claims/s | {rate:.1f} "
        f"| {verdict(rate >= TARGET_CLAIMS_PER_S)} |"
    )
    p95_ok = verdict(p95 < TARGET_P95_MS)
    print(f"| p95 < {TARGET_P95_MS:g} ms | {p95:.0f} | {p95_ok} |")
    print(f"| lost races (information) | {races} | - |")
    print(
        f"\n(claim lines in the ledger: {figures['claim_lines']}, claims answered: "
        f"{claims}, leads found: {figures['found']}; "
        f"claim storm run: {time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
