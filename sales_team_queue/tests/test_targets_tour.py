"""A team leader sets a target and sees the leaderboard, in a real browser."""

from odoo import fields
from odoo.tests import tagged

from .common import TourCase


@tagged("post_install", "-at_install")
class TestTargetsTour(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_demo_queues()
        cls.leader, cls.rep, cls.team = cls._tour_led_team("tour_target", "Tour Target")
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
