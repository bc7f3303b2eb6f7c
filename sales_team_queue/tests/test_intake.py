"""Intake never stops (first part): a queue's lead filter that fails when it runs
is refused on save, and one that fails at routing time (saved before the check,
or broken since) skips that queue: the lead is saved and goes on to the next."""

import contextlib
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..models.crm_lead import ROUTE_LATER, ROUTE_TRIGGER, ROUTING_OFF
from ..models.crm_team_queue_fault import FAULTS_LATER
from .common import QueueCase

ROUTING_LOGGER = "odoo.addons.sales_team_queue.models.crm_team_queue_routing"
FAULT_LOGGER = "odoo.addons.sales_team_queue.models.crm_team_queue_fault"


def break_filter(queue, domain="[('id', '=', 'abc')]"):
    """Give ``queue`` a filter that fails when it runs, as one saved before the
    save-time check existed (or broken since by a change of the database)."""
    queue.env.cr.execute(
        SQL("UPDATE crm_team_queue SET domain = %s WHERE id = %s", domain, queue.id)
    )
    queue.env.invalidate_all()
    queue.env.registry.clear_cache()


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
        break_filter(broken)
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


@tagged("post_install", "-at_install")
class TestIntakeQueueFault(QueueCase):
    """A queue whose filter fails at routing time is skipped, flagged on its
    form and the dashboard once the transaction commits, its leader and the
    managers told once; the leads say why."""

    def _commit_hooks(self):
        """Do what the transaction's commit would (the fault flag; the hook's
        own cursor would not see this test's data)."""
        faults = self.env.cr.postcommit.data.pop(FAULTS_LATER, None)
        if faults:
            with mute_logger(FAULT_LOGGER):
                self.env["crm.team.queue"].sudo()._queue_flag_faults(faults)
        self.env.invalidate_all()

    def _fault_notes(self, queue):
        return queue.message_ids.filtered(
            lambda message: "could not evaluate" in (message.body or "")
        )

    def test_a_failing_queue_is_skipped_flagged_and_told_once(self):
        broken = self._create_queue(name="Broken", sequence=1)
        fallback = self._create_queue(name="Fallback", sequence=2, users=self.wei)
        break_filter(broken)
        with mute_logger(ROUTING_LOGGER):
            lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.wei)
        reason = self._last_line(lead).reason
        self.assertIn("queue Broken could not be evaluated", reason)
        self.assertIn("invalid input syntax", reason)
        self.assertFalse(broken.fault_date, "flagged only once the lead is committed")
        self._commit_hooks()
        self.assertTrue(broken.fault_date)
        self.assertIn("invalid input syntax", broken.fault_message)
        self.assertFalse(fallback.fault_date)
        notes = self._fault_notes(broken)
        self.assertEqual(len(notes), 1)
        self.assertIn(self.niran.partner_id, notes.partner_ids, "the team leader")
        self.assertIn(self.user_admin.partner_id, notes.partner_ids, "a manager")
        self.assertNotIn(self.wei.partner_id, notes.partner_ids)
        # the next leads: still skipped, nobody told again
        with mute_logger(ROUTING_LOGGER):
            self._new_leads(3)
        self._commit_hooks()
        self.assertEqual(len(self._fault_notes(broken)), 1, "told once, not per lead")
        # the dashboard shows it
        card = broken.with_user(self.niran)
        self.assertTrue(card.fault_date)
        # fixed and saved: routing takes the queue again
        broken.domain = "[('type', '=', 'lead')]"
        self.assertFalse(broken.fault_date)
        self.assertFalse(broken.fault_message)
        lead = self._new_leads(1)
        self.assertEqual(lead.queue_id, broken)

    def test_checking_a_still_broken_filter_again_is_refused(self):
        broken = self._create_queue(name="Broken")
        break_filter(broken)
        with mute_logger(ROUTING_LOGGER):
            self._new_leads(1)
        self._commit_hooks()
        with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
            broken.action_clear_fault()
        self.assertTrue(broken.fault_date)

    def test_nobody_but_routing_sets_or_clears_the_flag(self):
        queue = self._create_queue(name="Fine")
        for user in (self.somchai, self.niran):
            with self.subTest(user=user.name), self.assertRaises(AccessError):
                queue.with_user(user).write({"fault_date": "2026-01-01 00:00:00"})
        broken = self._create_queue(name="Broken", team=self.team_2, users=self.mai)
        break_filter(broken)
        with mute_logger(ROUTING_LOGGER):
            self._new_leads(1, team_id=self.team_2.id)
        self._commit_hooks()
        with self.assertRaises(AccessError):
            broken.with_user(self.somchai).action_clear_fault()
        self.assertTrue(broken.fault_date)

    def test_a_lead_only_a_failing_queue_takes_waits_with_the_reason(self):
        broken = self._create_queue(name="Broken")
        break_filter(broken)
        with mute_logger(ROUTING_LOGGER):
            lead = self._new_leads(1)
            self.assertFalse(lead.user_id)
            self.assertFalse(lead.queue_id)
            self.assertIn(
                "queue Broken could not be evaluated", lead.routing_wait_reason
            )
            action = self.env["crm.lead"].action_open_waiting_for_routing()
            self.assertIn(lead, self.env["crm.lead"].search(action["domain"]))
            broken.invalidate_recordset()
            self.assertEqual(broken.dashboard_waiting_count, 1)
            # Test Routing says the same
            wizard = self.env["crm.team.queue.simulation"].create(
                {"queue_id": broken.id, "scope": "all_teams", "limit": 0}
            )
            wizard.action_simulate()
        line = wizard.line_ids.filtered(lambda line: line.lead_id == lead)
        self.assertEqual(line.outcome, "unrouted")
        self.assertIn("could not be evaluated", line.reason)

    def test_a_lead_no_queue_matches_waits_with_the_reason(self):
        self._create_queue(
            name="Thai", country_ids=[Command.set(self.env.ref("base.th").ids)]
        )
        lead = self._new_leads(1, country_id=self.env.ref("base.vn").id)
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.routing_wait_reason, "matches no queue")
        owned = self._new_leads(1, country_id=self.env.ref("base.th").id)
        self.assertFalse(owned.routing_wait_reason)


