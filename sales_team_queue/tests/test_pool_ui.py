"""The Lead Pool screen in a real browser: a rep claims from the kanban, sees
why a lead is refused to them, and releases a lead with a reason."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TourCase


@tagged("post_install", "-at_install")
class TestPoolUi(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_demo_queues()
        cls.rep_one, cls.rep_two = cls._tour_users(
            ("pool_rep_one", "Tour Pool Rep One"),
            ("pool_rep_two", "Tour Pool Rep Two"),
        )
        cls.team = cls._tour_team(
            "Tour Pool Team",
            cls.rep_one | cls.rep_two,
            leader=cls.env.ref("base.user_admin"),
            use_leads=True,
        )
        # VIP leads (priority 3) are for senior members during their first hour.
        cls.queue = cls._tour_queue(
            "Tour Pool",
            cls.team,
            cls.rep_one | cls.rep_two,
            strategy="pool",
            vip_min_priority="3",
            vip_release_minutes=60,
        )
        cls.open_lead, cls.vip_lead = cls.env["crm.lead"].create(
            [
                {
                    "name": "Tour Pool Open Lead",
                    "team_id": cls.team.id,
                    "user_id": False,
                    "expected_revenue": 1200,
                },
                {
                    "name": "Tour Pool VIP Lead",
                    "team_id": cls.team.id,
                    "user_id": False,
                    "priority": "3",
                },
            ]
        )

    def test_rep_claims_a_lead_from_the_pool_kanban(self):
        self.assertEqual(
            (self.open_lead | self.vip_lead).mapped("queue_state"), ["pool"] * 2
        )
        self.start_tour("/odoo", "sales_team_queue_pool_claim", login="pool_rep_one")
        self.assertEqual(self.open_lead.user_id, self.rep_one)
        self.assertEqual(self.open_lead.queue_state, "assigned")
        line = self.open_lead.assignment_ids.sorted("id")[-1]
        self.assertEqual((line.user_id, line.method), (self.rep_one, "claim"))
        self.assertEqual(self.vip_lead.queue_state, "pool")

    def test_rep_claims_several_leads_from_the_pool_list(self):
        second = self.env["crm.lead"].create(
            {"name": "Tour Pool Second Lead", "team_id": self.team.id, "user_id": False}
        )
        leads = self.open_lead | second
        self.assertEqual(leads.mapped("queue_state"), ["pool"] * 2)
        self.start_tour(
            "/odoo", "sales_team_queue_pool_list_claim", login="pool_rep_two"
        )
        self.assertEqual(leads.user_id, self.rep_two)
        for lead in leads:
            line = lead.assignment_ids.sorted("id")[-1]
            self.assertEqual((line.user_id, line.method), (self.rep_two, "claim"))
        self.assertEqual(self.vip_lead.queue_state, "pool")

    def test_refused_claim_shows_the_rule_on_the_card_and_when_clicked(self):
        self.assertTrue(self.vip_lead.is_vip)
        # The refusal is a UserError: the server logs it as a warning.
        with mute_logger("odoo.http"):
            self.start_tour(
                "/odoo", "sales_team_queue_pool_refused", login="pool_rep_two"
            )
        self.assertFalse(self.vip_lead.user_id)
        self.assertEqual(self.vip_lead.queue_state, "pool")
        self.assertNotIn("claim", self.vip_lead.assignment_ids.mapped("method"))

    def test_rep_releases_a_lead_with_a_reason_shown_in_the_pool(self):
        mine = self.env["crm.lead"].create(
            {"name": "Tour Pool Mine Lead", "team_id": self.team.id, "user_id": False}
        )
        mine.with_user(self.rep_one).action_claim()
        self.assertEqual(mine.user_id, self.rep_one)
        self.start_tour(
            f"/odoo/crm/{mine.id}",
            "sales_team_queue_pool_release",
            login="pool_rep_one",
        )
        self.assertFalse(mine.user_id)
        self.assertEqual(mine.queue_state, "pool")
        line = mine.assignment_ids.sorted("id")[-1]
        self.assertEqual(
            (line.method, line.previous_user_id, line.reason),
            (
                "recycle",
                self.rep_one,
                "released to the pool by Tour Pool Rep One: "
                "Customer wants a Vietnamese speaker",
            ),
        )
        self.assertEqual(mine.pool_return_user_id, self.rep_one)

    def test_private_pool_shows_a_card_until_the_rep_claims(self):
        self.queue.pool_hide_contact = True
        self.open_lead.email_from = "tour.secret@example.com"
        self.assertFalse(
            self.open_lead.with_user(self.rep_one)._filtered_access("read"),
            "the rep cannot read the lead before claiming it",
        )
        self.start_tour("/odoo", "sales_team_queue_pool_privacy", login="pool_rep_one")
        self.assertEqual(self.open_lead.user_id, self.rep_one)
        line = self.open_lead.assignment_ids.sorted("id")[-1]
        self.assertEqual((line.user_id, line.method), (self.rep_one, "claim"))
