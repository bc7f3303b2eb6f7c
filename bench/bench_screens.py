"""Screens benchmark: what a rep and a leader open over a big pool, against Odoo's own
lead list of the same size. 20 000 leads wait in the pool of a team's queue; 20 000
leads without salesperson sit in a team without queue. As a rep (a real user, record
rules applied), each screen is read the way the web client reads it (the fields of
its view, the first page): the pool's kanban grouped by queue, its list, the
leader's queue dashboard; a claim of one pool lead against Odoo's own change of
salesperson. Prints each figure next to its target (screens at most 2x Odoo's list,
a claim at most 3x Odoo's change of salesperson).

Run by ``tools/bench-screens.sh`` (``make bench`` runs it on the bench database)."""

import statistics
import time
import uuid

import bench_common as common
from lxml import etree

from odoo import Command

SCREEN_TARGET = 2.0
CLAIM_TARGET = 3.0


def view_spec(model, view_ref):
    """The web client's read specification of the view ``view_ref`` of
    ``model``: every field it names, relations with their display name."""
    view = model.env.ref(view_ref).sudo()
    arch = etree.fromstring(
        model.get_views([(view.id, view.type)])["views"][view.type]["arch"]
    )
    spec = {}
    for node in arch.iter("field"):
        field = model._fields.get(node.get("name"))
        if field is None or field.name in spec:
            continue
        relational = field.type in ("many2one", "one2many", "many2many")
        spec[field.name] = {"fields": {"display_name": {}}} if relational else {}
    return spec


def timed(env, func, runs):
    """Median seconds and queries of ``func()`` over ``runs`` runs, each on
    empty caches."""
    times, counts = [], []
    for _ in range(runs):
        _result, elapsed, count = common.measure(env, func)
        times.append(elapsed)
        counts.append(count)
    return statistics.median(times), statistics.median(counts)


def build(env, nb, reps, tag):
    """The reps and leader, a team with a pool queue and ``nb`` leads waiting in
    it, a team without queue with ``nb`` leads without salesperson."""
    users = common.create_reps(env, reps, "Screen Rep", "screen_rep", tag)
    leader = common.create_reps(
        env,
        1,
        "Screen Leader",
        "screen_leader",
        tag,
        groups_id=[
            Command.set(env.ref("sales_team.group_sale_salesman_all_leads").ids)
        ],
    )
    pool_team, plain_team = env["crm.team"].create(
        [
            {
                "name": f"Screens {label} {tag}",
                "use_leads": True,
                "user_id": leader.id,
                "crm_team_member_ids": [
                    Command.create({"user_id": user.id}) for user in users
                ],
            }
            for label in ("Pool", "Plain")
        ]
    )
    common.create_queue(env, f"Screens pool {tag}", pool_team, users, strategy="pool")
    Lead = env["crm.lead"].with_context(**common.QUIET_CREATE)
    start = time.perf_counter()
    for team in (pool_team, plain_team):
        for first in range(0, nb, 2000):
            Lead.create(
                [
                    {
                        "name": f"Screens {i:05d}",
                        "email_from": f"screens.{tag}.{i:05d}@example.com",
                        "type": "lead",
                        "team_id": team.id,
                        "user_id": False,
                        "expected_revenue": (i * 37) % 10000,
                    }
                    for i in range(first, min(first + 2000, nb))
                ]
            )
            env.cr.commit()
    waiting = env["crm.lead"].search_count(
        [("team_id", "=", pool_team.id), ("queue_state", "=", "pool")]
    )
    print(
        f"  (data: {waiting} leads in the pool and {nb} in the team without queue "
        f"in {time.perf_counter() - start:.0f} s, not measured)",
        flush=True,
    )
    return users, leader, pool_team, plain_team


