"""The Lead Pool on a phone-sized screen, with touch: a rep claims a lead and
gives it back with a reason."""

from odoo.tests import tagged

from .common import PhoneTourCase


@tagged("post_install", "-at_install")
class TestPoolPhoneTour(PhoneTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_demo_queues()
        cls.rep = cls._tour_user("tour_phone_rep", "Tour Phone Rep")
        cls.team = cls._tour_team("Tour Phone Team", cls.rep, use_leads=True)
        cls.queue = cls._tour_queue(
            "Tour Phone Pool", cls.team, cls.rep, strategy="pool"
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
