"""The Lead Pool on a phone-sized screen, with touch: a rep claims a lead and
gives it back with a reason."""

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPoolPhoneTour(HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.team.queue"].search([]).action_archive()
        cls.rep = new_test_user(
            cls.env,
            login="tour_phone_rep",
            name="Tour Phone Rep",
            groups="sales_team.group_sale_salesman",
            notification_type="inbox",
            tz="UTC",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Tour Phone Team",
                "sequence": -1000,
                "use_leads": True,
                "use_opportunities": True,
                "member_ids": [Command.set(cls.rep.ids)],
            }
        )
        cls.queue = cls.env["crm.team.queue"].create(
            {
                "name": "Tour Phone Pool",
                "team_id": cls.team.id,
                "strategy": "pool",
                "notify_assignee": False,
                "activity_type_id": False,
                "member_ids": [Command.create({"user_id": cls.rep.id})],
            }
        )
        # An opportunity, so that it shows in the rep's pipeline once claimed.
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Tour Phone Lead",
                "type": "opportunity",
                "team_id": cls.team.id,
                "user_id": False,
            }
        )

    def test_rep_claims_and_releases_a_lead_on_a_phone(self):
        self.assertEqual(self.lead.queue_state, "pool")
        with self.assertNoLogs(level="WARNING"):
            self.start_tour(
                "/odoo", "sales_team_queue_pool_phone", login="tour_phone_rep"
            )
        self.assertFalse(self.lead.user_id)
        self.assertEqual(self.lead.queue_state, "pool")
        self.assertEqual(
            self.lead.assignment_ids.sorted("id").mapped("method")[-2:],
            ["claim", "recycle"],
        )
        line = self.lead.assignment_ids.sorted("id")[-1]
        self.assertEqual((line.previous_user_id, line.create_uid), (self.rep, self.rep))
        self.assertIn("Customer wants a Thai speaker", line.reason)