def measure_screens(env, users, leader, pool_team, plain_team, runs):
    rep = users[0]
    Lead = env["crm.lead"].with_user(rep)
    Card = env["crm.lead.pool.card"].with_user(rep)
    Queue = env["crm.team.queue"].with_user(leader)
    lead_list = view_spec(Lead, "crm.crm_case_tree_view_leads")
    card_kanban = view_spec(Card, "sales_team_queue.crm_lead_pool_card_view_kanban")
    card_list = view_spec(Card, "sales_team_queue.crm_lead_pool_card_view_list")
    dashboard = view_spec(
        Queue, "sales_team_queue.crm_team_queue_view_kanban_dashboard"
    )
    plain = [("team_id", "=", plain_team.id), ("user_id", "=", False)]

    def pool_kanban():
        groups = Card.web_read_group([], ["__count"], ["queue_id"], limit=80)
        for group in groups["groups"][:1]:
            Card.web_search_read(group["__domain"], card_kanban, limit=40)

    screens = {
        "Odoo's lead list": lambda: Lead.web_search_read(
            plain, lead_list, limit=80, count_limit=10001
        ),
        "pool kanban, grouped by queue": pool_kanban,
        "pool list": lambda: Card.web_search_read(
            [], card_list, limit=80, count_limit=10001
        ),
        "leader's pool leads, grouped by queue": lambda: Lead.with_user(
            leader
        ).web_read_group(
            [("queue_state", "=", "pool")], ["__count"], ["queue_id"], limit=80
        ),
        "leader's queue dashboard": lambda: Queue.web_search_read(
            Queue._dashboard_queue_domain(), dashboard, limit=40
        ),
    }
    return {label: timed(env, func, runs) for label, func in screens.items()}


def measure_claims(env, users, pool_team, plain_team, runs):
    """A claim of one pool lead by each rep in turn, against Odoo's own change
    of salesperson (each rep takes one lead without salesperson)."""
    pool = env["crm.lead"].search(
        [("team_id", "=", pool_team.id), ("queue_state", "=", "pool")],
        limit=runs,
        order="id",
    )
    free = env["crm.lead"].search(
        [("team_id", "=", plain_team.id), ("user_id", "=", False)],
        limit=runs,
        order="id",
    )
    env.cr.commit()

    def change_salesperson(lead, user):
        # Committed, like the request that makes it: the claim commits its own
        # transaction within the measure too.
        lead.write({"user_id": user.id})
        lead.env.cr.commit()

    results = {}
    for label, leads, act in (
        ("Odoo's change of salesperson", free, change_salesperson),
        ("claim from the pool", pool, lambda lead, user: lead.action_claim()),
    ):
        times, counts = [], []
        for index, lead in enumerate(leads):
            user = users[index % len(users)]
            _r, elapsed, count = common.measure(
                env,
                lambda lead=lead, user=user, act=act: act(lead.with_user(user), user),
            )
            env.cr.commit()
            times.append(elapsed)
            counts.append(count)
        owned = env["crm.lead"].browse(leads.ids).filtered("user_id")
        assert len(owned) == len(leads), f"{label}: {len(owned)} of {len(leads)} owned"
        results[label] = (statistics.median(times), statistics.median(counts))
    return results


def print_table(screens, claims, nb):
    common.print_against(
        f"Screens over {nb} waiting leads (median of the runs, as a rep)",
        screens,
        SCREEN_TARGET,
    )
    common.print_against(
        "A claim against Odoo's own change of salesperson", claims, CLAIM_TARGET
    )


def main():
    parser = common.arg_parser(__doc__, reps=10)
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with common.bench_env(args) as env:
        print(f"\nScreens over {args.leads} waiting leads", flush=True)
        built = build(env, args.leads, args.reps, uuid.uuid4().hex[:6])
        users, leader, pool_team, plain_team = built
        screens = measure_screens(env, *built, args.runs)
        claims = measure_claims(env, users, pool_team, plain_team, args.runs)
        print_table(screens, claims, args.leads)


if __name__ == "__main__":
    main()
