"""Offers on a phone-sized screen, with touch: a rep accepts a lead offered to
them and declines another with a reason."""

from odoo.tests import tagged

from .common import TourCase


@tagged("post_install", "-at_install")
class TestOfferPhoneTour(TourCase):
    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_demo_queues()
        cls.rep, cls.rep2 = cls._tour_users(
            ("tour_offer_phone_rep", "Tour Offer Phone Rep"),
            ("tour_offer_phone_rep2", "Tour Offer Phone Second Rep"),
        )
        cls.team = cls._tour_team("Tour Offer Phone Team", cls.rep | cls.rep2)
        # The second rep is paused while the leads come in: both are offered
        # to the rep; available again, they get the declined one.
        cls.queue = cls._tour_queue(
            "Tour Offer Phone Queue",
            cls.team,
            [{"user_id": cls.rep.id}, {"user_id": cls.rep2.id, "active": False}],
            offer_minutes=10,
        )
        cls.to_accept, cls.to_decline = (
            cls.env["crm.lead"].create(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": cls.team.id,
                    "user_id": False,
                }
            )
            for name in ("Tour Phone Offer Accept", "Tour Phone Offer Decline")
        )
        cls.queue.with_context(active_test=False).member_ids.write({"active": True})

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
