"""Claims at the same instant, on real database cursors that commit.

A claim locks the queues of the lead's team (shared between claims) and the
rep's member rows first, then counts and checks the rules, then assigns: a
second claim of the same rep waits for the first one's commit, a claim of
another rep runs beside it, and a lead being claimed is refused at once.

``action_claim`` called by a transaction that has written nothing (an RPC
call) claims in a READ COMMITTED transaction of its own and commits: it sees
the latest commits and never meets a serialization failure. A transaction
that has written (a plain write of the salesperson through the door) claims
inside itself, under Odoo's REPEATABLE READ: a snapshot older than another
claim of the same rep is refused the lock with a serialization failure and
Odoo runs the request again (``odoo.service.model.retrying``, as for every
RPC and HTTP call). These tests run the claims through that same retry loop,
and clean up what they commit."""

import time
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CommittedCase


@tagged("post_install", "-at_install")
class TestPoolConcurrency(CommittedCase):
    def setUp(self):
        super().setUp()
        with self._worker_env() as env:
            self._archive_queues(env)
            users = self._commit_users(
                env, "q_pool_conc_", ("Anan", "Bao"), tz="Asia/Bangkok"
            )
            team = self._commit_teams(
                env,
                {
                    "name": "Pool Concurrency Team",
                    "sequence": -200,
                    "member_ids": [Command.set(users.ids)],
                },
            )
            queue = self._quiet_queue(
                env,
                "Pool Concurrency Queue",
                team.id,
                users,
                strategy="pool",
                claim_daily_limit=2,
            )
            leads = env["crm.lead"].create(
                [
                    {"name": f"Pool lead {index}", "team_id": team.id, "user_id": False}
                    for index in range(3)
                ]
            )
            assert set(leads.mapped("queue_state")) == {"pool"}
            self.queue_id, self.lead_ids = queue.id, leads.ids

    def _claim_in_thread(self, user_id, lead_ids, result):
        """A second worker: claims ``lead_ids`` as ``user_id`` the way an RPC
        call does (retried on a serialization failure, committed on success)."""

        def work():
            with self._worker_env(user_id, {"lang": "en_US"}) as env:
                leads = env["crm.lead"].browse(lead_ids)
                try:
                    result["value"] = retrying(leads.action_claim, env)
                except UserError as error:
                    result["error"] = error.args[0]

        return self._start_thread(work)

    def _race(self, first_user, first_lead, second_user, second_leads, waits=True):
        """The first claim - a plain write of the salesperson, which claims
        inside its transaction - runs and holds its locks (not committed yet)
        while the second one (``action_claim`` in a transaction of its own)
        starts; then the first commits. Returns the second one's outcome.

        :param bool waits: the second claim waits for the first one's commit;
            False: it answers while the first is still open
        """
        result = {}
        with self._worker_env(first_user, {"lang": "en_US"}) as env:
            env["crm.lead"].browse(first_lead).write({"user_id": first_user})
            second = self._claim_in_thread(second_user, second_leads, result)
            if waits:
                time.sleep(1.0)
                self.assertTrue(
                    second.is_alive(), "the second claim waits for the lock"
                )
            else:
                second.join(timeout=10)
                self.assertFalse(second.is_alive(), "the second claim answers at once")
            env.cr.commit()
        second.join(timeout=30)
        self.assertFalse(second.is_alive())
        return result

    def _owner_seen_by_another_cursor(self, lead_id):
        with self._worker_env() as env:
            return env["crm.lead"].browse(lead_id).user_id.id

    def _claims_outcome(self):
        """(owner id per lead, [(lead id, user id)] of the claim lines)."""
        with self._worker_env() as env:
            leads = env["crm.lead"].browse(self.lead_ids)
            lines = env["crm.lead.assignment"].search(
                [("lead_id", "in", self.lead_ids), ("method", "=", "claim")],
                order="id",
            )
            return (
                [lead.user_id.id for lead in leads],
                [(line.lead_id.id, line.user_id.id) for line in lines],
            )

    def assertClaims(self, owners, claims):
        """The owner of each lead, and the claim lines [(lead id, user id)]."""
        self.assertEqual(self._claims_outcome(), (owners, claims))

    def test_two_reps_claim_one_lead_at_once_exactly_one_gets_it(self):
        anan, bao = self.user_ids
        lead_id = self.lead_ids[0]
        result = self._race(anan, lead_id, bao, [lead_id], waits=False)
        self.assertEqual(
            result.get("error"),
            "This lead was just claimed, or is being changed, by someone else: "
            "refresh the pool and try again or pick another lead.",
        )
        owners, claims = self._claims_outcome()
        self.assertEqual(owners, [anan, False, False])
        self.assertEqual(claims, [(lead_id, anan)], "one claim, one ledger line")

    def test_rep_one_claim_under_the_limit_claims_once_from_two_cursors(self):
        anan, _bao = self.user_ids
        first, second, third = self.lead_ids
        # Anan claimed one lead today: one more is allowed (limit 2).
        with self._worker_env(anan) as env:
            env["crm.lead"].browse(first).action_claim()
        result = self._race(anan, second, anan, [third])
        self.assertEqual(
            result.get("error"),
            "Daily claim limit reached (2 of 2). It resets at 00:00 Asia/Bangkok.",
        )
        self.assertClaims([anan, anan, False], [(first, anan), (second, anan)])

    def test_claim_of_several_leads_takes_those_the_other_rep_left(self):
        anan, bao = self.user_ids
        first, second, third = self.lead_ids
        result = self._race(anan, first, bao, [first, second, third], waits=False)
        params = result["value"]["params"]
        self.assertEqual(
            params["message"],
            "2 of 3 leads claimed. Not claimed:\n- Pool lead 0: This lead was just "
            "claimed, or is being changed, by someone else: refresh the pool and "
            "try again or pick another lead.",
        )
        owners, claims = self._claims_outcome()
        self.assertEqual(owners, [anan, bao, bao])
        self.assertEqual(len(claims), 3)

    def test_the_lock_makes_a_stale_snapshot_retry(self):
        """A claim inside a transaction that has written, without the retry:
        the transaction - begun before another claim of the same rep committed
        - is refused the rep's lock rather than counting on its stale
        snapshot."""
        anan, _bao = self.user_ids
        first, second, _third = self.lead_ids
        with self._worker_env(anan) as env2:
            lead_2 = env2["crm.lead"].browse(second)
            self.assertEqual(lead_2.queue_state, "pool")  # the snapshot begins
            env2["res.partner"].sudo().create({"name": "Written before the claim"})
            with self._worker_env(anan) as env1:
                env1["crm.lead"].browse(first).action_claim()
                env1.cr.commit()
            started = datetime.now()
            with self.assertRaisesRegex(Exception, "could not serialize"):
                lead_2.action_claim()
            self.assertLess(datetime.now() - started, timedelta(seconds=5))
            env2.cr.rollback()

    def test_two_reps_claim_two_leads_side_by_side(self):
        """A claim of another rep does not wait for one in progress."""
        anan, bao = self.user_ids
        first, second, _third = self.lead_ids
        result = self._race(anan, first, bao, [second], waits=False)
        self.assertEqual(result["value"]["params"]["type"], "success")
        owners, _claims = self._claims_outcome()
        self.assertEqual(owners, [anan, bao, False])

    def test_own_transaction_claim_counts_claims_committed_since_it_began(self):
        """The request's snapshot predates the rep's second claim of the day:
        the claim, in a transaction of its own, counts it and refuses at once
        (limit 2), instead of a serialization failure and a retry."""
        anan, _bao = self.user_ids
        first, second, third = self.lead_ids
        with self._worker_env(anan) as env:
            env["crm.lead"].browse(first).action_claim()
        with self._worker_env(anan, {"lang": "en_US"}) as env2:
            lead_3 = env2["crm.lead"].browse(third)
            self.assertEqual(lead_3.queue_state, "pool")  # the snapshot begins
            with self._worker_env(anan) as env1:
                self.assertEqual(
                    env1["crm.lead"].browse(second).action_claim()["params"]["type"],
                    "success",
                )
            started = datetime.now()
            with self.assertRaisesRegex(UserError, r"Daily claim limit reached \(2"):
                lead_3.action_claim()
            self.assertLess(datetime.now() - started, timedelta(seconds=1))
        self.assertClaims([anan, anan, False], [(first, anan), (second, anan)])

    def test_own_transaction_claim_of_a_lead_taken_since_it_began(self):
        anan, bao = self.user_ids
        first, _second, _third = self.lead_ids
        with self._worker_env(bao, {"lang": "en_US"}) as env2:
            lead = env2["crm.lead"].browse(first)
            self.assertEqual(lead.queue_state, "pool")  # the snapshot begins
            with self._worker_env(anan) as env1:
                env1["crm.lead"].browse(first).action_claim()
            with self.assertRaisesRegex(UserError, "not waiting in a pool"):
                lead.action_claim()
        self.assertClaims([anan, False, False], [(first, anan)])

    def test_claim_commits_apart_from_a_caller_that_wrote_nothing(self):
        anan, _bao = self.user_ids
        first, _second, _third = self.lead_ids
        with self._worker_env(anan) as env:
            lead = env["crm.lead"].browse(first)
            self.assertEqual(lead.queue_state, "pool")
            self.assertEqual(lead.action_claim()["params"]["type"], "success")
            # Committed already, although the caller has not committed.
            self.assertEqual(self._owner_seen_by_another_cursor(first), anan)
            env.cr.rollback()
        self.assertClaims([anan, False, False], [(first, anan)])

    def test_claim_stays_in_a_caller_transaction_that_wrote(self):
        anan, _bao = self.user_ids
        first, _second, _third = self.lead_ids
        with self._worker_env(anan) as env:
            env["res.partner"].sudo().create({"name": "Written before the claim"})
            lead = env["crm.lead"].browse(first)
            self.assertEqual(lead.action_claim()["params"]["type"], "success")
            self.assertEqual(lead.user_id.id, anan)
            self.assertFalse(self._owner_seen_by_another_cursor(first))
            env.cr.rollback()
        self.assertClaims([False, False, False], [])

    def test_claim_waits_a_bounded_time_then_says_the_pool_is_busy(self):
        """A routing holding the queues longer than the lock timeout: the claim
        gives up after its tries instead of hanging."""
        anan, _bao = self.user_ids
        first, _second, _third = self.lead_ids
        result = {}
        with self.registry.cursor() as cr1:
            cr1.execute(
                "SELECT id FROM crm_team_queue WHERE id = %s FOR UPDATE",
                [self.queue_id],
            )
            started = datetime.now()
            claim = self._claim_in_thread(anan, [first], result)
            claim.join(timeout=30)
            self.assertFalse(claim.is_alive())
            cr1.rollback()
        self.assertRegex(result.get("error", ""), "^The pool is busy")
        self.assertLess(datetime.now() - started, timedelta(seconds=10))
        self.assertClaims([False, False, False], [])

    def test_a_failure_after_the_claims_commit_answers_and_claims_once(self):
        """A post-commit hook of the claim's transaction (Odoo's bus, another
        add-on's) fails, with a lock error or any other: the claim is
        committed, so the rep gets the claim's answer, the claim is not run
        again, and the hooks after the failing one still run."""
        anan, _bao = self.user_ids
        first, second, _third = self.lead_ids
        lead_model = type(self.env["crm.lead"])
        original, runs = lead_model._queue_claim, []
        holder_partner = self.env.ref("base.partner_admin").id

        def lock_error(cr):
            cr.execute(
                "SELECT id FROM res_partner WHERE id = %s FOR UPDATE NOWAIT",
                [holder_partner],
                log_exceptions=False,
            )

        def other_error(cr):
            raise ValueError("a broken hook")

        failures = {first: lock_error, second: other_error}

        after = []

        def claim_then_fail_after_commit(leads, *args, **kwargs):
            runs.append(leads.ids)
            outcome = original(leads, *args, **kwargs)
            cr = leads.env.cr
            cr.postcommit.add(lambda: failures[leads.id](cr))
            cr.postcommit.add(lambda: after.append(leads.id))
            return outcome

        answers = []
        with self.registry.cursor() as holder:
            holder.execute(
                "SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [holder_partner]
            )
            for lead_id in (first, second):
                with (
                    patch.object(
                        lead_model, "_queue_claim", claim_then_fail_after_commit
                    ),
                    self._worker_env(anan, {"lang": "en_US"}) as env,
                    mute_logger("odoo.addons.sales_team_queue.models.after_commit"),
                ):
                    answers.append(env["crm.lead"].browse(lead_id).action_claim())
            holder.rollback()
        self.assertEqual([a["params"]["type"] for a in answers], ["success"] * 2)
        self.assertEqual(runs, [[first], [second]], "claimed once, not tried again")
        self.assertEqual(after, [first, second], "the next hooks still run")
        self.assertClaims([anan, anan, False], [(first, anan), (second, anan)])

    def test_card_claim_and_open_in_its_own_transaction_of_a_private_pool(self):
        """The answer is built in the claim's transaction: the caller's
        snapshot still has the lead private to the rep."""
        anan, _bao = self.user_ids
        first, _second, _third = self.lead_ids
        with self._worker_env() as env:
            env["crm.team.queue"].browse(self.queue_id).pool_hide_contact = True
        with self._worker_env(anan, {"lang": "en_US"}) as env:
            self.assertFalse(env["crm.lead"].browse(first).has_access("read"))
            card = env["crm.lead.pool.card"].browse(first)
            action = card.action_claim_and_open()
            self.assertEqual(
                (action["res_model"], action["res_id"]), ("crm.lead", first)
            )
        self.assertClaims([anan, False, False], [(first, anan)])
