"""SLA of assigned leads, with frozen time: the deadline (wall clock or
working hours), the follow-ups that meet it, the warning, the breach and its
actions (back to the pool, reassign, nothing)."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.sales_team_queue.models.values import Reason

from .common import QueueCase

T0 = datetime(2026, 1, 6, 3, 0, 0)  # Tuesday 10:00 in Bangkok


@tagged("post_install", "-at_install")
class TestSla(QueueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.queue = cls._create_queue(
            sla_hours=4, sla_warning_hours=1, sla_action="recycle"
        )

    def _lead(self, when=T0):
        with freeze_time(when):
            lead = self._new_leads()
        self.assertEqual(lead.user_id, self.somchai)
        return lead

    # --- deadline -----------------------------------------------

    def test_assignment_starts_sla_in_wall_clock_hours(self):
        lead = self._lead()
        self.assertEqual(lead.sla_state, "running")
        self.assertEqual(lead.sla_deadline, T0 + timedelta(hours=4))
        self.assertFalse(lead.sla_warned)

    def test_deadline_in_working_hours_skips_the_weekend(self):
        calendar = self.env.ref("resource.resource_calendar_std").copy(
            {"name": "Bangkok 8-17", "tz": "Asia/Bangkok"}
        )
        self.env["resource.resource"].sudo().create(
            {
                "name": "Somchai",
                "user_id": self.somchai.id,
                "calendar_id": calendar.id,
                "tz": "Asia/Bangkok",
            }
        )
        # Friday 16:00 in Bangkok: one working hour left that day, three more
        # on Monday from 8:00: Monday 11:00 in Bangkok.
        lead = self._lead(datetime(2026, 1, 9, 9, 0, 0))
        self.assertEqual(lead.sla_deadline, datetime(2026, 1, 12, 4, 0, 0))

    def test_queue_without_sla_sets_none(self):
        self.queue.write({"sla_hours": 0, "sla_warning_hours": 0})
        lead = self._lead()
        self.assertEqual(lead.sla_state, "none")
        self.assertFalse(lead.sla_deadline)

    # --- breach -------------------------------------------------

    def test_breach_recycles_to_the_pool_once_and_tells_the_owner(self):
        lead = self._lead()
        self._run_timers(T0 + timedelta(hours=3, minutes=59))
        self.assertEqual(lead.sla_state, "running")
        self._run_timers(T0 + timedelta(hours=4, minutes=1))
        self.assertEqual(lead.sla_state, "breached")
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.queue_state, "pool")
        line = self._last_line(lead)
        self.assertEqual(line.method, "recycle")
        self.assertEqual(line.previous_user_id, self.somchai)
        self.assertEqual(line.reason, "SLA missed: no follow-up within 4 h")
        self.assertEqual(len(self._messages_to(self.somchai, "SLA missed")), 1)
        lines = len(lead.assignment_ids)
        # Idempotent: a second run changes nothing.
        self._run_timers(T0 + timedelta(hours=4, minutes=6))
        self.assertEqual(len(lead.assignment_ids), lines)
        self.assertEqual(len(self._messages_to(self.somchai, "SLA missed")), 1)

    def test_breach_with_nothing_keeps_the_lead_and_tells_the_leader(self):
        self.queue.sla_action = "none"
        lead = self._lead()
        self._run_timers(T0 + timedelta(hours=5))
        self.assertEqual(lead.sla_state, "breached")
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(len(lead.assignment_ids), 1)
        self.assertEqual(len(self._messages_to(self.niran, "SLA missed")), 1)
        self.assertEqual(len(self._messages_to(self.somchai, "SLA missed")), 1)

    def test_reassign_never_gives_the_lead_back_to_the_same_rep(self):
        # Load balanced: Somchai has the fewest open leads (the engine's
        # choice without the rule), yet the lead goes to someone else.
        self.queue.write({"strategy": "load_balanced", "sla_action": "reassign"})
        lead = self._lead()
        self._new_leads(2, user_id=self.wei.id)
        self._new_leads(3, user_id=self.linh.id)
        self._run_timers(T0 + timedelta(hours=5))
        self.assertEqual(lead.user_id, self.wei)
        line = self._last_line(lead)
        self.assertEqual(line.method, "recycle")
        self.assertEqual(line.previous_user_id, self.somchai)
        self.assertEqual(
            line.reason,
            "SLA missed: no follow-up within 4 h; load balanced: 2 open vs 3",
        )
        # The new owner has an SLA of their own.
        self.assertEqual(lead.sla_state, "running")
        self.assertEqual(lead.sla_deadline, T0 + timedelta(hours=9))

    def test_reassign_with_nobody_else_eligible_goes_to_the_pool(self):
        self.queue.sla_action = "reassign"
        self._member(self.queue, self.wei).active = False
        self._member(self.queue, self.linh).active = False
        lead = self._lead()
        self._run_timers(T0 + timedelta(hours=5))
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.queue_state, "pool")
        self.assertEqual(lead.sla_state, "breached")
        self.assertEqual(
            self._last_line(lead).reason,
            "SLA missed: no follow-up within 4 h; back to the pool, no eligible "
            "member: Somchai is the current salesperson, Wei paused, Linh paused",
        )

    # --- met ----------------------------------------------------

    def _assert_met_and_never_breached(self, lead):
        self.assertEqual(lead.sla_state, "met")
        self._run_timers(T0 + timedelta(hours=5))
        self.assertEqual(lead.sla_state, "met")
        self.assertEqual(lead.user_id, self.somchai)

    def test_stage_change_meets_the_sla(self):
        lead = self._lead()
        stages = self.env["crm.stage"].search([("is_won", "=", False)])
        other = stages.filtered(lambda stage: stage != lead.stage_id)[:1]
        lead.with_user(self.somchai).stage_id = other
        self._assert_met_and_never_breached(lead)

    def test_won_meets_the_sla(self):
        lead = self._lead()
        lead.with_user(self.somchai).action_set_won()
        self._assert_met_and_never_breached(lead)

    def test_lost_meets_the_sla(self):
        lead = self._lead()
        lead.with_user(self.somchai).action_set_lost()
        self.assertEqual(lead.sla_state, "met")

    def test_activity_done_meets_the_sla(self):
        lead = self._lead()
        activity = lead.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.somchai.id
        )
        self.assertEqual(lead.sla_state, "running")
        activity.with_user(self.somchai).action_feedback(feedback="Called")
        self._assert_met_and_never_breached(lead)

    def test_note_by_a_user_meets_the_sla(self):
        lead = self._lead()
        lead.with_user(self.somchai).message_post(
            body="Called, back tomorrow",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self._assert_met_and_never_breached(lead)

    def test_message_by_a_user_meets_the_sla(self):
        lead = self._lead()
        lead.with_user(self.somchai).message_post(
            body="Dear customer",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self._assert_met_and_never_breached(lead)

    def test_system_messages_do_not_meet_the_sla(self):
        lead = self._lead()
        lead.sudo().message_post(body="Automatic", message_type="notification")
        lead.message_notify(partner_ids=self.somchai.partner_id.ids, body="Ping")
        self.assertEqual(lead.sla_state, "running")

    # --- warning ------------------------------------------------

    def test_warning_once_with_an_activity_and_a_notification(self):
        lead = self._lead()
        self._run_timers(T0 + timedelta(hours=2, minutes=59))
        self.assertFalse(lead.sla_warned)
        with freeze_time(T0 + timedelta(hours=2, minutes=59)):
            lead.invalidate_recordset(["sla_at_risk"])
            self.assertFalse(lead.sla_at_risk)
        with freeze_time(T0 + timedelta(hours=3, minutes=5)):
            lead.invalidate_recordset(["sla_at_risk"])
            self.assertTrue(lead.sla_at_risk)
            at_risk = self.env["crm.lead"].search([("sla_at_risk", "=", True)])
            self.assertIn(lead, at_risk)
        self._run_timers(T0 + timedelta(hours=3, minutes=5))
        self.assertTrue(lead.sla_warned)
        activities = lead.activity_ids.filtered(
            lambda activity: activity.summary.startswith("SLA")
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.somchai)
        self.assertEqual(len(self._messages_to(self.somchai, "follow up soon")), 1)
        self._run_timers(T0 + timedelta(hours=3, minutes=10))
        self.assertEqual(len(lead.activity_ids), 1)
        self.assertEqual(len(self._messages_to(self.somchai, "follow up soon")), 1)
        self.assertEqual(lead.sla_state, "running")

    def test_breached_filter_and_badge_field(self):
        lead = self._lead()
        self._run_timers(T0 + timedelta(hours=5))
        breached = self.env["crm.lead"].search([("sla_state", "=", "breached")])
        self.assertIn(lead, breached)

    def test_a_new_owner_starts_a_new_sla(self):
        lead = self._lead()
        self._run_timers(T0 + timedelta(hours=3, minutes=5))
        self.assertTrue(lead.sla_warned)
        with freeze_time(T0 + timedelta(hours=3, minutes=30)):
            lead.user_id = self.wei
        self.assertEqual(lead.sla_state, "running")
        self.assertFalse(lead.sla_warned)
        self.assertEqual(lead.sla_deadline, T0 + timedelta(hours=7, minutes=30))

    # --- books changing hands -----------------------------------

    def _follow_up(self, lead):
        lead.with_user(lead.user_id).message_post(
            body="Called", message_type="comment", subtype_xmlid="mail.mt_note"
        )

    def _only_somchai_routed(self):
        self._member(self.queue, self.wei).active = False
        self._member(self.queue, self.linh).active = False

    def test_handover_keeps_the_sla_of_leads_already_worked(self):
        self._only_somchai_routed()
        met, running = self._lead(), self._lead()
        self._follow_up(met)
        self.assertEqual(met.sla_state, "met")
        later = T0 + timedelta(hours=1)
        with freeze_time(later):
            (met | running)._queue_assign(
                self.wei, self.queue, method="handover", reason=Reason("created")
            )
        self.assertEqual(self._owners(met | running), ["Wei", "Wei"])
        self.assertEqual(met.sla_state, "met")
        self.assertEqual(met.sla_deadline, T0 + timedelta(hours=4))
        # Not followed up yet: Wei gets a fresh SLA of their own.
        self.assertEqual(running.sla_state, "running")
        self.assertEqual(running.sla_deadline, later + timedelta(hours=4))
        self._run_timers(T0 + timedelta(hours=5, minutes=30))
        self.assertEqual(met.user_id, self.wei)
        self.assertEqual(met.sla_state, "met")
        self.assertEqual(running.sla_state, "breached")
        self.assertFalse(running.user_id)

    def test_manual_and_wizard_changes_keep_a_met_or_absent_sla(self):
        self._only_somchai_routed()
        met = self._lead()
        self._follow_up(met)
        with freeze_time(T0 + timedelta(hours=1)):
            met.user_id = self.wei
            self.assertEqual(met.sla_state, "met")
            met._queue_assign(
                self.linh, self.queue, method="wizard", reason=Reason("created")
            )
        self.assertEqual(met.user_id, self.linh)
        self.assertEqual(met.sla_state, "met")
        # A lead without salesperson taken up by the wizard starts the SLA.
        pooled = self._lead()
        pooled.user_id = False
        self.assertEqual(pooled.queue_state, "pool")
        with freeze_time(T0 + timedelta(hours=2)):
            pooled._queue_assign(
                self.wei, self.queue, method="wizard", reason=Reason("created")
            )
        self.assertEqual(pooled.sla_state, "running")
        self.assertEqual(pooled.sla_deadline, T0 + timedelta(hours=6))

    def test_owner_and_stage_changed_in_one_save_keep_the_new_sla(self):
        lead = self._lead()
        stages = self.env["crm.stage"].search([("is_won", "=", False)])
        other = stages.filtered(lambda stage: stage != lead.stage_id)[:1]
        with freeze_time(T0 + timedelta(hours=1)):
            lead.with_user(self.niran).write(
                {"user_id": self.wei.id, "stage_id": other.id}
            )
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(lead.stage_id, other)
        self.assertEqual(lead.sla_state, "running")
        self.assertEqual(lead.sla_deadline, T0 + timedelta(hours=5))

    # --- only the owner's follow-ups ----------------------------

    def test_a_note_of_the_team_leader_does_not_meet_the_sla(self):
        lead = self._lead()
        lead.with_user(self.niran).message_post(
            body="Please call them",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertEqual(lead.sla_state, "running")
        self._run_timers(T0 + timedelta(hours=5))
        self.assertEqual(lead.sla_state, "breached")

    def test_an_activity_done_by_the_leader_for_themselves_does_not_meet_it(self):
        lead = self._lead()
        activity = lead.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.niran.id
        )
        activity.with_user(self.niran).action_feedback(feedback="Checked")
        self.assertEqual(lead.sla_state, "running")

    def test_an_email_of_the_owner_through_the_gateway_meets_the_sla(self):
        lead = self._lead()
        # The mail gateway posts as superuser; the author is the customer...
        customer = self.env["res.partner"].create({"name": "Customer"})
        lead.sudo().message_post(
            body="Any news?", message_type="email", author_id=customer.id
        )
        self.assertEqual(lead.sla_state, "running")
        # ... or the salesperson (their reply copied to the lead).
        lead.sudo().message_post(
            body="Here is our offer",
            message_type="email",
            author_id=self.somchai.partner_id.id,
        )
        self._assert_met_and_never_breached(lead)

    # --- recycled, then routed again ----------------------------

    def test_a_recycled_lead_is_never_routed_back_to_the_rep_who_missed_it(self):
        # Load balanced: Somchai has the fewest open leads (the engine's
        # choice without the rule), yet the backlog gives the lead to Wei.
        self.queue.strategy = "load_balanced"
        lead = self._lead()
        self._new_leads(2, user_id=self.wei.id)
        self._new_leads(3, user_id=self.linh.id)
        self._run_timers(T0 + timedelta(hours=5))
        self.assertEqual(lead.queue_state, "pool")
        self.env["crm.lead"]._cron_route_backlog()
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(lead.sla_state, "running")

    def test_nobody_but_the_rep_who_missed_it_leaves_it_in_the_pool(self):
        self.queue.write({"overflow": "pool"})
        self._member(self.queue, self.wei).active = False
        self._member(self.queue, self.linh).active = False
        lead = self._lead()
        self._run_timers(T0 + timedelta(hours=5))
        self.env["crm.lead"]._cron_route_backlog()
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.queue_state, "pool")
        plan = self.env["crm.team.queue"]._plan_routing(lead)
        reason = plan.decisions[lead.id].reason.render(self.env)
        self.assertIn("Somchai sent it back to the pool", reason)

    # --- rights -------------------------------------------------

    def test_a_rep_cannot_mark_their_sla_met_by_hand(self):
        lead = self._lead()
        with self.assertRaisesRegex(AccessError, "set by the queues"):
            lead.with_user(self.somchai).write({"sla_state": "met"})
        with self.assertRaisesRegex(AccessError, "set by the queues"):
            lead.with_user(self.somchai).write({"sla_deadline": T0 + timedelta(days=9)})
        self.assertEqual(lead.sla_state, "running")
        # A sales manager may correct it.
        lead.with_user(self.niran).write({"sla_state": "met"})
        self.assertEqual(lead.sla_state, "met")

    # --- screens ------------------------------------------------

    def test_screens_show_the_sla(self):
        Lead = self.env["crm.lead"]
        form = Lead.get_view(self.env.ref("crm.crm_lead_view_form").id)["arch"]
        self.assertEqual(form.count('name="sla_state"'), 2)
        kanban = Lead.get_view(self.env.ref("crm.crm_case_kanban_view_leads").id)
        self.assertIn("o_sales_team_queue_sla_breached", kanban["arch"])
        self.assertIn("o_sales_team_queue_sla_warned", kanban["arch"])
        for xmlid in ("crm.crm_case_tree_view_leads", "crm.crm_case_tree_view_oppor"):
            self.assertIn(
                'name="sla_state"', Lead.get_view(self.env.ref(xmlid).id)["arch"]
            )
        for xmlid in (
            "crm.view_crm_case_leads_filter",
            "crm.view_crm_case_opportunities_filter",
        ):
            search = Lead.get_view(self.env.ref(xmlid).id)["arch"]
            self.assertIn('name="filter_sla_at_risk"', search)
            self.assertIn('name="filter_sla_breached"', search)
        queue_form = self.env["crm.team.queue"].get_view(
            self.env.ref("sales_team_queue.crm_team_queue_view_form").id
        )["arch"]
        self.assertIn('name="pool_alert_hours"', queue_form)
        self.assertIn("due on Monday at 11:00", queue_form)
