"""The timers run by two cron workers at once, on two real database cursors:
the first one locks the due leads (FOR UPDATE SKIP LOCKED) and handles them;
the second one, running meanwhile, skips them without waiting; no lead is
recycled or dispatched twice."""

from datetime import timedelta

from odoo import SUPERUSER_ID, Command, fields
from odoo.tests import tagged

from .common import CommittedCase


@tagged("post_install", "-at_install")
class TestSlaConcurrency(CommittedCase):
    def setUp(self):
        super().setUp()
        with self._worker_env() as env:
            self._archive_queues(env)
            users = self._commit_users(
                env, "q_sla_conc_", ("Anan", "Bao", "Chai", "Dao"), tz="Asia/Bangkok"
            )
            # One team per pair of reps (a rep is in one team at a time).
            pairs = [users[:2], users[2:]]
            teams = self._commit_teams(
                env,
                [
                    {
                        "name": f"SLA Concurrency Team {index}",
                        "sequence": -300 + index,
                        "member_ids": [Command.set(pair.ids)],
                    }
                    for index, pair in enumerate(pairs)
                ],
            )
            sla_queue = self._quiet_queue(
                env,
                "SLA Concurrency Queue",
                teams[0].id,
                pairs[0],
                sla_hours=4,
                sla_action="recycle",
            )
            self._quiet_queue(
                env,
                "Dispatch Concurrency Queue",
                teams[1].id,
                pairs[1],
                strategy="hybrid",
                dispatch_after_minutes=30,
            )
            sla_leads = env["crm.lead"].create(
                [
                    {"name": f"SLA lead {index}", "team_id": teams[0].id}
                    for index in range(6)
                ]
            )
            pool_leads = env["crm.lead"].create(
                [
                    {"name": f"Pool lead {index}", "team_id": teams[1].id}
                    for index in range(4)
                ]
            )
            assert set(sla_leads.mapped("sla_state")) == {"running"}, [
                (lead.user_id.name, lead.queue_state, lead.queue_id.name)
                for lead in sla_leads
            ]
            assert sla_leads.queue_id == sla_queue
            assert set(pool_leads.mapped("queue_state")) == {"pool"}
            past = fields.Datetime.now() - timedelta(hours=1)
            sla_leads.write({"sla_deadline": past})
            pool_leads.sudo().write({"pool_date": past})  # as the timers would
            self.sla_lead_ids, self.pool_lead_ids = sla_leads.ids, pool_leads.ids

    def _timers_in_thread(self, result):
        """A second cron worker: runs the timers and commits."""

        def work():
            with self._worker_env(SUPERUSER_ID) as env:
                result["done"] = env["crm.lead"]._cron_lead_timers()
                result["mine"] = env["crm.lead.assignment"].search_count(
                    [
                        ("lead_id", "in", self.sla_lead_ids + self.pool_lead_ids),
                        ("method", "in", ("recycle", "dispatch")),
                    ]
                )

        return self._start_thread(work)

    def _timers_outcome(self):
        with self._worker_env(SUPERUSER_ID) as env:
            lines = env["crm.lead.assignment"].search(
                [
                    ("lead_id", "in", self.sla_lead_ids + self.pool_lead_ids),
                    ("method", "in", ("recycle", "dispatch")),
                ]
            )
            per_lead = {}
            for line in lines:
                per_lead.setdefault(line.lead_id.id, []).append(line.method)
            sla_leads = env["crm.lead"].browse(self.sla_lead_ids)
            pool_leads = env["crm.lead"].browse(self.pool_lead_ids)
            return (
                per_lead,
                sla_leads.mapped("sla_state"),
                sla_leads.mapped("queue_state"),
                pool_leads.mapped("queue_state"),
            )

    def test_two_cron_workers_never_recycle_or_dispatch_a_lead_twice(self):
        result = {}
        with self._worker_env(SUPERUSER_ID) as env:
            env["crm.lead"]._cron_lead_timers()
            # The second worker runs while the first holds its row locks: it
            # skips the locked leads at once (it does not wait for them).
            second = self._timers_in_thread(result)
            second.join(timeout=30)
            self.assertFalse(second.is_alive(), "SKIP LOCKED: the second never waits")
            env.cr.commit()
        self.assertEqual(result["mine"], 0, "the second worker handled none of them")
        per_lead, sla_states, sla_queue_states, pool_states = self._timers_outcome()
        self.assertEqual(sla_states, ["breached"] * 6)
        self.assertEqual(sla_queue_states, ["pool"] * 6)
        self.assertEqual(pool_states, ["assigned"] * 4)
        self.assertEqual(len(per_lead), 10)
        self.assertTrue(all(len(methods) == 1 for methods in per_lead.values()))
        # A third run after both committed changes nothing either.
        with self._worker_env(SUPERUSER_ID) as env:
            env["crm.lead"]._cron_lead_timers()
        self.assertEqual(self._timers_outcome()[0], per_lead)
