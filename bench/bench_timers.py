"""Timers benchmark: the queues' scheduled action on N due leads at once.

Run by ``make bench`` (``tools/bench-timers.sh``, after the routing benchmark, on
its database) or alone. For each scenario it builds N leads in a team of M reps,
routed by a round-robin queue, then makes them due and runs
``crm.lead._cron_lead_timers()`` the way the cron does (batches of 1 000 leads,
one transaction, no time limit), timing it and counting SQL statements:

- ``warning``: N running SLAs within their warning time (one activity per lead,
  one notification per rep);
- ``breach: recycle``: N running SLAs past their deadline, back to the pool;
- ``breach: reassign``: N running SLAs past their deadline, to another rep;
- ``dispatch``: N leads of a hybrid pool left unclaimed past the delay.

Not a test: numbers depend on the machine. Usage::

    python bench/bench_timers.py -c odoo.conf -d sales_team_queue_bench \
        [--size 10000] [--reps 50]
"""

import logging
import uuid
from datetime import timedelta

import bench_common as common

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.tools import SQL


class TimersBench:
    def __init__(self, registry, size, reps):
        self.registry = registry
        self.size = size
        self.nb_reps = reps
        self.tag = uuid.uuid4().hex[:6]
        self.rows = []

    def setup_users(self, env):
        env["ir.config_parameter"].set_param("sales_team.membership_multi", True)
        self.user_ids = common.create_reps(
            env,
            self.nb_reps,
            "Timers Rep",
            "timers_rep",
            self.tag,
            notification_type="inbox",
        ).ids

    def make_queue(self, env, name, **vals):
        team = env["crm.team"].create(
            {
                "name": f"Timers {name} {self.tag}",
                "sequence": 1,
                "use_leads": True,
                "member_ids": [odoo.Command.set(self.user_ids)],
            }
        )
        users = env["res.users"].browse(self.user_ids)
        return common.create_queue(env, f"Timers {name}", team, users, **vals)

    def make_leads(self, env, queue):
        """N leads routed by ``queue`` (assigned, or in its pool)."""
        leads = (
            env["crm.lead"]
            .with_context(**common.routing_off(), **common.QUIET_CREATE)
            .create(
                [
                    {
                        "name": f"Timers lead {i}",
                        "team_id": queue.team_id.id,
                        "user_id": False,
                        "type": "lead",
                    }
                    for i in range(self.size)
                ]
            )
        )
        env["crm.team.queue"]._route_leads(leads)
        return leads

    def scenario(self, name, build):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.team.queue"].search([]).action_archive()
            lead_ids, owners = build(env)
            cr.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            done, elapsed, count = common.measure(
                env, lambda: env["crm.lead"]._cron_lead_timers(budget=3600)
            )
            cr.commit()
            lines = env["crm.lead.assignment"].search_count(
                [
                    ("lead_id", "in", lead_ids),
                    ("method", "in", ("recycle", "dispatch")),
                ]
            )
            again = env["crm.lead"]._cron_lead_timers(budget=3600)
            cr.rollback()
        self.rows.append((name, len(lead_ids), done, elapsed, count, owners, lines))
        print(
            f"{name:<18} {len(lead_ids):>6} leads  handled {done:>6}  "
            f"{elapsed:7.2f} s  {elapsed / len(lead_ids) * 1000:6.2f} ms/lead  "
            f"{count:>6} queries  {count / len(lead_ids):5.2f} /lead  "
            f"{count / max(owners, 1):6.1f} /owner  ledger {lines}  "
            f"second run {again}",
            flush=True,
        )

    def build_sla(self, action, warning=False):
        def build(env):
            queue = self.make_queue(
                env,
                f"SLA {action}",
                sla_hours=4,
                sla_warning_hours=1,
                sla_action=action,
            )
            leads = self.make_leads(env, queue)
            now = fields.Datetime.now()
            due = now + timedelta(minutes=30) if warning else now - timedelta(hours=1)
            env.flush_all()
            env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET sla_deadline = %s WHERE id = ANY(%s)",
                    due,
                    leads.ids,
                )
            )
            env.invalidate_all()
            return leads.ids, len(set(leads.mapped("user_id").ids))

        return build

    def build_dispatch(self, env):
        queue = self.make_queue(
            env, "Dispatch", strategy="hybrid", dispatch_after_minutes=30
        )
        leads = self.make_leads(env, queue)
        env.flush_all()
        env.cr.execute(
            SQL(
                "UPDATE crm_lead SET pool_date = %s WHERE id = ANY(%s)",
                fields.Datetime.now() - timedelta(hours=1),
                leads.ids,
            )
        )
        env.invalidate_all()
        return leads.ids, self.nb_reps


def main():
    parser = common.arg_parser(__doc__, reps=50)
    parser.add_argument("--size", type=int, default=10000)
    args = parser.parse_args()
    registry = common.open_registry(args.config, args.database)
    bench = TimersBench(registry, args.size, args.reps)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bench.setup_users(env)
        cr.commit()
    logging.getLogger("odoo.addons.sales_team_queue").setLevel(logging.WARNING)
    print(f"Timers: {args.size} due leads per scenario, {args.reps} reps", flush=True)
    bench.scenario("warning", bench.build_sla("recycle", warning=True))
    bench.scenario("breach: recycle", bench.build_sla("recycle"))
    bench.scenario("breach: reassign", bench.build_sla("reassign"))
    bench.scenario("dispatch", bench.build_dispatch)


if __name__ == "__main__":
    main()
