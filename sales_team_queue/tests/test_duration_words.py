"""Durations in words, the one formatter of the server's texts ("18 min",
"2 h 5 min", "3 d 4 h"), in the ledger's reasons (old lines too), and the
widget that shows the numeric duration fields of the screens in words."""

from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.sales_team_queue.models.duration import duration_words, hours_words
from odoo.addons.sales_team_queue.models.values import render_reason

from .common import TourCase


@tagged("post_install", "-at_install")
class TestDurationWords(TransactionCase):
    def test_minutes_hours_and_days(self):
        words = {
            0: "0 min",
            18: "18 min",
            59.6: "1 h",
            125: "2 h 5 min",
            180: "3 h",
            60 * 24 * 3 + 4 * 60 + 10: "3 d 4 h",
            60 * 24 * 2: "2 d",
            -5: "0 min",
            None: "0 min",
        }
        for minutes, text in words.items():
            self.assertEqual(duration_words(self.env, minutes), text, minutes)
        self.assertEqual(hours_words(self.env, 0.3), "18 min")
        self.assertEqual(hours_words(self.env, 1.5), "1 h 30 min")

    def test_sla_and_dispatch_reasons_read_in_words(self):
        self.assertEqual(
            render_reason(self.env, "sla_recycled", {"hours": 0.3}),
            "SLA missed: no follow-up within 18 min",
        )
        # Lines written by the previous version hold the hours as text.
        self.assertEqual(
            render_reason(self.env, "sla_recycled", {"hours": "2.5"}),
            "SLA missed: no follow-up within 2 h 30 min",
        )
        self.assertEqual(
            render_reason(
                self.env,
                "dispatched",
                {"minutes": 150, "reason": {"code": "rr_first", "args": {}}},
            ),
            "dispatched after 2 h 30 min unclaimed; round robin: first turn",
        )
        self.assertEqual(
            render_reason(self.env, "sla_recycled", {"hours": "nonsense"}),
            "SLA missed: no follow-up within ?",
        )

    def test_duration_fields_are_shown_in_words(self):
        shown = {
            "crm.lead.assignment.report": ["claim_minutes", "response_minutes"],
            "crm.lead.assignment": ["wait_minutes"],
            "crm.stage.analysis": ["duration_hours"],
            "crm.lead.stage.history": ["duration_hours"],
        }
        for model, names in shown.items():
            for view_type in ("list", "pivot"):
                if model == "crm.lead.assignment" and view_type == "pivot":
                    continue
                arch = self.env[model].get_views([(False, view_type)])["views"][
                    view_type
                ]["arch"]
                for name in names:
                    [node] = etree.fromstring(arch).xpath(f"//field[@name='{name}']")
                    self.assertIn(
                        node.get("widget"),
                        ("duration_words", "duration_words_hours"),
                        f"{model} {view_type} {name}",
                    )


@tagged("post_install", "-at_install")
class TestDurationWordsTour(TourCase):
    def test_assignment_analysis_shows_durations_in_words(self):
        rep = self._tour_user("tour_duration_rep", "Tour Duration Rep")
        lead = self.env["crm.lead"].create({"name": "Tour Duration Lead"})
        lead.user_id = rep
        self.env.flush_all()
        self.assertIn(rep, lead.assignment_ids.user_id)
        # Assigned 125 minutes ago; the rep writes to the customer now.
        self.env.cr.execute(
            "UPDATE crm_lead_assignment SET create_date = %s"
            " WHERE lead_id = %s AND user_id = %s",
            (fields.Datetime.now() - timedelta(minutes=125), lead.id, rep.id),
        )
        lead.with_user(rep).message_post(body="Hello", message_type="comment")
        self.env.flush_all()
        self.start_tour(
            "/odoo/action-sales_team_queue.crm_lead_assignment_report_action",
            "sales_team_queue_duration_words",
            login="admin",
        )
