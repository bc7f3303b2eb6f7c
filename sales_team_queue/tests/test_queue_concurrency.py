"""Two workers routing at the same time, on two real database cursors.

Routing never makes the creating transaction fail or wait: a worker that finds
the team's queues locked (another worker is routing) or changed since its
transaction began saves its lead and routes it right after its commit, in a
short READ COMMITTED transaction that waits for the lock. These tests prove
that, whatever the strategy, no turn is given twice or skipped and no cap is
exceeded."""

import threading
import time

from odoo import api
from odoo.tests import tagged

from odoo.addons.sales_team_queue.models.crm_team_queue_routing import LOCK_SETTING

from .common import CommittedQueueCase


@tagged("post_install", "-at_install")
class TestQueueConcurrency(CommittedQueueCase):
    def _worker(self, name, result):
        """A second worker: creates a lead, records when create returned, then
        commits (which routes the lead after the commit if it had to wait)."""
        with self.registry.cursor() as worker_cr:
            lead = self._create_lead(worker_cr, name)
            result["lead_id"] = lead.id
            result["owner_at_create"] = lead.user_id.id
            result["created_at"] = time.monotonic()
            worker_cr.commit()
            result["committed_at"] = time.monotonic()

    def _race(self):
        """Worker 1 routes a lead and holds the queue lock (not committed yet);
        worker 2 creates a lead meanwhile. Returns both leads' outcomes."""
        result = {}
        with self.registry.cursor() as cr1:
            first = self._create_lead(cr1, "Worker 1")
            self.assertTrue(first.queue_id, "worker 1 routed its lead at once")
            worker_2 = threading.Thread(target=self._worker, args=("Worker 2", result))
            worker_2.start()
            time.sleep(1.0)
            # Worker 2's create returned at once, without waiting for worker 1
            # and without an error; its lead is saved and waits for the lock.
            self.assertIn("created_at", result, "create did not wait for routing")
            self.assertFalse(result["owner_at_create"])
            self.assertTrue(worker_2.is_alive(), "its routing waits for the lock")
            cr1.commit()
            first_id = first.id
        worker_2.join(timeout=30)
        self.assertFalse(worker_2.is_alive())
        return self._leads_outcome([first_id, result["lead_id"]])

    def test_round_robin_two_workers_never_get_the_same_turn(self):
        self._make_queue("round_robin")
        anan, bao, chai = self.user_ids
        first, second = self._race()
        self.assertEqual(first, (anan, "assigned", [("auto", anan)]))
        self.assertEqual(second, (bao, "assigned", [("auto", bao)]))
        # Nobody was skipped: the next turns are Chai's, then Anan's.
        with self.registry.cursor() as cr3:
            self.assertEqual(self._create_lead(cr3, "Worker 3").user_id.id, chai)
            self.assertEqual(self._create_lead(cr3, "Worker 3 bis").user_id.id, anan)
            cr3.commit()

    def test_worker_that_began_before_the_other_committed_does_not_reuse_its_turn(
        self,
    ):
        """Under REPEATABLE READ, a transaction that began before another one
        routed and committed must not plan on its old snapshot."""
        self._make_queue("round_robin")
        anan, bao, _chai = self.user_ids
        with self.registry.cursor() as cr2:
            cr2.execute("SELECT 1")  # worker 2's transaction (snapshot) begins
            with self.registry.cursor() as cr1:
                first = self._create_lead(cr1, "Worker 1")
                cr1.commit()
                first_id = first.id
            second = self._create_lead(cr2, "Worker 2")
            self.assertFalse(second.user_id, "stale snapshot: routed after commit")
            cr2.execute(f"SELECT current_setting('{LOCK_SETTING}')")
            self.assertEqual(cr2.fetchone()[0], "0")
            cr2.commit()
            second_id = second.id
        first, second = self._leads_outcome([first_id, second_id])
        self.assertEqual(first[0], anan)
        self.assertEqual(second, (bao, "assigned", [("auto", bao)]))

    def test_weighted_two_workers_share_by_weight(self):
        self._make_queue("weighted")
        first, second = self._race()
        self.assertNotEqual(first[0], second[0])
        # The third lead completes the round: one each, by the saved credits.
        with self.registry.cursor() as cr3:
            third = self._create_lead(cr3, "Worker 3").user_id.id
            cr3.commit()
        self.assertEqual(sorted([first[0], second[0], third]), sorted(self.user_ids))

    def test_best_fit_two_workers_never_exceed_the_fairness_band(self):
        """Anan wins most; with a band of 0 the second lead of the race may not
        go to him too (he would have 2 of 2 leads, his share being 2/3)."""
        anan, bao, chai = self.user_ids
        with self._worker_env() as env:
            won = env["crm.stage"].search([("is_won", "=", True)], limit=1)
            for user_id, wins, losses in ((anan, 15, 5), (bao, 8, 12), (chai, 4, 16)):
                values = {"team_id": self.team_id, "user_id": user_id}
                env["crm.lead"].create(
                    [dict(values, name="Won", stage_id=won.id)] * wins
                )
                env["crm.lead"].create([dict(values, name="Lost")] * losses).write(
                    {"active": False, "probability": 0}
                )
        self._make_queue("best_fit", fairness_band=0)
        first, second = self._race()
        self.assertEqual(first[0], anan)
        self.assertEqual(second[0], bao)
        self.assertEqual(second[1], "assigned")

    def test_load_balanced_two_workers_spread_the_load(self):
        self._make_queue("load_balanced")
        first, second = self._race()
        self.assertNotEqual(first[0], second[0], "the second saw the first's lead")
        self.assertTrue(first[0] and second[0])

    def test_daily_cap_holds_against_two_workers(self):
        # Only Anan is available, with a daily cap of 1.
        self._make_queue(
            "round_robin",
            members=[{"daily_cap": 1}, {"active": False}, {"active": False}],
        )
        anan = self.user_ids[0]
        first, second = self._race()
        self.assertEqual(first[0], anan)
        self.assertEqual(second[:2], (False, "pool"), "the cap is not exceeded")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {"lang": "en_US"})
            lead = env["crm.lead"].search(
                [("team_id", "=", self.team_id), ("name", "=", "Worker 2")]
            )
            self.assertEqual(
                lead.assignment_ids.reason,
                "no eligible member: Anan at daily cap (1 of 1), Bao paused, "
                "Chai paused",
            )

    def test_max_open_holds_against_two_workers(self):
        self._make_queue(
            "load_balanced",
            members=[{"max_open": 1}, {"active": False}, {"active": False}],
        )
        first, second = self._race()
        self.assertEqual(first[0], self.user_ids[0])
        self.assertEqual(second[:2], (False, "pool"), "max open is not exceeded")

    def test_claim_then_assignment_in_one_transaction_stops_an_older_routing(self):
        """A script claims a pool lead (as a sales manager, who is no member),
        then gives another lead of the team to Bao, in one transaction: a
        routing whose snapshot predates its commit must not plan on that
        snapshot (Bao is then at his open lead limit)."""
        self._make_queue(
            "load_balanced",
            members=[{"active": False}, {"max_open": 1}, {"active": False}],
        )
        anan, bao, _chai = self.user_ids
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {})
            self._quiet_queue(
                env,
                "Concurrency Pool",
                self.team_id,
                [{"user_id": anan}],
                strategy="pool",
                sequence=-1,
                domain="[('name', '=like', 'Pool%')]",
            )
            pool = self._create_lead(cr, "Pool lead")
            self.assertEqual(pool.queue_state, "pool")
            given = env["crm.lead"].create(
                {"name": "Given", "team_id": self.team_id, "user_id": anan}
            )
            pool_id, given_id = pool.id, given.id  # committed as the block ends
        with self.registry.cursor() as cr2:
            cr2.execute("SELECT 1")  # the routing's transaction (snapshot) begins
            with self.registry.cursor() as cr1:
                env = api.Environment(cr1, self.admin_id, {})
                cr1.execute("SELECT txid_current()")  # a script that has written
                env["crm.lead"].browse(pool_id).action_claim()
                env["crm.lead"].browse(given_id).write({"user_id": bao})
                cr1.commit()
            second = self._create_lead(cr2, "Worker 2")
            self.assertFalse(second.user_id, "stale snapshot: routed after commit")
            cr2.commit()
            second_id = second.id
        outcome = self._leads_outcome([pool_id, given_id, second_id])
        self.assertEqual(outcome[0][:2], (self.admin_id, "assigned"))
        self.assertEqual(outcome[1][0], bao)
        self.assertEqual(outcome[2][:2], (False, "pool"), "max open is not exceeded")
