"""The SLA screens in a real browser: a team leader filters the breached SLAs of
the team (red badge) and logs a note on a running lead of a rep ("please call
them"), which does not meet it: only the salesperson's follow-ups do."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import TourCase


@tagged("post_install", "-at_install")
class TestSlaTour(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leader, cls.rep, cls.team = cls._tour_led_team("tour_sla", "Tour SLA")
        cls.queue = cls._tour_queue(
            "Tour SLA Queue",
            cls.team,
            cls.rep,
            quiet=False,
            sla_hours=4,
            sla_action="none",
        )
        Lead = cls.env["crm.lead"]
        cls.running, cls.breached = (
            Lead.create(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": cls.team.id,
                    "user_id": False,
                }
            )
            for name in ("Tour SLA running", "Tour SLA breached")
        )
        cls.breached.write(
            {
                "sla_state": "breached",
                "sla_deadline": fields.Datetime.now() - timedelta(hours=1),
            }
        )

    def test_leader_filters_breaches_and_notes_a_running_lead(self):
        self.assertEqual(self.running.user_id, self.rep, "routed by the queue")
        self.assertEqual(self.running.sla_state, "running")
        self.start_tour("/odoo", "sales_team_queue_sla", login="tour_sla_leader")
        self.assertEqual(
            self.running.sla_state, "running", "the leader's note is no follow-up"
        )
        self.assertEqual(self.breached.sla_state, "breached")
