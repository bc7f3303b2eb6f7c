"""Offers on a phone-sized screen, with touch: a rep accepts a lead offered to
them and declines another with a reason."""

from odoo.tests import tagged

from .common import PhoneTourCase


@tagged("post_install", "-at_install")
class TestOfferPhoneTour(PhoneTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._tour_offers(
            "tour_offer_phone",
            "Tour Offer Phone",
            ("Tour Phone Offer Accept", "Tour Phone Offer Decline"),
        )

    def test_rep_accepts_and_declines_offers_on_a_phone(self):
        self.assertEqual((self.to_accept | self.to_decline).offer_user_id, self.rep)
        with self.assertNoLogs(level="WARNING"):
            self.start_tour(
                "/odoo",
                "sales_team_queue_offers_phone",
                login="tour_offer_phone_rep",
            )
        self.assertEqual(self.to_accept.queue_state, "assigned")
        self.assertEqual(self.to_accept.user_id, self.rep)
        self.assertEqual(
            self.to_accept.assignment_ids.sorted("id").mapped("method"),
            ["offer", "accepted"],
        )
        self.assertEqual(self.to_decline.offer_user_id, self.rep2)
        self.assertEqual(
            self.to_decline.assignment_ids.sorted("id").mapped("method"),
            ["offer", "declined", "offer"],
        )
        line = self.to_decline.assignment_ids.sorted("id")[1]
        self.assertEqual((line.previous_user_id, line.create_uid), (self.rep, self.rep))
        self.assertEqual(
            line.reason, "offer declined by Tour Offer Phone Rep: Driving all afternoon"
        )
