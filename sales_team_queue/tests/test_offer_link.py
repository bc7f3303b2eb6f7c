"""The Accept link of an offer's notification, followed in a real HTTP session."""

from odoo.tests import tagged

from .common import TourCase


@tagged("post_install", "-at_install")
class TestOfferLink(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_demo_queues()
        cls.rep, cls.other = cls._tour_users(
            ("offer_link_rep", "Offer Link Rep"),
            ("offer_link_other", "Offer Link Other"),
        )
        cls.team = cls._tour_team("Offer Link Team", cls.rep | cls.other)
        cls._tour_queue(
            "Offer Link Queue", cls.team, cls.rep | cls.other, offer_minutes=10
        )
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Offer Link Lead", "team_id": cls.team.id, "user_id": False}
        )

    def _accept_url(self):
        return f"/sales_team_queue/offer/{self.lead.id}/accept"

    def test_the_notification_links_to_a_one_click_accept(self):
        self.assertEqual(self.lead.offer_user_id, self.rep)
        message = self.env["mail.message"].search(
            [("partner_ids", "in", self.rep.partner_id.ids)], order="id desc", limit=1
        )
        self.assertIn(self._accept_url(), message.body)

    def test_the_rep_accepts_in_one_click_and_lands_on_the_lead(self):
        self.authenticate("offer_link_rep", "offer_link_rep")
        response = self.url_open(self._accept_url(), allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(
            response.headers["Location"].endswith(f"/odoo/crm/{self.lead.id}")
        )
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.queue_state, "assigned")
        self.assertEqual(self.lead.assignment_ids.sorted("id")[-1].method, "accepted")
        # followed again (a second click): the lead, as it is
        again = self.url_open(self._accept_url(), allow_redirects=False)
        self.assertEqual(again.status_code, 303)
        self.assertEqual(len(self.lead.assignment_ids), 2)

    def test_a_colleague_cannot_accept_it_by_the_link(self):
        self.authenticate("offer_link_other", "offer_link_other")
        response = self.url_open(self._accept_url(), allow_redirects=False)
        self.assertEqual(response.status_code, 404)
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.queue_state, "offered")
