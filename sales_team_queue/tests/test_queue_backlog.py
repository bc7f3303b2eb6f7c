"""The backlog cron, the safety net of instant routing: only open leads, no
flood of old leads when a first queue is created, overflowed pool leads tried
again once someone is eligible."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestQueueBacklog(QueueCase):
    def _age(self, leads, days):
        """Make ``leads`` look created ``days`` days ago."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id IN %s",
            (fields.Datetime.now() - timedelta(days=days), tuple(leads.ids)),
        )
        leads.invalidate_recordset(["create_date"])

    def test_cron_routes_open_leads_left_unrouted(self):
        queue = self._create_queue()
        leads = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create(
                [{"name": f"Missed {i}", "team_id": self.team.id} for i in range(2)]
            )
        )
        self.assertEqual(set(leads.mapped("queue_state")), {"unrouted"})
        self.env["crm.lead"]._cron_route_backlog()
        self.assertEqual(leads.queue_id, queue)
        self.assertEqual(len(leads.user_id), 2, "two different reps in turn")

    def test_first_queue_does_not_flood_reps_with_old_leads(self):
        old = self._new_leads(3)
        self._age(old, 30)
        queue = self._create_queue()
        self.env["crm.lead"]._cron_route_backlog()
        self.assertFalse(old.queue_id, "leads older than the queue stay where they are")
        # A leader who wants them routed says so explicitly.
        old.with_user(self.niran).action_route()
        self.assertEqual(old.queue_id, queue)

    def test_cron_skips_leads_older_than_the_backlog_window(self):
        queue = self._create_queue()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_team_queue SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=60), queue.id),
        )
        queue.invalidate_recordset(["create_date"])
        self.env.company.queue_backlog_days = 7
        recent, old = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create(
                [
                    {"name": "Recent", "team_id": self.team.id},
                    {"name": "Old", "team_id": self.team.id},
                ]
            )
        )
        self._age(old, 20)
        self.env["crm.lead"]._cron_route_backlog()
        self.assertEqual(recent.queue_id, queue)
        self.assertFalse(old.queue_id)

    def test_cron_never_routes_won_or_lost_leads(self):
        self._create_queue()
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        won, lost = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create(
                [
                    {"name": "Won", "team_id": self.team.id, "stage_id": won_stage.id},
                    {"name": "Lost", "team_id": self.team.id},
                ]
            )
        )
        lost.action_set_lost()
        self.env["crm.lead"]._cron_route_backlog()
        self.assertFalse(won.user_id)
        self.assertFalse(lost.user_id)
        self.assertFalse((won | lost).assignment_ids)

    def test_overflowed_pool_lead_is_retried_once_a_member_is_eligible(self):
        queue = self._create_queue()
        queue.member_ids.active = False
        lead = self._new_leads(1)
        self.assertEqual(lead.queue_state, "pool")
        # Nobody eligible yet: the cron changes nothing and writes no new line.
        self.env["crm.lead"]._cron_route_backlog()
        self.assertEqual(len(lead.assignment_ids), 1)
        self._member(queue, self.wei).active = True
        self.env["crm.lead"]._cron_route_backlog()
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(lead.queue_state, "assigned")

    def test_pool_leads_of_a_pool_queue_wait_for_a_claim(self):
        self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        self.env["crm.lead"]._cron_route_backlog()
        self.assertEqual(lead.queue_state, "pool")
        self.assertEqual(len(lead.assignment_ids), 1)
