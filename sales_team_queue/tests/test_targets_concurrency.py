"""Two reps win a deal each at once, on two real database cursors: the team's
target is shared by both deals, and neither win fails on its row; once both
are committed, the target counts both deals."""

import threading
import time

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTargetsConcurrentWins(TransactionCase):
    def setUp(self):
        super().setUp()
        # Data committed in its own transaction, so that both cursors see it.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            users = env["res.users"]
            for name in ("a", "b"):
                users |= new_test_user(
                    env,
                    login=f"t_conc_{name}",
                    groups="sales_team.group_sale_salesman",
                )
            team = env["crm.team"].create(
                {"name": "Concurrent Wins", "member_ids": [Command.set(users.ids)]}
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
            self.ids = {
                "users": users.ids,
                "team": team.id,
                "target": target.id,
                "deals": deals.ids,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["crm.lead"].browse(self.ids["deals"]).unlink()
            env["crm.sales.target"].browse(self.ids["target"]).unlink()
            env["crm.team"].browse(self.ids["team"]).unlink()
            env["res.users"].browse(self.ids["users"]).unlink()

    def _assert_both_deals_counted(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            target = env["crm.sales.target"].browse(self.ids["target"])
            self.assertEqual(target.revenue_achieved, 300)
            self.assertEqual(target.won_count_achieved, 2)

    def _win(self, cr, deal_id):
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["crm.lead"].browse(deal_id).write({"stage_id": self.won_id})
        env.flush_all()

    def test_two_wins_at_once_share_the_team_target(self):
        first, second = self.registry.cursor(), self.registry.cursor()
        # waiting for the first one's lock would block this test: fail instead
        second.execute("SET lock_timeout = '3s'")
        try:
            self._win(first, self.ids["deals"][0])  # holds the target's row
            self._win(second, self.ids["deals"][1])  # must not fail nor wait
            first.commit()
            second.commit()  # its after-commit computation counts both
        finally:
            first.close()
            second.close()
        self._assert_both_deals_counted()

    def test_a_deferred_computation_counts_the_holder_s_deal_too(self):
        """The second win's computation after its commit waits for the row
        the first one holds, then counts: both deals, not only its own."""
        first, second = self.registry.cursor(), self.registry.cursor()
        second.execute("SET lock_timeout = '3s'")
        try:
            self._win(first, self.ids["deals"][0])  # holds the row, not committed
            self._win(second, self.ids["deals"][1])  # deferred
            thread = threading.Thread(target=second.commit)
            thread.start()  # its computation waits for the first one's row
            time.sleep(0.5)
            first.commit()
            thread.join()
        finally:
            first.close()
            second.close()
        self._assert_both_deals_counted()
