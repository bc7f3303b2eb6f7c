from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestQueueConfig(QueueCase):
    def test_invalid_domain_is_refused_with_what_is_wrong(self):
        for domain, message in (
            ("[('name', '=',", "not a valid domain"),  # malformed
            ("[('no_such_field', '=', 1)]", "not a valid domain"),
            ("'type'", "list of conditions"),
        ):
            with (
                self.subTest(domain=domain),
                self.assertRaisesRegex(ValidationError, message),
            ):
                self._create_queue(domain=domain)

    def test_valid_domain_is_accepted(self):
        queue = self._create_queue(domain="[('type', '=', 'lead')]")
        self.assertEqual(queue._get_lead_domain(), [("type", "=", "lead")])

    def test_malformed_or_empty_zip_entry_is_refused(self):
        for zip_prefixes in ("10, 1$0", "10,,20"):
            with (
                self.subTest(zip_prefixes=zip_prefixes),
                self.assertRaisesRegex(ValidationError, "is not a zip prefix"),
            ):
                self._create_queue(zip_prefixes=zip_prefixes)

    def test_claim_window_opening_and_closing_at_once_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "at the same hour"):
            self._create_queue(claim_window_start=14, claim_window_end=14)
        # ending before it starts: a window over midnight
        self._create_queue(claim_window_start=22, claim_window_end=6)

    def test_claim_window_outside_the_day_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 24"):
            self._create_queue(claim_window_start=8, claim_window_end=25)

    def test_negative_queue_limits_are_refused(self):
        for fname in (
            "claim_daily_limit",
            "claim_max_open",
            "claim_cooldown_hours",
            "vip_release_minutes",
            "dispatch_after_minutes",
            "sla_hours",
            "min_expected_revenue",
        ):
            with (
                self.subTest(field=fname),
                self.assertRaisesRegex(ValidationError, "cannot be negative"),
            ):
                self._create_queue(**{fname: -1})

    def test_sla_warning_after_deadline_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "SLA warning must come before"):
            self._create_queue(sla_hours=4, sla_warning_hours=5)

    def test_unknown_weekday_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "is not a week day"):
            self._create_queue(claim_weekdays="1,2,8")

    def test_member_outside_the_team_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "not a member of the sales team"):
            self._create_queue(users=self.somchai | self.mai)

    def test_team_leader_may_be_a_member(self):
        queue = self._create_queue(users=self.niran)
        self.assertEqual(queue.member_ids.user_id, self.niran)

    def test_negative_or_zero_weight_is_refused(self):
        queue = self._create_queue()
        for weight in (0, -2):
            with (
                self.subTest(weight=weight),
                self.assertRaisesRegex(ValidationError, "weight must be at least 1"),
            ):
                queue.member_ids[0].weight = weight

    def test_negative_member_caps_are_refused(self):
        queue = self._create_queue()
        for fname in ("daily_cap", "max_open"):
            with (
                self.subTest(field=fname),
                self.assertRaisesRegex(ValidationError, "caps cannot be negative"),
            ):
                queue.member_ids[0][fname] = -1

    @mute_logger("odoo.sql_db")
    def test_same_user_twice_in_a_queue_is_refused(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self._create_queue(
                members=[{"user_id": self.somchai.id}, {"user_id": self.somchai.id}]
            )

    def test_member_changed_to_a_listed_user_is_refused(self):
        queue = self._create_queue()
        with self.assertRaisesRegex(ValidationError, "listed twice"):
            self._member(queue, self.wei).user_id = self.somchai

    def test_backlog_cron_runs_only_while_a_queue_exists(self):
        cron = self.env.ref("sales_team_queue.ir_cron_route_backlog")
        self.assertFalse(cron.active)
        queue = self._create_queue()
        self.assertTrue(cron.active)
        queue.action_archive()
        self.assertFalse(cron.active)
        queue.action_unarchive()
        self.assertTrue(cron.active)
        queue.unlink()
        self.assertFalse(cron.active)

    def test_new_queue_takes_company_alert_defaults(self):
        call = self.env.ref("mail.mail_activity_data_call")
        self.env.company.write(
            {
                "queue_activity_type_id": call.id,
                "queue_activity_deadline_days": 3,
                "queue_notify_assignee": False,
            }
        )
        queue = self.env["crm.team.queue"].create(
            {"name": "Defaults", "team_id": self.team.id}
        )
        self.assertEqual(queue.activity_type_id, call)
        self.assertEqual(queue.activity_deadline_days, 3)
        self.assertFalse(queue.notify_assignee)

    def test_settings_edit_company_alert_defaults(self):
        call = self.env.ref("mail.mail_activity_data_call")
        settings = self.env["res.config.settings"].create(
            {"queue_activity_type_id": call.id, "queue_activity_deadline_days": 2}
        )
        settings.execute()
        self.assertEqual(self.env.company.queue_activity_type_id, call)
        self.assertEqual(self.env.company.queue_activity_deadline_days, 2)

    def test_without_queue_a_new_lead_keeps_odoo_default_owner(self):
        lead = self.env["crm.lead"].with_user(self.somchai).create({"name": "Mine"})
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(lead.queue_state, "assigned")
        self.assertFalse(lead.queue_id)
        self.assertFalse(lead.assignment_ids)

    def test_without_queue_an_unassigned_lead_stays_unrouted(self):
        lead = self._new_leads(1)
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.queue_state, "unrouted")

    def test_member_counters_show_today_and_open_leads(self):
        queue = self._create_queue()
        self._new_leads(4)
        somchai = self._member(queue, self.somchai)
        self.assertEqual((somchai.assigned_today, somchai.open_count), (2, 2))
        wei = self._member(queue, self.wei)
        self.assertEqual((wei.assigned_today, wei.open_count), (1, 1))


