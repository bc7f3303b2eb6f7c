"""Best fit in a real browser: a sales manager switches a queue whose team has a
history of won and lost leads to Best Fit, sets its fairness band, tests the
routing of a Thai lead (it would go to the member who wins Thai leads, and the
reason gives the numbers) and reads the members' band limits in Queue
Fairness."""

from odoo.tests import tagged

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import TourCase
from .test_best_fit import FitHistoryMixin


@tagged("post_install", "-at_install")
class TestBestFitTour(FitHistoryMixin, TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls._archive_demo_routing()
        cls.manager = cls._tour_user(
            "tour_fit_manager",
            "Tour Fit Manager",
            groups="sales_team.group_sale_manager",
        )
        cls.somchai, cls.wei, cls.linh = cls._tour_users(
            ("tour_fit_somchai", "Somchai"),
            ("tour_fit_wei", "Wei"),
            ("tour_fit_linh", "Linh"),
        )
        cls.team = cls._tour_team("Tour Fit Team", cls.somchai | cls.wei | cls.linh)
        cls._fit_setup()
        cls._history()
        cls.queue = cls._tour_queue(
            "Tour Fit Queue", cls.team, cls.somchai | cls.wei | cls.linh
        )
        Lead = env["crm.lead"]
        # Today, in turn: one lead each (the fairness window counts them).
        Lead.create(
            [
                {
                    "name": f"Tour Fit Routed {index}",
                    "type": "lead",
                    "team_id": cls.team.id,
                    "user_id": False,
                }
                for index in range(3)
            ]
        )
        cls.thai_lead = Lead.with_context(**ROUTING_OFF).create(
            {
                "name": "Tour Fit Thai Lead",
                "type": "lead",
                "team_id": cls.team.id,
                "user_id": False,
                "country_id": cls.thailand.id,
            }
        )

    def test_manager_switches_a_queue_to_best_fit_and_tests_it(self):
        Line = self.env["crm.lead.assignment"]
        lines_before = Line.search_count([("queue_id", "=", self.queue.id)])
        self.assertEqual(lines_before, 3)
        with self.assertNoLogs(level="WARNING"):
            self.start_tour(
                "/odoo", "sales_team_queue_best_fit", login="tour_fit_manager"
            )
        self.assertEqual(
            (
                self.queue.strategy,
                self.queue.fairness_band,
                self.queue.fairness_window_days,
            ),
            ("best_fit", 50, 1),
        )
        # Saving as best fit counted the team's history.
        frequency = self.env["crm.lead.fit.frequency"].search(
            [
                ("team_id", "=", self.team.id),
                ("user_id", "=", self.somchai.id),
                ("variable", "=", "country_id"),
                ("value", "=", str(self.thailand.id)),
            ]
        )
        self.assertEqual((frequency.won_count, frequency.lost_count), (16, 4))
        # Test Routing wrote nothing: the lead waits, no ledger line, no turn.
        self.assertFalse(self.thai_lead.user_id)
        self.assertFalse(self.thai_lead.assignment_ids)
        self.assertEqual(
            Line.search_count([("queue_id", "=", self.queue.id)]), lines_before
        )
