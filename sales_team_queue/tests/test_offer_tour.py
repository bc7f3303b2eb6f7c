"""Offers in a real browser: a rep finds the leads offered to them with the
"Offered to Me" filter, accepts one (its SLA starts) and declines the other
with a reason in the dialog (it is offered to the next member)."""

from odoo.tests import tagged

from .common import TourCase


@tagged("post_install", "-at_install")
class TestOfferTour(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._tour_offers(
            "tour_offer",
            "Tour Offer",
            ("Tour Offer Accept", "Tour Offer Decline"),
            sla_hours=4,
            sla_action="none",
        )
        Lead = cls.env["crm.lead"]
        # the rep's own lead, not offered: the filter leaves it out
        Lead.create(
            {
                "name": "Tour Offer Own",
                "type": "opportunity",
                "team_id": cls.team.id,
                "user_id": cls.rep.id,
            }
        )

    def _methods(self, lead):
        return lead.assignment_ids.sorted("id").mapped("method")

    def test_rep_accepts_one_offer_and_declines_another(self):
        for lead in self.to_accept | self.to_decline:
            self.assertEqual(lead.queue_state, "offered")
            self.assertEqual(lead.offer_user_id, self.rep)
            self.assertEqual(lead.sla_state, "none")
        with self.assertNoLogs(level="WARNING"):
            self.start_tour("/odoo", "sales_team_queue_offers", login="tour_offer_rep")

        accepted = self.to_accept
        self.assertEqual(accepted.queue_state, "assigned")
        self.assertEqual(accepted.user_id, self.rep)
        self.assertFalse(accepted.offer_user_id)
        self.assertFalse(accepted.offer_deadline)
        self.assertEqual(accepted.sla_state, "running")
        self.assertEqual(self._methods(accepted), ["offer", "accepted"])
        self.assertEqual(accepted.assignment_ids.sorted("id")[-1].create_uid, self.rep)

        declined = self.to_decline
        self.assertEqual(declined.queue_state, "offered")
        self.assertEqual(declined.offer_user_id, self.rep2)
        self.assertEqual(declined.user_id, self.rep2)
        self.assertEqual(self._methods(declined), ["offer", "declined", "offer"])
        line = declined.assignment_ids.sorted("id")[1]
        self.assertEqual((line.previous_user_id, line.create_uid), (self.rep, self.rep))
        self.assertEqual(
            line.reason, "offer declined by Tour Offer Rep: On a customer visit today"
        )
