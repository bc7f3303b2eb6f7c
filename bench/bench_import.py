"""Import benchmark: a spreadsheet import of leads (``load``, what Odoo's Import
button calls) into a team without queue, then the same import into a team whose
round-robin queue of the run's reps routes it, alerts on (one notification per
rep listing their leads, and an activity on each lead). Prints the time, the
queries and the notifications each rep received, and the ratio against the
import without queue (target: at most 1.5x, one notification per rep).

Run by ``tools/bench-import.sh`` (``make bench`` runs it on the bench database)."""

import uuid

import bench_common as common

from odoo import Command

TARGET_RATIO = 1.5
# Leads imported into each team before the measures (see run).
WARM_UP = 20


def import_rows(nb, tag, team):
    """The rows of a spreadsheet of ``nb`` leads for ``team``."""
    return [
        [
            f"{tag} import {i:05d}",
            f"Contact {i:05d}",
            f"{tag.lower()}.{i:05d}@example.com",
            str(team.id),
            "lead",
            str((i * 37) % 10000),
        ]
        for i in range(nb)
    ]


FIELDS = [
    "name",
    "contact_name",
    "email_from",
    "team_id/.id",
    "type",
    "expected_revenue",
]


def notification_count(env, users):
    """The notifications ``users`` have received so far."""
    return env["mail.notification"].search_count(
        [("res_partner_id", "in", users.partner_id.ids)]
    )


def run(env, nb, reps):
    tag = uuid.uuid4().hex[:6]
    users = common.create_reps(env, reps, "Import Rep", "import_rep", tag)
    teams = env["crm.team"].create(
        [
            {
                "name": f"Import {label} {tag}",
                "use_leads": True,
                "crm_team_member_ids": [
                    Command.create({"user_id": user.id}) for user in users
                ],
            }
            for label in ("Plain", "Queue")
        ]
    )
    plain_team, queue_team = teams
    common.create_queue(
        env,
        f"Import queue {tag}",
        queue_team,
        users,
        notify_assignee=True,
        activity_type_id=env.ref("mail.mail_activity_data_todo").id,
    )
    Lead = env["crm.lead"].with_context(mail_notify_force_send=False)
    # Not measured: a small import into each team first. The first import of
    # the process pays Odoo's cold caches, which would weigh on the reference
    # (measured first) alone.
    for index, team in enumerate(teams):
        Lead.load(FIELDS, import_rows(WARM_UP, f"W{index}{tag}", team))
    env.cr.commit()
    results = {}
    for label, team in (("no queue", plain_team), ("queue, alerts on", queue_team)):
        rows = import_rows(nb, f"{label[:2].upper()}{tag}", team)
        before = notification_count(env, users)
        result, elapsed, count = common.measure(
            env, lambda r=rows: Lead.load(FIELDS, r)
        )
        env.cr.commit()
        assert not result["messages"], result["messages"]
        leads = env["crm.lead"].browse(result["ids"])
        notified = notification_count(env, users) - before
        results[label] = (elapsed, count, len(leads.filtered("user_id")), notified)
        print(
            f"  {label:<18} {elapsed:7.2f} s, {count / nb:6.2f} queries/lead, "
            f"{notified / reps:6.2f} notifications/rep",
            flush=True,
        )
    return results


def print_table(results, nb, reps):
    common.print_against(
        f"Importing {nb} leads in one file ({reps} reps, round robin; ms for the "
        "whole file, queries per lead)",
        {
            label: (elapsed, count / nb)
            for label, (elapsed, count, *_r) in results.items()
        },
        TARGET_RATIO,
    )
    print()
    for label, (_elapsed, _count, owned, notified) in results.items():
        print(
            f"- {label}: {owned} of {nb} with an owner, "
            f"{notified / reps:.2f} notifications per rep (target: 1 with the queue)"
        )


def main():
    parser = common.arg_parser(__doc__, reps=30)
    parser.add_argument("--leads", type=int, default=3000)
    args = parser.parse_args()
    with common.bench_env(args) as env:
        print(f"\nImporting {args.leads} leads in one file", flush=True)
        results = run(env, args.leads, args.reps)
        print_table(results, args.leads, args.reps)


if __name__ == "__main__":
    main()
