"""A team leader sets a target and sees the leaderboard, in a real browser."""

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTargetsTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.team.queue"].search([]).action_archive()
        cls.leader, cls.rep = (
            new_test_user(
                cls.env,
                login=login,
                name=name,
                groups="sales_team.group_sale_salesman",
                tz="UTC",
            )
            for login, name in (
                ("tour_target_leader", "Tour Target Leader"),
                ("tour_target_rep", "Tour Target Rep"),
            )
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Tour Target Team",
                "user_id": cls.leader.id,
                "member_ids": [Command.set(cls.rep.ids)],
            }
        )
        cls.env["crm.lead"].create(
            {
                "name": "Tour won deal",
                "type": "opportunity",
                "user_id": cls.rep.id,
                "team_id": cls.team.id,
                "expected_revenue": 400,
                "stage_id": cls.env["crm.stage"]
                .search([("is_won", "=", True)], limit=1)
                .id,
                "date_closed": fields.Datetime.now(),
            }
        )

    def test_leader_sets_a_target_and_sees_the_leaderboard(self):
        self.start_tour("/odoo", "sales_team_queue_targets", login="tour_target_leader")
        target = self.env["crm.sales.target"].search([("user_id", "=", self.rep.id)])
        self.assertEqual(target.team_id, self.team)
        self.assertEqual(target.revenue_target, 1000)
        self.assertEqual(target.progress, 40)
        self.assertTrue(target.is_top)
