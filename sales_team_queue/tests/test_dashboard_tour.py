"""The queue dashboard and the fairness screen in a real browser."""

from odoo.tests import tagged

from odoo.addons.sales_team_queue.models.values import Decision

from .common import TourCase


@tagged("post_install", "-at_install")
class TestDashboardTour(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_demo_queues()
        cls.leader, cls.rep, cls.team = cls._tour_led_team(
            "tour_dash", "Tour Dashboard"
        )
        cls.queue = cls._tour_queue(
            "Tour Dashboard Pool",
            cls.team,
            [{"user_id": cls.rep.id, "daily_cap": 1}],
            strategy="pool",
        )
        leads = cls.env["crm.lead"].create(
            [
                {"name": f"Tour Dashboard Lead {i}", "team_id": cls.team.id}
                for i in range(4)
            ]
        )
        leads[2].with_user(cls.rep).action_claim()
        # The queue's own distribution, for the fairness report.
        cls.env["crm.lead"]._queue_assign_batch(
            [Decision(leads[3], cls.rep, cls.queue, "dispatch")],
            notify=False,
            activity=False,
        )

    def test_leader_opens_the_dashboard_and_the_fairness(self):
        queue = self.queue.with_user(self.leader)
        self.assertEqual(queue.dashboard_pool_count, 2)
        self.assertEqual(queue.dashboard_members_at_cap, 1)
        self.start_tour(
            "/odoo", "sales_team_queue_queue_dashboard", login="tour_dash_leader"
        )
