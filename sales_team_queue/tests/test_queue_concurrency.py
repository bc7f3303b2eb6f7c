import threading
import time

from psycopg2 import OperationalError, errorcodes

from odoo import Command, api
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

RETRYABLE = (errorcodes.SERIALIZATION_FAILURE, errorcodes.LOCK_NOT_AVAILABLE)


@tagged("post_install", "-at_install")
class TestQueueConcurrency(TransactionCase):
    """Two transactions routing at the same time (two workers creating leads)
    never give the same round-robin turn twice and never skip a member."""

    def setUp(self):
        super().setUp()
        # Data committed in its own transaction, so that both workers see it.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.ref("base.user_admin").id, {})
            env["crm.team.queue"].search([]).action_archive()
            users = env["res.users"]
            for name in ("Anan", "Bao", "Chai"):
                users |= new_test_user(
                    env,
                    login=f"q_conc_{name.lower()}",
                    name=name,
                    groups="sales_team.group_sale_salesman",
                )
            team = env["crm.team"].create(
                {
                    "name": "Concurrency Team",
                    "sequence": -200,
                    "member_ids": [Command.set(users.ids)],
                }
            )
            queue = env["crm.team.queue"].create(
                {
                    "name": "Concurrency Queue",
                    "team_id": team.id,
                    "notify_assignee": False,
                    "activity_type_id": False,
                    "member_ids": [
                        Command.create({"user_id": user.id, "sequence": seq})
                        for seq, user in enumerate(users)
                    ],
                }
            )
            self.user_ids, self.team_id, self.queue_id = users.ids, team.id, queue.id
            self.archived_queue_ids = (
                env["crm.team.queue"]
                .with_context(active_test=False)
                .search([("active", "=", False), ("id", "!=", queue.id)])
                .ids
            )
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.ref("base.user_admin").id, {})
            leads = env["crm.lead"].with_context(active_test=False)
            leads.search([("team_id", "=", self.team_id)]).unlink()
            env["crm.team.queue"].browse(self.queue_id).unlink()
            env["crm.team"].browse(self.team_id).unlink()
            env["res.users"].browse(self.user_ids).unlink()
            env["crm.team.queue"].browse(self.archived_queue_ids).action_unarchive()

    def _create_lead(self, cr, name):
        env = api.Environment(cr, self.env.ref("base.user_admin").id, {})
        lead = env["crm.lead"].create(
            {"name": name, "team_id": self.team_id, "user_id": False}
        )
        return lead.user_id.id

    def _create_lead_retrying(self, name, result):
        """What an Odoo worker does: run the request, and on a serialization
        failure roll back and run it again."""
        with self.registry.cursor() as worker_cr:
            for _attempt in range(5):
                try:
                    result[name] = self._create_lead(worker_cr, name)
                    worker_cr.commit()
                    return
                except OperationalError as error:
                    if error.pgcode not in RETRYABLE:
                        raise
                    result.setdefault("retries", 0)
                    result["retries"] += 1
                    worker_cr.rollback()

    @mute_logger("odoo.sql_db")
    def test_two_workers_never_get_the_same_turn(self):
        anan, bao, chai = self.user_ids
        result = {}
        with self.registry.cursor() as cr1:
            # Worker 1 routes a lead: Anan's turn, not committed yet.
            self.assertEqual(self._create_lead(cr1, "Worker 1"), anan)
            # Worker 2 routes a lead meanwhile: it waits for worker 1's lock.
            worker_2 = threading.Thread(
                target=self._create_lead_retrying, args=("Worker 2", result)
            )
            worker_2.start()
            time.sleep(1.0)
            self.assertTrue(worker_2.is_alive(), "worker 2 waits for the queue lock")
            cr1.commit()
        worker_2.join(timeout=30)
        self.assertFalse(worker_2.is_alive())
        # Worker 2 saw worker 1's turn (after a retry): Bao, not Anan again.
        self.assertEqual(result["Worker 2"], bao)
        self.assertGreaterEqual(result.get("retries", 0), 1)
        # And nobody was skipped: the next turn is Chai's, then Anan's.
        with self.registry.cursor() as cr3:
            self.assertEqual(self._create_lead(cr3, "Worker 3"), chai)
            self.assertEqual(self._create_lead(cr3, "Worker 3 bis"), anan)
            cr3.commit()
