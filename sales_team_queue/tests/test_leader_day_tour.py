"""A team leader's day in a real browser (a salesperson who leads a team, not a
sales manager): the dashboard, the members' load, pausing and resuming a
member, Test Routing, reassigning a lead, and the handover of a member's book;
no screen may refuse them anything."""

from odoo.tests import tagged

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import TourCase


@tagged("post_install", "-at_install")
class TestLeaderDayTour(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls._archive_demo_routing()
        env.company.queue_activity_type_id = False
        cls.leader, cls.anna, cls.ben, cls.chai = cls._tour_users(
            ("tour_day_leader", "Tour Day Leader"),
            ("tour_day_anna", "Tour Day Anna"),
            ("tour_day_ben", "Tour Day Ben"),
            ("tour_day_chai", "Tour Day Chai"),
        )
        cls.team = cls._tour_team(
            "Tour Day Team",
            cls.anna | cls.ben | cls.chai,
            leader=cls.leader,
            use_leads=True,
        )
        cls.queue = cls._tour_queue(
            "Tour Day Queue",
            cls.team,
            [{"user_id": cls.anna.id, "daily_cap": 5}, {"user_id": cls.ben.id}],
        )
        Lead = env["crm.lead"]
        # Routed in turn: the first to Anna, the second to Ben.
        cls.lead_one, cls.lead_two = Lead.create(
            [
                {"name": name, "type": "lead", "team_id": cls.team.id}
                for name in ("Tour Day Lead One", "Tour Day Lead Two")
            ]
        )
        cls.waiting = Lead.with_context(**ROUTING_OFF).create(
            {
                "name": "Tour Day Waiting Lead",
                "type": "lead",
                "team_id": cls.team.id,
                "user_id": False,
            }
        )
        cls.chai_book = Lead.create(
            [
                {
                    "name": f"Tour Day Chai Lead {i}",
                    "type": "lead",
                    "team_id": cls.team.id,
                    "user_id": cls.chai.id,
                }
                for i in range(2)
            ]
        )

    def test_a_team_leaders_day(self):
        self.assertEqual(
            (self.lead_one.user_id, self.lead_two.user_id), (self.anna, self.ben)
        )
        self.assertFalse(self.leader.has_group("sales_team.group_sale_manager"))
        # A refusal would be logged as a warning by the server.
        with self.assertNoLogs(level="WARNING"):
            self.start_tour(
                "/odoo", "sales_team_queue_leader_day", login="tour_day_leader"
            )
        ben = self.queue.member_ids.filtered(lambda m: m.user_id == self.ben)
        self.assertTrue(ben.active, "paused, then made available again")
        self.assertFalse(self.waiting.user_id, "Test Routing changes nothing")
        self.assertEqual(self.lead_one.user_id, self.ben)
        line = self.lead_one.assignment_ids.sorted("id")[-1]
        self.assertEqual(
            (line.method, line.previous_user_id, line.create_uid),
            ("wizard", self.anna, self.leader),
        )
        self.assertIn("Anna is at the trade fair", line.reason)
        self.assertEqual(self.chai_book.user_id, self.ben)
        lines = self.chai_book.assignment_ids.filtered(
            lambda line: line.method == "handover"
        )
        self.assertEqual(lines.create_uid, self.leader)
        self.assertEqual(len(lines), 2)
