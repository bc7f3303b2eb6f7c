"""Intake never stops (first part): a queue's lead filter that fails when it runs
is refused on save, and one that fails at routing time (saved before the check,
or broken since) skips that queue: the lead is saved and goes on to the next."""

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import QueueCase

ROUTING_LOGGER = "odoo.addons.sales_team_queue.models.crm_team_queue_routing"


@tagged("post_install", "-at_install")
class TestIntakeBadFilter(QueueCase):
    def test_a_filter_that_fails_in_sql_is_refused_on_save(self):
        with self.assertRaises(ValidationError) as cm, mute_logger("odoo.sql_db"):
            self._create_queue(domain="[('id', '=', 'abc')]")
        self.assertIn("is not a valid domain", str(cm.exception))
        queue = self._create_queue(domain="[('type', '=', 'lead')]")
        with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
            queue.domain = "[('expected_revenue', '>', 'a lot')]"

    def test_a_filter_broken_at_run_time_does_not_stop_intake(self):
        broken = self._create_queue(name="Broken", sequence=1)
        fallback = self._create_queue(
            name="Fallback", sequence=2, users=self.wei | self.linh
        )
        # A filter saved before the check existed (or broken since).
        self.env.cr.execute(
            SQL(
                "UPDATE crm_team_queue SET domain = %s WHERE id = %s",
                "[('id', '=', 'abc')]",
                broken.id,
            )
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        with mute_logger(ROUTING_LOGGER, "odoo.sql_db"):
            leads = self._new_leads(2)
            teamless = self.env["crm.lead"].create({"name": "Web form", "type": "lead"})
        self.assertEqual(leads.queue_id, fallback, "the next queue takes them")
        self.assertEqual(set(leads.user_id), {self.wei, self.linh})
        self.assertTrue(teamless.exists(), "a lead without team is saved too")


@tagged("post_install", "-at_install")
class TestIntakeBounds(QueueCase):
    """Every numeric setting has bounds a real company never reaches, so that no
    date computed from it overflows and stops a lead from being saved."""

    def assertTooLarge(self, record, vals, message="can be at most"):
        # (Odoo's assertRaises rolls back to a savepoint: the value is not kept)
        with self.assertRaises(ValidationError) as cm:
            record.write(vals)
        self.assertIn(message, str(cm.exception))

    def test_out_of_range_settings_are_refused_on_save(self):
        queue = self._create_queue(strategy="pool")
        for fname, value in (
            ("activity_deadline_days", 5_000_000),
            ("sla_hours", 1e8),
            ("claim_cooldown_hours", 1e9),
            ("dispatch_after_minutes", 10**9),
            ("pool_alert_hours", 1e7),
        ):
            with self.subTest(fname=fname):
                self.assertTooLarge(queue, {fname: value})
        self.assertTooLarge(
            queue.member_ids[:1], {"weight": 10**6}, "Weight can be at most 1000"
        )
        self.assertTooLarge(
            self.env.company,
            {"queue_activity_deadline_days": 5_000_000},
            "can be at most 366",
        )
        queue.write({"sla_hours": 24 * 366, "activity_deadline_days": 366})

    def test_a_window_starting_just_before_midnight_does_not_crash(self):
        queue = self._create_queue(
            strategy="pool", claim_window_start=23.995, claim_window_end=24.0
        )
        with freeze_time("2026-03-04 03:00:00"):  # 10:00 in Bangkok
            lead = self._new_leads(1)
            self.assertEqual(lead.queue_id, queue)
            reason = lead.with_user(self.wei).claim_block_reason
        self.assertIn("next opening today 23:59", reason)