@tagged("post_install", "-at_install")
class TestIntakeCatchAll(QueueCase):
    """A queue without any matching condition says so on its form, and Test
    Routing shows which queue takes each lead, across teams."""

    def test_a_queue_without_condition_is_a_catch_all(self):
        catch_all = self._create_queue(name="Everything")
        later = self._create_queue(name="Mai's", team=self.team_2, users=self.mai)
        self.assertTrue(catch_all.is_catch_all)
        self.assertIn(later.display_name, catch_all.catch_all_shadowed)
        self.assertFalse(later.catch_all_shadowed, "no team comes after team 2")
        catch_all.domain = "[]"
        self.assertTrue(catch_all.is_catch_all, "an empty filter is no condition")
        catch_all.min_priority = "2"
        self.assertFalse(catch_all.is_catch_all)
        self.assertFalse(catch_all.catch_all_shadowed)

    def test_test_routing_shows_every_team(self):
        catch_all = self._create_queue(name="Everything")
        mais = self._create_queue(name="Mai's", team=self.team_2, users=self.mai)
        with self.env.cr.savepoint():
            leads = (
                self.env["crm.lead"]
                .with_context(ROUTING_OFF)
                .create(
                    [
                        {"name": "Web form", "type": "lead", "user_id": False},
                        {
                            "name": "Team 2 lead",
                            "type": "lead",
                            "user_id": False,
                            "team_id": self.team_2.id,
                        },
                    ]
                )
            )
        wizard = self.env["crm.team.queue.simulation"].create(
            {"queue_id": catch_all.id, "scope": "all_teams", "limit": 0}
        )
        wizard.action_simulate()
        by_lead = {line.lead_id: line for line in wizard.line_ids}
        self.assertEqual(by_lead[leads[0]].queue_id, catch_all)
        self.assertTrue(by_lead[leads[0]].is_catch_all)
        self.assertEqual(by_lead[leads[1]].queue_id, mais)
        self.assertTrue(by_lead[leads[1]].is_catch_all)
        wizard.scope = "unassigned"
        wizard.action_simulate()
        self.assertNotIn(leads[1], wizard.line_ids.lead_id, "this team's and teamless")


@tagged("post_install", "-at_install")
class TestIntakeRoutingCrash(QueueCase):
    """Whatever breaks inside routing, the lead is saved, and routed again after
    the commit (then by the backlog)."""

    def test_a_crash_inside_routing_does_not_stop_the_lead(self):
        self._create_queue()
        Queue = type(self.env["crm.team.queue"])
        original = Queue._plan_routing

        def crash(queue, *args, **kwargs):
            # a real error of the database, in the creating transaction
            queue.env.cr.execute("SELECT 1 / 0")
            return original(queue, *args, **kwargs)

        with (
            patch.object(Queue, "_plan_routing", crash),
            mute_logger("odoo.addons.sales_team_queue.models.crm_lead", "odoo.sql_db"),
        ):
            lead = self._new_leads(1)
        self.assertTrue(lead.exists())
        self.assertFalse(lead.user_id)
        self.assertIn(lead.id, self.env.cr.postcommit.data[ROUTE_LATER])
        # the transaction goes on: the next lead is routed
        other = self._new_leads(1)
        self.assertTrue(other.user_id)
        self.env.cr.postcommit.data.pop(ROUTE_LATER)


