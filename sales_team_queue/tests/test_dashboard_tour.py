"""The queue dashboard and the fairness screen in a real browser."""

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.sales_team_queue.models.values import Decision


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
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
                ("tour_dash_leader", "Tour Dashboard Leader"),
                ("tour_dash_rep", "Tour Dashboard Rep"),
            )
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Tour Dashboard Team",
                "sequence": -1000,
                "user_id": cls.leader.id,
                "member_ids": [Command.set(cls.rep.ids)],
            }
        )
        cls.queue = cls.env["crm.team.queue"].create(
            {
                "name": "Tour Dashboard Pool",
                "team_id": cls.team.id,
                "strategy": "pool",
                "notify_assignee": False,
                "activity_type_id": False,
                "member_ids": [Command.create({"user_id": cls.rep.id, "daily_cap": 1})],
            }
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
