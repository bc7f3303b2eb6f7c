"""Two reps win a deal each at once, on two real database cursors: the team's
target is shared by both deals, and neither win fails on its row; once both
are committed, the target counts both deals."""

import time

from odoo import SUPERUSER_ID, Command, fields
from odoo.tests import tagged

from .common import CommittedCase


@tagged("post_install", "-at_install")
class TestTargetsConcurrentWins(CommittedCase):
    def setUp(self):
        super().setUp()
        with self._worker_env(SUPERUSER_ID) as env:
            users = self._commit_users(env, "t_conc_", ("A", "B"))
            team = self._commit_teams(
                env, {"name": "Concurrent Wins", "member_ids": [Command.set(users.ids)]}
            )
            target = env["crm.sales.target"].create(
                {
                    "team_id": team.id,
                    "date_from": fields.Date.today().replace(day=1),
                    "revenue_target": 1000,
                }
            )
            deals = env["crm.lead"].create(
                [
                    {
                        "name": f"Concurrent deal {revenue}",
                        "type": "opportunity",
                        "user_id": user.id,
                        "team_id": team.id,
                        "expected_revenue": revenue,
                    }
                    for user, revenue in zip(users, (100, 200), strict=True)
                ]
            )
            self.won_id = env["crm.stage"].search([("is_won", "=", True)], limit=1).id
            self.target_id, self.deal_ids = target.id, deals.ids

    def _assert_both_deals_counted(self):
        with self._worker_env(SUPERUSER_ID) as env:
            target = env["crm.sales.target"].browse(self.target_id)
            self.assertEqual(target.revenue_achieved, 300)
            self.assertEqual(target.won_count_achieved, 2)

    def _win(self, env, deal_id):
        env["crm.lead"].browse(deal_id).write({"stage_id": self.won_id})
        env.flush_all()

    def _two_workers(self):
        """Two environments on cursors of their own; the second one fails
        rather than wait for a lock of the first (which would block this test)."""
        first, second = (self._open_worker_env(SUPERUSER_ID) for _i in range(2))
        second.cr.execute("SET lock_timeout = '3s'")
        return first, second

    def test_two_wins_at_once_share_the_team_target(self):
        first, second = self._two_workers()
        self._win(first, self.deal_ids[0])  # holds the target's row
        self._win(second, self.deal_ids[1])  # must not fail nor wait
        first.cr.commit()
        second.cr.commit()  # its after-commit computation counts both
        self._assert_both_deals_counted()

    def test_a_deferred_computation_counts_the_holder_s_deal_too(self):
        """The second win's computation after its commit waits for the row
        the first one holds, then counts: both deals, not only its own."""
        first, second = self._two_workers()
        self._win(first, self.deal_ids[0])  # holds the row, not committed
        self._win(second, self.deal_ids[1])  # deferred
        # its computation waits for the first one's row
        thread = self._start_thread(second.cr.commit)
        time.sleep(0.5)
        first.cr.commit()
        thread.join()
        self._assert_both_deals_counted()