@tagged("post_install", "-at_install")
class TestIntakeAccess(QueueCase):
    """What a rep can reach of the new screens through a form preview
    (``onchange``) or a plain read: nothing of the managers'."""

    def test_a_rep_cannot_run_test_routing_through_a_form_preview(self):
        queue = self._create_queue()
        spec = {"lead_total": {}, "line_ids": {"fields": {"reason": {}}}}
        values = {"queue_id": queue.id, "scope": "all_teams", "limit": 10}
        with self.assertRaises(AccessError):
            self.env["crm.team.queue.simulation"].with_user(self.wei).onchange(
                values, [], spec
            )
        result = self.env["crm.team.queue.simulation"].onchange(values, [], spec)
        self.assertIn("lead_total", result["value"], "a manager runs it")

    def test_a_dry_run_never_flags_a_queue(self):
        broken = self._create_queue(name="Broken")
        break_filter(broken)
        with self.env.cr.savepoint():
            lead = (
                self.env["crm.lead"]
                .with_context(ROUTING_OFF)
                .create({"name": "Held", "type": "lead", "user_id": False})
            )
        wizard = self.env["crm.team.queue.simulation"].create(
            {"queue_id": broken.id, "scope": "all_teams", "limit": 0}
        )
        wizard.action_simulate()
        self.assertIn("could not be evaluated", lead.routing_wait_reason)
        self.assertNotIn(FAULTS_LATER, self.env.cr.postcommit.data)

    def test_a_rep_reads_no_dashboard_figure(self):
        queue = self._create_queue(members=[{"user_id": self.wei.id, "daily_cap": 3}])
        self._new_leads(2)
        as_rep = queue.with_user(self.wei)
        self.assertEqual(as_rep.dashboard_assigned_today, 0)
        self.assertFalse(as_rep.dashboard_member_load)
        queue.invalidate_recordset()
        self.assertEqual(queue.dashboard_assigned_today, 2, "a manager reads them")


@tagged("post_install", "-at_install")
class TestIntakeSafetyNet(QueueCase):
    def test_the_trigger_survives_a_rolled_back_savepoint(self):
        self._create_queue()
        leads = (
            self.env["crm.lead"]
            .with_context(ROUTING_OFF)
            .create(
                [
                    {"name": f"Deferred {i}", "type": "lead", "user_id": False}
                    for i in range(2)
                ]
            )
        )
        postcommit = self.env.cr.postcommit.data
        self.addCleanup(postcommit.pop, ROUTE_TRIGGER, None)
        self.addCleanup(postcommit.pop, ROUTE_LATER, None)
        with contextlib.suppress(ValueError), self.env.cr.savepoint():
            leads[0]._queue_route_after_commit()
            raise ValueError("an import's bad row")
        leads[1]._queue_route_after_commit()
        trigger = (
            self.env["ir.cron.trigger"].sudo().browse(postcommit[ROUTE_TRIGGER]["id"])
        )
        self.assertTrue(trigger.exists(), "written again after the rollback")
        self.assertEqual(postcommit[ROUTE_LATER], set(leads.ids))

    def test_one_bad_lead_does_not_hold_back_the_backlog(self):
        self._create_queue()
        leads = (
            self.env["crm.lead"]
            .with_context(ROUTING_OFF)
            .create(
                [
                    {
                        "name": f"Backlog {i}",
                        "type": "lead",
                        "user_id": False,
                        "team_id": self.team.id,
                    }
                    for i in range(3)
                ]
            )
        )
        bad = leads[1]
        Lead = type(self.env["crm.lead"])
        original = Lead._queue_route

        def route(records):
            if bad in records:
                raise ValueError("a bug")
            return original(records)

        with (
            patch.object(Lead, "_queue_route", route),
            mute_logger("odoo.addons.sales_team_queue.models.crm_lead"),
        ):
            self.env["crm.lead"].sudo()._cron_route_backlog()
        self.assertTrue(leads[0].user_id)
        self.assertTrue(leads[2].user_id)
        self.assertFalse(bad.user_id)
