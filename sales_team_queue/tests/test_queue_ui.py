"""Queues in a real browser: a sales manager sets up a queue and a new lead
goes to its first member; Test Routing changes nothing."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import TourCase


@tagged("post_install", "-at_install")
class TestQueueUi(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_demo_queues()
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.groups_id = [Command.link(cls.env.ref("crm.group_use_lead").id)]
        cls.rep_one, cls.rep_two = cls._tour_users(
            ("tour_rep_one", "Tour Rep One"),
            ("tour_rep_two", "Tour Rep Two"),
        )
        # The admin leads the team, so new leads are in this team by default.
        cls.team = cls._tour_team(
            "Tour Queue Team",
            cls.rep_one | cls.rep_two,
            leader=cls.admin,
            use_leads=True,
        )

    def test_manager_sets_up_a_queue_and_a_new_lead_goes_to_its_first_member(self):
        self.start_tour("/odoo", "sales_team_queue_queue_setup", login="admin")
        queue = self.env["crm.team.queue"].search([("name", "=", "Tour Web Leads")])
        self.assertEqual(queue.team_id, self.team)
        self.assertEqual(queue.strategy, "round_robin")
        self.assertEqual(queue.member_ids.sorted().user_id, self.rep_one | self.rep_two)
        lead = self.env["crm.lead"].search([("name", "=", "Tour Website Enquiry")])
        self.assertEqual(lead.user_id, self.rep_one)
        self.assertEqual((lead.queue_id, lead.queue_state), (queue, "assigned"))
        self.assertEqual(
            lead.assignment_ids.mapped(
                lambda line: (line.user_id, line.method, line.reason)
            ),
            [(self.rep_one, "auto", "round robin: first turn")],
        )

    def test_manager_tests_the_routing_of_a_queue_without_changing_anything(self):
        queue = self._tour_queue(
            "Tour Dry Run", self.team, self.rep_one | self.rep_two, quiet=False
        )
        # Other leads waiting without salesperson (demo data) are out of the way.
        self.env["crm.lead"].search([("user_id", "=", False)]).write({"active": False})
        leads = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create(
                [
                    {"name": name, "team_id": self.team.id, "user_id": False}
                    for name in ("Dry Run Lead A", "Dry Run Lead B")
                ]
            )
        )
        self.start_tour("/odoo", "sales_team_queue_queue_test_routing", login="admin")
        self.assertFalse(leads.user_id)
        self.assertFalse(leads.assignment_ids)
        self.assertFalse(queue.rr_last_member_id)
