"""Hybrid dispatch of pool leads left unclaimed, and the alerts to the team
leader about leads that wait in a pool (too long, or because nobody was
eligible), with frozen time; and when the timers' scheduled action runs."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import QueueCase

T0 = datetime(2026, 1, 6, 3, 0, 0)


@tagged("post_install", "-at_install")
class TestDispatch(QueueCase):
    def _pool_leads(self, count=1, when=T0):
        with freeze_time(when):
            leads = self._new_leads(count)
        self.assertEqual(set(leads.mapped("queue_state")), {"pool"})
        return leads

    def _alerts(self, user):
        return self._messages_to(user, "waiting in a pool")

    # --- dispatch -----------------------------------------------

    def test_unclaimed_lead_is_dispatched_by_workload_after_the_delay(self):
        queue = self._create_queue(
            strategy="hybrid", dispatch_after_minutes=30, sla_hours=4
        )
        self._new_leads(2, user_id=self.somchai.id)
        self._new_leads(1, user_id=self.wei.id)
        self._new_leads(3, user_id=self.linh.id)
        lead = self._pool_leads()
        self._run_timers(T0 + timedelta(minutes=29))
        self.assertEqual(lead.queue_state, "pool")
        self._run_timers(T0 + timedelta(minutes=31))
        self.assertEqual(lead.user_id, self.wei, "the fewest open leads")
        self.assertEqual(lead.queue_id, queue)
        line = self._last_line(lead)
        self.assertEqual(line.method, "dispatch")
        self.assertEqual(line.wait_minutes, 31)
        self.assertEqual(
            line.reason,
            "dispatched after 31 min unclaimed; load balanced: 1 open vs 2",
        )
        # The dispatched lead has its SLA.
        self.assertEqual(lead.sla_state, "running")
        self.assertEqual(lead.sla_deadline, T0 + timedelta(hours=4, minutes=31))
        # Idempotent.
        self._run_timers(T0 + timedelta(minutes=40))
        self.assertEqual(len(lead.assignment_ids), 2)

    def test_dispatch_of_several_leads_to_one_rep_notifies_them_once(self):
        self._create_queue(
            users=self.wei,
            strategy="hybrid",
            dispatch_after_minutes=30,
            notify_assignee=True,
        )
        leads = self._pool_leads(3)
        with self.mock_mail_gateway():
            self._run_timers(T0 + timedelta(minutes=31))
        self.assertEqual(leads.user_id, self.wei)
        notifications = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.wei.partner_id.id)]
        )
        self.assertEqual(len(notifications), 1)
        message = notifications.mail_message_id
        self.assertEqual(message.subject, "3 lead(s) assigned to you")
        for lead in leads:
            self.assertIn(f"/odoo/crm/{lead.id}", message.body)

    def test_claimed_lead_is_not_dispatched(self):
        self._create_queue(strategy="hybrid", dispatch_after_minutes=30)
        lead = self._pool_leads()
        with freeze_time(T0 + timedelta(minutes=10)):
            lead.with_user(self.linh).action_claim()
        self._run_timers(T0 + timedelta(minutes=40))
        self.assertEqual(lead.user_id, self.linh)
        self.assertEqual(lead.assignment_ids.mapped("method"), ["claim", "auto"])

    def test_dispatch_with_nobody_eligible_waits_and_alerts_the_leader_once(self):
        queue = self._create_queue(strategy="hybrid", dispatch_after_minutes=30)
        queue.member_ids.active = False
        lead = self._pool_leads()
        self._run_timers(T0 + timedelta(minutes=31))
        self.assertEqual(lead.queue_state, "pool")
        alerts = self._alerts(self.niran)
        self.assertEqual(len(alerts), 1)
        self.assertIn("Somchai paused", alerts.body)
        self._run_timers(T0 + timedelta(minutes=40))
        self.assertEqual(len(self._alerts(self.niran)), 1)

    # --- pool alerts --------------------------------------------

    def test_lead_waiting_too_long_in_the_pool_alerts_the_leader_once(self):
        self._create_queue(strategy="pool", pool_alert_hours=2)
        lead = self._pool_leads()
        self._run_timers(T0 + timedelta(hours=1, minutes=59))
        self.assertFalse(self._alerts(self.niran))
        self._run_timers(T0 + timedelta(hours=2, minutes=1))
        alerts = self._alerts(self.niran)
        self.assertEqual(len(alerts), 1)
        self.assertIn(lead.name, alerts.body)
        self.assertIn("waiting 2 h", alerts.body)
        self.assertTrue(lead.pool_alerted)
        self._run_timers(T0 + timedelta(hours=5))
        self.assertEqual(len(self._alerts(self.niran)), 1)

    def test_lead_nobody_was_eligible_for_alerts_the_leader_with_the_reason(self):
        queue = self._create_queue()
        self._member(queue, self.somchai).active = False
        self._member(queue, self.wei).daily_cap = 1
        self._member(queue, self.linh).active = False
        with freeze_time(T0):
            self._new_leads()  # Wei's only lead of the day
        lead = self._pool_leads()
        self._run_timers(T0 + timedelta(minutes=5))
        alerts = self._alerts(self.niran)
        self.assertEqual(len(alerts), 1)
        self.assertIn(
            "no eligible member: Somchai paused, Wei at daily cap (1 of 1), "
            "Linh paused",
            alerts.body,
        )
        self.assertTrue(lead.pool_alerted)

    # --- the scheduled action -----------------------------------

    def test_timers_cron_runs_only_while_a_queue_needs_it(self):
        cron = self.env.ref("sales_team_queue.ir_cron_lead_timers")
        self.assertFalse(cron.active, "no active queue")
        queue = self._create_queue(strategy="pool")
        self.assertFalse(cron.active, "a plain pool needs no timer")
        queue.pool_alert_hours = 1
        self.assertTrue(cron.active)
        queue.pool_alert_hours = 0
        self.assertFalse(cron.active)
        queue.write({"strategy": "round_robin", "overflow": "leader"})
        self.assertFalse(cron.active)
        queue.sla_hours = 4
        self.assertTrue(cron.active)
        queue.action_archive()
        self.assertFalse(cron.active)