@tagged("post_install", "-at_install")
class TestQueueMemberChoice(QueueCase):
    def test_the_member_drop_down_offers_the_team_s_active_users(self):
        queue = self._create_queue()
        self.assertEqual(
            queue.team_user_ids, self.somchai | self.wei | self.linh | self.niran
        )
        self.linh.action_archive()
        queue.invalidate_recordset(["team_user_ids"])
        self.assertNotIn(self.linh, queue.team_user_ids, "archived")
        self.assertNotIn(self.mai, queue.team_user_ids, "of another team")
        template = self.env.ref("base.default_user", raise_if_not_found=False)
        if template:
            self.assertNotIn(template, queue.team_user_ids)


@tagged("post_install", "-at_install")
class TestQueueMemberPause(QueueCase):
    def test_the_team_leader_pauses_and_resumes_a_member(self):
        leader = new_test_user(
            self.env, login="q_pause_leader", groups="sales_team.group_sale_salesman"
        )
        self.team.user_id = leader
        queue = self._create_queue()
        wei = self._member(queue, self.wei)
        with self.assertRaises(AccessError):
            wei.with_user(leader).write({"daily_cap": 5})  # not the other settings
        wei.with_user(leader).action_pause()
        self.assertFalse(wei.active)
        self.assertIn("paused Wei", queue.message_ids[0].body)
        leads = self._new_leads(2)
        self.assertNotIn(self.wei, leads.user_id, "a paused member receives nothing")
        wei.with_user(leader).action_resume()
        self.assertTrue(wei.active)
        for user in (self.wei, self.mai):
            with self.subTest(user=user.name), self.assertRaises(AccessError):
                wei.with_user(user).action_pause()
        self.assertTrue(wei.active)

    def test_member_load_opens_the_figures(self):
        queue = self._create_queue()
        action = queue.with_context(dashboard_figure="members").action_dashboard_open()
        view = self.env["ir.ui.view"].browse(action["views"][0][0])
        for fname in ("assigned_today", "daily_cap", "open_count", "max_open"):
            self.assertIn(f'name="{fname}"', view.arch)
