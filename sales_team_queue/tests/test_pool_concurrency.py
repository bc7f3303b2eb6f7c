"""Claims at the same instant, on two real database cursors.

A claim locks the queues of the lead's team first, then counts and checks
the rules, then assigns: a second claim waits for the first one's commit,
and its transaction (Odoo's REPEATABLE READ) is refused the lock with a
serialization failure; Odoo then runs the request again
(``odoo.service.model.retrying``, as for every RPC and HTTP call), which sees
the first claim. These tests run both claims through that same retry loop."""

import threading
import time
from datetime import datetime, timedelta

from odoo import Command, api
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPoolConcurrency(TransactionCase):
    def setUp(self):
        super().setUp()
        self.admin_id = self.env.ref("base.user_admin").id
        # Data committed in its own transaction, so that both cursors see it.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {})
            self.archived_queue_ids = env["crm.team.queue"].search([]).ids
            env["crm.team.queue"].browse(self.archived_queue_ids).action_archive()
            users = env["res.users"]
            for name in ("Anan", "Bao"):
                users |= new_test_user(
                    env,
                    login=f"q_pool_conc_{name.lower()}",
                    name=name,
                    groups="sales_team.group_sale_salesman",
                    tz="Asia/Bangkok",
                )
            team = env["crm.team"].create(
                {
                    "name": "Pool Concurrency Team",
                    "sequence": -200,
                    "member_ids": [Command.set(users.ids)],
                }
            )
            queue = env["crm.team.queue"].create(
                {
                    "name": "Pool Concurrency Queue",
                    "team_id": team.id,
                    "strategy": "pool",
                    "notify_assignee": False,
                    "activity_type_id": False,
                    "claim_daily_limit": 2,
                    "member_ids": [
                        Command.create({"user_id": user_id}) for user_id in users.ids
                    ],
                }
            )
            leads = env["crm.lead"].create(
                [
                    {"name": f"Pool lead {index}", "team_id": team.id, "user_id": False}
                    for index in range(3)
                ]
            )
            assert set(leads.mapped("queue_state")) == {"pool"}
            self.user_ids, self.team_id = users.ids, team.id
            self.queue_id, self.lead_ids = queue.id, leads.ids
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {})
            leads = env["crm.lead"].with_context(active_test=False)
            leads.search([("team_id", "=", self.team_id)]).unlink()
            env["crm.team.queue"].with_context(active_test=False).search(
                [("team_id", "=", self.team_id)]
            ).unlink()
            env["crm.team"].browse(self.team_id).unlink()
            env["res.users"].browse(self.user_ids).unlink()
            env["crm.team.queue"].browse(self.archived_queue_ids).action_unarchive()

    def _claim_in_thread(self, user_id, lead_ids, result):
        """A second worker: claims ``lead_ids`` as ``user_id`` the way an RPC
        call does (retried on a serialization failure, committed on success)."""

        def work():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, user_id, {"lang": "en_US"})
                leads = env["crm.lead"].browse(lead_ids)
                try:
                    result["value"] = retrying(leads.action_claim, env)
                except UserError as error:
                    result["error"] = error.args[0]

        thread = threading.Thread(target=work)
        thread.start()
        return thread

    def _race(self, first_user, first_leads, second_user, second_leads):
        """The first claim runs and holds its locks (not committed yet) while
        the second one starts; then the first commits. Returns the second
        one's outcome."""
        result = {}
        with self.registry.cursor() as cr1:
            env = api.Environment(cr1, first_user, {"lang": "en_US"})
            self.assertIs(env["crm.lead"].browse(first_leads).action_claim(), True)
            second = self._claim_in_thread(second_user, second_leads, result)
            time.sleep(1.0)
            self.assertTrue(second.is_alive(), "the second claim waits for the lock")
            cr1.commit()
        second.join(timeout=30)
        self.assertFalse(second.is_alive())
        return result

    def _claims_outcome(self):
        """(owner id per lead, [(lead id, user id)] of the claim lines)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {})
            leads = env["crm.lead"].browse(self.lead_ids)
            lines = env["crm.lead.assignment"].search(
                [("lead_id", "in", self.lead_ids), ("method", "=", "claim")],
                order="id",
            )
            return (
                [lead.user_id.id for lead in leads],
                [(line.lead_id.id, line.user_id.id) for line in lines],
            )

    def test_two_reps_claim_one_lead_at_once_exactly_one_gets_it(self):
        anan, bao = self.user_ids
        lead_id = self.lead_ids[0]
        result = self._race(anan, [lead_id], bao, [lead_id])
        self.assertEqual(
            result.get("error"),
            "This lead is not waiting in a pool: only unassigned leads of a queue's "
            "pool can be claimed (someone may have just claimed it: refresh the "
            "pool).",
        )
        owners, claims = self._claims_outcome()
        self.assertEqual(owners, [anan, False, False])
        self.assertEqual(claims, [(lead_id, anan)], "one claim, one ledger line")

    def test_rep_one_claim_under_the_limit_claims_once_from_two_cursors(self):
        anan, _bao = self.user_ids
        first, second, third = self.lead_ids
        # Anan claimed one lead today: one more is allowed (limit 2).
        with self.registry.cursor() as cr:
            env = api.Environment(cr, anan, {})
            env["crm.lead"].browse(first).action_claim()
        result = self._race(anan, [second], anan, [third])
        self.assertEqual(
            result.get("error"),
            "Daily claim limit reached (2 of 2). It resets at 00:00 Asia/Bangkok.",
        )
        owners, claims = self._claims_outcome()
        self.assertEqual(owners, [anan, anan, False])
        self.assertEqual(claims, [(first, anan), (second, anan)])

    def test_claim_of_several_leads_takes_those_the_other_rep_left(self):
        anan, bao = self.user_ids
        first, second, third = self.lead_ids
        result = self._race(anan, [first], bao, [first, second, third])
        params = result["value"]["params"]
        self.assertEqual(
            params["message"],
            f"2 of 3 leads claimed. Not claimed:\n- Lead #{first}: This lead is not "
            "waiting in a pool: only unassigned leads of a queue's pool can be "
            "claimed (someone may have just claimed it: refresh the pool).",
        )
        owners, claims = self._claims_outcome()
        self.assertEqual(owners, [anan, bao, bao])
        self.assertEqual(len(claims), 3)

    def test_the_lock_makes_a_stale_snapshot_retry(self):
        """Without the retry, the second claim's transaction - begun before the
        first one committed - is refused the queues' lock rather than counting
        on its stale snapshot."""
        anan, _bao = self.user_ids
        first, second, _third = self.lead_ids
        with self.registry.cursor() as cr2:
            env2 = api.Environment(cr2, anan, {})
            lead_2 = env2["crm.lead"].browse(second)
            self.assertEqual(lead_2.queue_state, "pool")  # the snapshot begins
            with self.registry.cursor() as cr1:
                env1 = api.Environment(cr1, anan, {})
                env1["crm.lead"].browse(first).action_claim()
                cr1.commit()
            started = datetime.now()
            with self.assertRaisesRegex(Exception, "could not serialize"):
                lead_2.action_claim()
            self.assertLess(datetime.now() - started, timedelta(seconds=5))
            cr2.rollback()
