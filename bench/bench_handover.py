"""Handover benchmark: a salesperson's book of N leads (with customers and planned
activities) previewed and applied by ``crm.salesperson.handover``, to one user and by
the queue rules, for several sizes and receiver counts.

Run by ``make bench`` (``tools/bench.sh``, see ``tools/bench-handover.sh``) in a
throw-away database where the module is installed without demo data. For each size N
and each mode it builds the book (N open leads owned by the leaving rep, N/10
customers, N/10 planned activities), then times ``action_preview()`` and
``action_apply()`` as a sales manager and counts their SQL queries. The target: both
finish well under a request timeout at 10 000 leads, and the query count grows with
the number of receivers, not with the number of leads.

Not a test: numbers depend on the machine. Usage::

    python bench/bench_handover.py -c odoo.conf -d sales_team_queue_bench \
        [--sizes 1000,10000] [--reps 20]
"""

import logging
import uuid

import bench_common as common

import odoo
from odoo import SUPERUSER_ID, api


class Bench:
    def __init__(self, env, reps):
        self.env = env
        self.tag = uuid.uuid4().hex[:6]
        self.manager = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Bench Manager",
                    "login": f"bench_ho_manager_{self.tag}",
                    "groups_id": [
                        odoo.Command.set(env.ref("sales_team.group_sale_manager").ids)
                    ],
                }
            )
        )
        self.reps = common.create_reps(
            env,
            reps,
            "Bench Handover Rep",
            "bench_ho_rep",
            self.tag,
            notification_type="inbox",
        )
        self.team = env["crm.team"].create(
            {
                "name": f"Bench Handover {self.tag}",
                "sequence": 1,
                "use_leads": True,
                "user_id": self.manager.id,
                "member_ids": [odoo.Command.set(self.reps.ids)],
            }
        )
        common.create_queue(
            env, "Bench Handover RR", self.team, self.reps, notify_assignee=True
        )
        env.cr.commit()

    def make_book(self, n, owner):
        """N open leads of ``owner``, N/10 customers and N/10 activities."""
        env = self.env
        partners = (
            env["res.partner"]
            .with_context(**common.QUIET_CREATE, **common.routing_off())
            .create(
                [
                    {"name": f"Bench Customer {i:05d}", "user_id": owner.id}
                    for i in range(max(n // 10, 1))
                ]
            )
        )
        Lead = env["crm.lead"].with_context(
            **common.QUIET_CREATE, **common.routing_off()
        )
        leads = Lead.browse()
        for start in range(0, n, 1000):
            leads |= Lead.create(
                [
                    {
                        "name": f"Bench handover lead {i:05d}",
                        "type": "lead",
                        "team_id": self.team.id,
                        "user_id": owner.id,
                        "partner_id": partners[i % len(partners)].id,
                    }
                    for i in range(start, min(start + 1000, n))
                ]
            )
        todo = env.ref("mail.mail_activity_data_todo")
        model_id = env["ir.model"]._get_id("crm.lead")
        env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "activity_type_id": todo.id,
                    "res_model_id": model_id,
                    "res_id": lead.id,
                    "user_id": owner.id,
                    "date_deadline": "2030-01-01",
                }
                for lead in leads[: max(n // 10, 1)]
            ]
        )
        env.flush_all()
        env.cr.commit()
        env.invalidate_all()
        return leads

    def run(self, n, mode):
        env = self.env
        owner = self.reps[0]
        leads = self.make_book(n, owner)
        target = self.reps[1]
        wizard = (
            env["crm.salesperson.handover"]
            .with_user(self.manager)
            .create(
                {
                    "user_id": owner.id,
                    "mode": mode,
                    "target_user_id": target.id if mode == "user" else False,
                }
            )
        )
        env.flush_all()
        env.cr.commit()
        _action, preview_s, preview_q = common.measure(env, wizard.action_preview)
        receivers = len(wizard.line_ids.filtered("user_id"))
        env.cr.commit()
        _action, apply_s, apply_q = common.measure(env, wizard.action_apply)
        env.cr.commit()
        left = env["crm.lead"].search_count(
            [("id", "in", leads.ids), ("user_id", "=", owner.id)]
        )
        lines = env["crm.lead.assignment"].search_count(
            [("lead_id", "in", leads.ids), ("method", "=", "handover")]
        )
        # Leave the owner with nothing for the next run.
        env["crm.lead"].browse(leads.ids).with_context(
            **common.QUIET_CREATE, **common.routing_off()
        ).write({"active": False})
        env.cr.commit()
        return {
            "n": n,
            "mode": mode,
            "receivers": receivers,
            "preview_s": preview_s,
            "preview_q": preview_q,
            "apply_s": apply_s,
            "apply_q": apply_q,
            "left": left,
            "lines": lines,
        }


def main():
    parser = common.arg_parser(__doc__, reps=20)
    parser.add_argument("--sizes", type=common.sizes, default="1000,10000")
    args = parser.parse_args()

    registry = common.open_registry(args.config, args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["crm.team.queue"].search([]).action_archive()
        logging.getLogger("odoo.addons.crm").setLevel(logging.WARNING)
        bench = Bench(env, args.reps)
        rows = [bench.run(n, mode) for n in args.sizes for mode in ("user", "queues")]
    print()
    print(
        "| leads | mode | receivers | preview (s) | preview queries "
        "| apply (s) | apply queries | left with the rep | handover ledger lines |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['n']} | {row['mode']} | {row['receivers']} "
            f"| {row['preview_s']:.2f} | {row['preview_q']} "
            f"| {row['apply_s']:.2f} | {row['apply_q']} | {row['left']} "
            f"| {row['lines']} |"
        )


if __name__ == "__main__":
    main()
