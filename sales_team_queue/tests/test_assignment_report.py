"""Assignment analysis on known data: claims, waits, first responses, wins,
losses and recycles of each rep and queue."""

from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.sales_team_queue.models.values import Decision

from .common import QueueCase

T0 = fields.Datetime.to_datetime("2026-03-04 03:00:00")


@tagged("post_install", "-at_install")
class TestAssignmentReport(QueueCase):
    @contextmanager
    def at(self, minutes):
        moment = T0 + timedelta(minutes=minutes)
        with freeze_time(moment), patch.object(self.env.cr, "now", lambda: moment):
            yield

    def setUp(self):
        super().setUp()
        self.queue = self._create_queue(
            strategy="pool", claim_daily_limit=0, claim_max_open=0
        )
        with self.at(0):
            self.lead_1, self.lead_2, self.lead_3 = self._new_leads(3)
        with self.at(30):
            self.lead_1.with_user(self.somchai).action_claim()
        with self.at(45):
            self.lead_1.with_user(self.somchai).message_post(
                body="Called the customer", message_type="comment"
            )
        with self.at(60):
            self.lead_3.with_user(self.somchai).action_claim()
        with self.at(90):
            self.lead_2.with_user(self.wei).action_claim()
        with self.at(120):
            self.env["crm.lead"]._queue_assign_batch(
                [Decision(self.lead_3, self.env["res.users"], self.queue, "recycle")],
                notify=False,
                activity=False,
            )
        with self.at(150):
            self.lead_1.write(
                {
                    "type": "opportunity",
                    "stage_id": self.env["crm.stage"]
                    .search([("is_won", "=", True)], limit=1)
                    .id,
                }
            )
            self.lead_2.with_user(self.wei).action_set_lost()
        self.env.flush_all()
        self.Report = self.env["crm.lead.assignment.report"]
        self.leads = self.lead_1 | self.lead_2 | self.lead_3

    def _by_user(self, measures):
        groups = self.Report._read_group(
            [("lead_id", "in", self.leads.ids), ("user_id", "!=", False)],
            ["user_id"],
            measures,
        )
        return {user.name: tuple(values) for user, *values in groups}

    def test_counts_per_rep(self):
        self.assertEqual(
            self._by_user(
                [
                    "assignment_count:sum",
                    "claim_count:sum",
                    "recycle_count:sum",
                    "won_count:sum",
                    "lost_count:sum",
                ]
            ),
            {"Somchai": (2, 2, 1, 1, 0), "Wei": (1, 1, 0, 0, 1)},
        )

    def test_time_to_claim_average_and_median(self):
        self.assertEqual(
            self._by_user(["claim_minutes:avg", "median_claim_minutes_user:avg"]),
            {"Somchai": (45.0, 45.0), "Wei": (90.0, 90.0)},
        )
        [(queue, minutes, median)] = self.Report._read_group(
            [("lead_id", "in", self.leads.ids), ("method", "=", "claim")],
            ["queue_id"],
            ["claim_minutes:avg", "median_claim_minutes_queue:avg"],
        )
        self.assertEqual((queue, minutes, median), (self.queue, 60.0, 60.0))

    def test_first_response_is_the_reps_first_follow_up(self):
        # Somchai wrote on lead 1 15 minutes after claiming it, and never
        # followed lead 3 up before it was recycled; Wei's first follow-up of
        # lead 2 is marking it lost, 60 minutes after the claim.
        self.assertEqual(
            self._by_user(["response_minutes:avg"]),
            {"Somchai": (15.0,), "Wei": (60.0,)},
        )

    def test_first_response_is_an_activity_done_or_an_email_not_a_leaders_note(self):
        with self.at(200):
            [lead] = self._new_leads(1)
        with self.at(210):
            lead.with_user(self.linh).action_claim()
        with self.at(220):
            lead.with_user(self.niran).message_post(
                body="Please call them", message_type="comment"
            )
            activity = lead.activity_schedule(
                "mail.mail_activity_data_call", user_id=self.linh.id
            )
        with self.at(250):
            activity.with_user(self.linh).action_feedback(feedback="Called")
        with self.at(260):
            lead.with_user(self.linh).message_post(
                body="Quote sent", message_type="email_outgoing"
            )
        self.env.flush_all()
        [(minutes,)] = self.Report._read_group(
            [("lead_id", "=", lead.id), ("user_id", "=", self.linh.id)],
            [],
            ["response_minutes:avg"],
        )
        self.assertEqual(minutes, 40.0, "the call marked done, not the leader's note")

    def test_demo_leads_show_first_responses(self):
        lead = self.env.ref(
            "sales_team_queue.crm_lead_thailand_1_demo", raise_if_not_found=False
        )
        if not lead:
            self.skipTest("no demo data")
        rows = self.Report.search(
            [("lead_id", "=", lead.id), ("response_minutes", "!=", False)]
        )
        self.assertEqual(rows.mapped("response_minutes"), [18.0])

    def test_rates(self):
        self.assertEqual(
            self._by_user(
                [
                    "claim_success_rate:avg",
                    "recycle_rate:avg",
                    "conversion_rate:avg",
                ]
            ),
            {"Somchai": (50.0, 50.0, 50.0), "Wei": (0.0, 0.0, 0.0)},
        )

    def test_rep_sees_the_rows_of_their_own_leads(self):
        rows = self.Report.with_user(self.wei).search(
            [("lead_id", "in", self.leads.ids), ("user_id", "!=", False)]
        )
        # lead 2 is his; lead 3 is back in his team's pool; lead 1 is Somchai's
        self.assertEqual(set(rows.lead_id), {self.lead_2, self.lead_3})
