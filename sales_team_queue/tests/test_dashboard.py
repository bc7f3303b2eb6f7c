"""The queue dashboard: its figures on known data, the lists they open, who may
open it, and a number of queries that does not grow with the leads."""

from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import QueueCase

NOW = fields.Datetime.to_datetime("2026-03-04 05:00:00")  # 12:00 in Bangkok


@tagged("post_install", "-at_install")
class TestQueueDashboard(QueueCase):
    @contextmanager
    def at(self, moment):
        with freeze_time(moment), patch.object(self.env.cr, "now", lambda: moment):
            yield

    def setUp(self):
        super().setUp()
        self.queue = self._create_queue(
            strategy="pool",
            sla_hours=8,
            sla_warning_hours=2,
            members=[
                {"user_id": self.somchai.id, "daily_cap": 2},
                {"user_id": self.wei.id, "max_open": 5},
                {"user_id": self.linh.id},
            ],
        )
        # Yesterday (Bangkok): 2 leads claimed; they do not count today.
        with self.at(NOW - timedelta(days=1)):
            old = self._new_leads(2)
            old.with_user(self.wei).action_claim()
            # Followed up yesterday: their SLA (started by the claim) is met.
            old.write({"sla_state": "met"})
        with self.at(NOW - timedelta(hours=3)):
            self.waiting = self._new_leads(5)
        with self.at(NOW - timedelta(hours=1)):
            self.waiting[:2].with_user(self.somchai).action_claim()
            self.waiting[2].with_user(self.linh).action_claim()
        self.pool = self.waiting[3:]
        # SLA states as the SLA timers set them.
        self.waiting[0].write(
            {"sla_state": "running", "sla_deadline": NOW + timedelta(hours=1)}
        )
        self.waiting[1].write(
            {"sla_state": "running", "sla_deadline": NOW + timedelta(hours=5)}
        )
        self.waiting[2].write({"sla_state": "breached"})
        self.pool[0].write(
            {"sla_state": "running", "sla_deadline": NOW - timedelta(minutes=5)}
        )
        self.env.flush_all()

    def _dashboard(self, queue, user=None):
        queue = queue.with_user(user or self.niran).with_context(tz="Asia/Bangkok")
        queue.invalidate_recordset()
        with self.at(NOW):
            return {
                "pool": queue.dashboard_pool_count,
                "oldest": queue.dashboard_oldest_wait_hours,
                "oldest_words": queue.dashboard_oldest_wait,
                "risk": queue.dashboard_sla_risk_count,
                "breached": queue.dashboard_sla_breached_count,
                "assigned": queue.dashboard_assigned_today,
                "claimed": queue.dashboard_claimed_today,
                "at_cap": queue.dashboard_members_at_cap,
            }

    def test_figures_of_the_queue(self):
        self.assertEqual(
            self._dashboard(self.queue),
            {
                "pool": 2,
                "oldest": 3.0,
                "oldest_words": "3 h",
                "risk": 2,  # deadline within the 2 warning hours, and one past
                "breached": 1,
                "assigned": 3,
                "claimed": 3,
                "at_cap": 1,  # Somchai: 2 of 2 today
            },
        )
        with self.at(NOW):
            load = self.queue.with_user(self.niran).dashboard_member_load
        self.assertIn("Somchai", load)
        self.assertIn("2 / 2", load)
        self.assertIn("2 / 5", load)  # Wei: 2 open of 5

    def test_each_figure_opens_its_list(self):
        queue = self.queue.with_user(self.niran).with_context(tz="Asia/Bangkok")
        expected = {
            "pool": ("crm.lead", self.pool),
            "sla_risk": ("crm.lead", self.waiting[0] | self.pool[0]),
            "sla_breached": ("crm.lead", self.waiting[2]),
            "claimed_today": ("crm.lead.assignment", self.waiting[:3]),
        }
        for figure, (model, leads) in expected.items():
            with self.subTest(figure=figure), self.at(NOW):
                action = queue.with_context(dashboard_figure=figure)
                action = action.action_dashboard_open()
                records = self.env[model].search(action["domain"])
                found = records if model == "crm.lead" else records.lead_id
                self.assertEqual(found, leads)

    def test_rep_gets_their_own_page_not_the_dashboard(self):
        action = self.env["crm.team.queue"].with_user(self.wei).action_open_dashboard()
        self.assertEqual(action["res_model"], "crm.team.queue.member")
        mine = (
            self.env["crm.team.queue.member"]
            .with_user(self.wei)
            .with_context(action["context"])
            .search(action["domain"])
        )
        self.assertEqual(mine.user_id, self.wei)
        self.assertTrue(mine.mapped("assigned_today"), "their figures")
        with self.assertRaisesRegex(AccessError, "team leader"):
            self.queue.with_user(self.wei).with_context(
                dashboard_figure="pool"
            ).action_dashboard_open()

    def test_leader_sees_the_queues_of_their_teams(self):
        other = self._create_queue(
            team=self.team_2, users=self.mai, strategy="pool", name="Other"
        )
        self.team_2.user_id = self.somchai
        action = self.env["crm.team.queue"].with_user(self.somchai)
        domain = action.action_open_dashboard()["domain"]
        self.assertEqual(self.env["crm.team.queue"].search(domain), other)

    def test_queries_do_not_grow_with_the_leads(self):
        second = self._create_queue(users=self.wei | self.linh, strategy="pool")
        queues = (self.queue | second).with_user(self.niran)

        def read():
            queues.invalidate_recordset()
            self.env.invalidate_all()
            with self.at(NOW):
                queues.read(["dashboard_pool_count", "dashboard_member_load"])

        read()  # warm the caches of the ORM (access rights, rules)
        with self.assertQueryCount(QUERIES):
            read()
        with self.at(NOW - timedelta(hours=2)):
            self._new_leads(40)
            self.env["crm.lead"].create(
                [
                    {"name": f"Second {i}", "team_id": self.team.id, "user_id": False}
                    for i in range(10)
                ]
            )
        second.member_ids = [Command.create({"user_id": self.somchai.id})]
        self.env.flush_all()
        read()
        with self.assertQueryCount(QUERIES):
            read()


# Grouped reads of leads and ledger, the members and their live counts, and
# the ORM's reads of the queues and rules, the leads waiting for routing (4): the
# same for 2 leads or 200.
QUERIES = 20
