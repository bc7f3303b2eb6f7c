"""Claim rules of a queue's pool, enforced on the server: the claim window in
the rep's time zone, the daily claim limit, the open lead limit, the re-claim
cooldown, the VIP tier, skills, paused members and the member's daily cap.
Each refusal says which rule, the numbers and when it becomes possible, and
``claim_block_reason`` shows the same text before anyone clicks.

The reps (Somchai, Wei, Linh) and the leader (Niran, a sales manager) live in
Asia/Bangkok (UTC+7). 2026-03-04 is a Wednesday."""

import os
from contextlib import contextmanager
from unittest.mock import patch

import polib
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QueueCase

WED_1000 = "2026-03-04 03:00:00"  # Wednesday 10:00 in Bangkok
I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")


@tagged("post_install", "-at_install")
class TestPoolRules(QueueCase):
    @contextmanager
    def at(self, when):
        """Run at ``when`` (UTC): Python's clock and the transaction's time
        (``cr.now()``, the ledger's dates)."""
        moment = fields.Datetime.to_datetime(when)
        with freeze_time(moment), patch.object(self.env.cr, "now", lambda: moment):
            yield

    def _pool(self, users=None, members=None, **vals):
        return self._create_queue(users=users, members=members, strategy="pool", **vals)

    def _block(self, lead, user, lang=None):
        """``claim_block_reason`` of ``lead`` as ``user`` reads it now."""
        self.env.invalidate_all()
        lead = lead.with_user(user)
        if lang:
            lead = lead.with_context(lang=lang)
        return lead.claim_block_reason

    def _claim(self, leads, user):
        return leads.with_user(user).action_claim()

    def assertRefused(self, lead, user, message):
        """The card and the claim both refuse ``lead`` to ``user`` with
        ``message``, and the lead stays in its pool."""
        self.assertEqual(self._block(lead, user), message)
        with self.assertRaises(UserError) as caught:
            self._claim(lead, user)
        self.assertEqual(caught.exception.args[0], message)
        self.assertEqual(lead.queue_state, "pool")

    def assertAllowed(self, lead, user):
        """The card shows nothing, and the claim succeeds."""
        self.assertFalse(self._block(lead, user))
        self.assertEqual(self._claim(lead, user)["params"]["type"], "success")
        self.assertEqual(lead.user_id, user)
        self.assertEqual(self._last_line(lead).method, "claim")

    def _claim_today(self, queue, user, count=1):
        """``count`` claims by ``user`` from ``queue``, now."""
        leads = self._new_leads(count)
        self.assertEqual(leads.queue_id, queue)
        self._claim(leads, user)
        return leads

    # ------------------------------------------------------------
    # VIP tier and the card
    # ------------------------------------------------------------

    def test_is_vip_by_priority_or_by_revenue(self):
        self._pool(vip_min_priority="2", vip_min_revenue=100000)
        high, rich, small = (
            self._new_leads(1, priority="2"),
            self._new_leads(1, priority="0", expected_revenue=100000),
            self._new_leads(1, priority="1", expected_revenue=99999),
        )
        self.assertEqual([high.is_vip, rich.is_vip, small.is_vip], [True, True, False])

    def test_is_vip_only_for_criteria_that_are_set(self):
        self._pool(vip_min_revenue=50000)
        self.assertFalse(self._new_leads(1, priority="3").is_vip)
        self.assertTrue(self._new_leads(1, expected_revenue=60000).is_vip)

    def test_is_vip_false_without_tier_and_follows_the_queue(self):
        queue = self._pool()
        lead = self._new_leads(1, priority="3")
        self.assertFalse(lead.is_vip)
        queue.vip_min_priority = "3"
        self.assertTrue(lead.is_vip)
        self.assertEqual(
            self.env["crm.lead"].search([("id", "=", lead.id), ("is_vip", "=", True)]),
            lead,
            "stored: the pool can filter on it",
        )

    def test_pool_lead_allowed_has_no_block_reason_and_is_claimed(self):
        self._pool(
            claim_daily_limit=5,
            claim_max_open=5,
            claim_window_start=9,
            claim_window_end=12,
            claim_weekdays="1,2,3,4,5",
        )
        with self.at(WED_1000):
            lead = self._new_leads(1)
            self.assertAllowed(lead, self.wei)
        self.assertEqual(self._last_line(lead).reason, "claimed from the pool")

    def test_assigned_lead_cannot_be_claimed(self):
        self.team.lead_visibility = "team"
        self._pool()
        lead = self._new_leads(1)
        self._claim(lead, self.wei)
        message = (
            "This lead is not waiting in a pool: only unassigned leads of a queue's "
            "pool can be claimed (someone may have just claimed it: refresh the pool)."
        )
        self.assertEqual(self._block(lead, self.somchai), message)
        with self.assertRaises(UserError) as caught:
            self._claim(lead, self.somchai)
        self.assertEqual(caught.exception.args[0], message)
        self.assertEqual(lead.user_id, self.wei)

    # ------------------------------------------------------------
    # Claim window
    # ------------------------------------------------------------

    def test_window_closed_after_hours_says_the_next_opening(self):
        self._pool(
            claim_window_start=9, claim_window_end=12, claim_weekdays="1,2,3,4,5"
        )
        with self.at("2026-03-04 06:00:00"):  # Wednesday 13:00
            lead = self._new_leads(1)
            self.assertRefused(
                lead,
                self.wei,
                "Claiming is open from 09:00 to 12:00 (Asia/Bangkok), Monday to "
                "Friday: next opening Thursday 09:00.",
            )

    def test_window_not_open_yet_says_today(self):
        self._pool(
            claim_window_start=9.5, claim_window_end=12, claim_weekdays="1,2,3,4,5"
        )
        with self.at("2026-03-04 02:00:00"):  # Wednesday 09:00
            lead = self._new_leads(1)
            self.assertRefused(
                lead,
                self.wei,
                "Claiming is open from 09:30 to 12:00 (Asia/Bangkok), Monday to "
                "Friday: next opening today 09:30.",
            )
        with self.at("2026-03-04 02:30:00"):  # 09:30: open
            self.assertAllowed(lead, self.wei)

    def test_window_closed_on_the_weekend_says_monday(self):
        self._pool(
            claim_window_start=9, claim_window_end=12, claim_weekdays="1,2,3,4,5"
        )
        with self.at("2026-03-07 03:00:00"):  # Saturday 10:00
            lead = self._new_leads(1)
            self.assertRefused(
                lead,
                self.wei,
                "Claiming is open from 09:00 to 12:00 (Asia/Bangkok), Monday to "
                "Friday: next opening Monday 09:00.",
            )
        with self.at("2026-03-09 02:00:00"):  # Monday 09:00
            self.assertAllowed(lead, self.wei)

    def test_window_is_read_in_the_rep_time_zone(self):
        self._pool(claim_window_start=9, claim_window_end=12)
        self.wei.tz = "Europe/London"
        with self.at(WED_1000):  # 10:00 in Bangkok, 03:00 in London
            lead = self._new_leads(1)
            self.assertRefused(
                lead,
                self.wei,
                "Claiming is open from 09:00 to 12:00 (Europe/London): next opening "
                "today 09:00.",
            )
            self.assertAllowed(lead, self.somchai)

    def test_window_of_a_rep_without_time_zone_is_in_utc(self):
        self._pool(claim_window_start=9, claim_window_end=12)
        self.wei.tz = False
        with self.at("2026-03-04 12:00:00"):  # 19:00 in Bangkok, 12:00 UTC
            lead = self._new_leads(1)
            self.assertRefused(
                lead,
                self.wei,
                "Claiming is open from 09:00 to 12:00 (UTC): next opening Thursday "
                "09:00.",
            )

    def test_window_of_week_days_only(self):
        self._pool(claim_weekdays="1,3,5")
        with self.at("2026-03-05 03:00:00"):  # Thursday
            lead = self._new_leads(1)
            self.assertRefused(
                lead,
                self.wei,
                "Claiming is open on Monday, Wednesday, Friday (Asia/Bangkok): next "
                "opening Friday 00:00.",
            )
        with self.at("2026-03-05 17:00:00"):  # Friday 00:00
            self.assertAllowed(lead, self.wei)

    def test_window_of_week_day_runs(self):
        self._pool(
            claim_weekdays="1,2,3,6,7", claim_window_start=8, claim_window_end=17
        )
        with self.at("2026-03-05 03:00:00"):  # Thursday
            lead = self._new_leads(1)
            self.assertRefused(
                lead,
                self.wei,
                "Claiming is open from 08:00 to 17:00 (Asia/Bangkok), Monday to "
                "Wednesday, Saturday, Sunday: next opening Saturday 08:00.",
            )

    def test_window_over_midnight_belongs_to_the_day_it_opens(self):
        self._pool(
            claim_window_start=22, claim_window_end=6, claim_weekdays="1,2,3,4,5"
        )
        with self.at("2026-03-06 16:00:00"):  # Friday 23:00 in Bangkok
            lead = self._new_leads(1)
            self.assertFalse(self._block(lead, self.wei))
        with self.at("2026-03-06 22:00:00"):  # Saturday 05:00: Friday's night
            self.assertFalse(self._block(lead, self.wei))
        with self.at("2026-03-07 00:00:00"):  # Saturday 07:00: closed
            self.assertRefused(
                lead,
                self.wei,
                "Claiming is open from 22:00 to 06:00 (Asia/Bangkok), Monday to "
                "Friday: next opening Monday 22:00.",
            )
        with self.at("2026-03-08 19:00:00"):  # Monday 02:00: Sunday's night
            self.assertTrue(self._block(lead, self.wei))
        with self.at("2026-03-09 15:00:00"):  # Monday 22:00
            self.assertAllowed(lead, self.wei)

    def test_window_until_midnight(self):
        self._pool(claim_window_start=18, claim_window_end=0)
        with self.at("2026-03-04 16:59:00"):  # Wednesday 23:59 in Bangkok
            lead = self._new_leads(1)
            self.assertFalse(self._block(lead, self.wei))
        with self.at("2026-03-04 17:00:00"):  # Thursday 00:00
            self.assertRefused(
                lead,
                self.wei,
                "Claiming is open from 18:00 to 00:00 (Asia/Bangkok): next opening "
                "today 18:00.",
            )

    def test_window_across_a_change_to_summer_time(self):
        # Paris moves from UTC+1 to UTC+2 on Sunday 2026-03-29 at 02:00.
        self._pool(claim_window_start=9, claim_window_end=12)
        self.wei.tz = "Europe/Paris"
        with self.at("2026-03-28 20:00:00"):  # Saturday 21:00 in Paris
            lead = self._new_leads(1)
            refusal = self._block(lead, self.wei)
            self.assertIn("next opening Sunday 09:00", refusal)
            until = lead.with_user(self.wei)._queue_claim_refusals()[lead.id].until
            self.assertEqual(until, fields.Datetime.to_datetime("2026-03-29 07:00:00"))
        with self.at("2026-03-29 06:59:00"):  # 08:59 summer time
            self.assertIn("next opening today 09:00", self._block(lead, self.wei))
        with self.at("2026-03-29 07:00:00"):  # 09:00 summer time
            self.assertAllowed(lead, self.wei)

    # ------------------------------------------------------------
    # Daily claim limit
    # ------------------------------------------------------------

    def test_daily_limit_counts_the_rep_claims_of_today(self):
        queue = self._pool(claim_daily_limit=2)
        with self.at(WED_1000):
            self._claim_today(queue, self.wei, 2)
            lead = self._new_leads(1)
            self.assertRefused(
                lead,
                self.wei,
                "Daily claim limit reached (2 of 2). It resets at 00:00 Asia/Bangkok.",
            )
            self.assertAllowed(lead, self.somchai)

    def test_daily_limit_resets_at_midnight_in_the_rep_time_zone(self):
        queue = self._pool(claim_daily_limit=1)
        with self.at("2026-03-04 16:50:00"):  # Wednesday 23:50
            self._claim_today(queue, self.wei)
            lead = self._new_leads(1)
        with self.at("2026-03-04 16:59:00"):  # 23:59
            refusal = lead.with_user(self.wei)._queue_claim_refusals()[lead.id]
            self.assertEqual(refusal.rule, "daily_limit")
            self.assertEqual(str(refusal.until), "2026-03-04 17:00:00")
            self.assertEqual(refusal.message, self._block(lead, self.wei))
        with self.at("2026-03-04 17:00:00"):  # Thursday 00:00
            self.assertAllowed(lead, self.wei)

    def test_daily_limit_counts_only_claims_from_this_queue(self):
        queue = self._pool(claim_daily_limit=1)
        with self.at(WED_1000):
            # Given to Wei (not claimed) by this queue, and claimed from another.
            self._new_leads(1)._queue_assign(self.wei, queue, method="auto")
            other = self._pool(name="Other", sequence=1)
            self._claim_today(other, self.wei)
            other.action_archive()
            self.assertAllowed(self._new_leads(1), self.wei)

    def test_claim_of_several_leads_stops_at_the_daily_limit(self):
        queue = self._pool(claim_daily_limit=2)
        with self.at(WED_1000):
            self._claim_today(queue, self.wei)
            leads = self._new_leads(3)
        with self.at("2026-03-04 03:05:00"):
            result = self._claim(leads.sorted("id", reverse=True), self.wei)
        self.assertEqual(self._owners(leads), ["Wei", False, False], "oldest first")
        refusal = "Daily claim limit reached (2 of 2). It resets at 00:00 Asia/Bangkok."
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(
            result["params"]["message"],
            f"1 of 3 leads claimed. Not claimed:\n- Lead 1: {refusal}\n"
            f"- Lead 2: {refusal}",
        )

    # ------------------------------------------------------------
    # Open leads
    # ------------------------------------------------------------

    def test_max_open_counts_open_leads_of_the_team(self):
        self._pool(claim_max_open=2)
        held = self.env["crm.lead"].create(
            [
                {"name": f"Held {i}", "team_id": self.team.id, "user_id": self.wei.id}
                for i in range(3)
            ]
        )
        self.env["crm.lead"].create(
            {"name": "Other team", "team_id": self.team_2.id, "user_id": self.wei.id}
        )
        lead = self._new_leads(1)
        self.assertRefused(
            lead,
            self.wei,
            "Open lead limit reached (3 of 2 in Queue Team): win, lose or hand over "
            "one of your leads before claiming another.",
        )
        held[0].action_set_won()
        held[1].action_set_lost()
        self.assertAllowed(lead, self.wei)

    def test_max_open_holds_when_a_queue_of_the_team_does_not_have_the_rep(self):
        """A claim of leads of two queues of one team, the rep a member of one:
        the other queue (not theirs) does not reset their open lead count."""
        web = self.env["crm.tag"].create({"name": "Web"})
        mine = self._pool(
            users=self.wei, claim_max_open=2, tag_ids=[Command.set(web.ids)]
        )
        other = self._pool(users=self.somchai, name="Other Pool", sequence=20)
        self.env["crm.lead"].create(
            [
                {"name": f"Held {i}", "team_id": self.team.id, "user_id": self.wei.id}
                for i in range(2)
            ]
        )
        lead = self._new_leads(1, tag_ids=[Command.set(web.ids)])
        plain = self._new_leads(1)
        self.assertEqual((lead.queue_id, plain.queue_id), (mine, other))
        limit = (
            "Open lead limit reached (2 of 2 in Queue Team): win, lose or hand over "
            "one of your leads before claiming another."
        )
        self.env.invalidate_all()
        self.assertEqual(
            (lead | plain).with_user(self.wei).mapped("claim_block_reason")[0], limit
        )
        with self.assertRaises(UserError):
            self._claim(lead | plain, self.wei)
        self.assertEqual(lead.queue_state, "pool")

    def test_max_open_does_not_count_a_lead_won_earlier_in_the_transaction(self):
        self._pool(claim_max_open=1)
        held = self.env["crm.lead"].create(
            {"name": "Held", "team_id": self.team.id, "user_id": self.wei.id}
        )
        lead = self._new_leads(1)
        self.env.flush_all()
        won = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        # One request (a script): the deal is won, then the rep takes a lead.
        held.with_user(self.wei).stage_id = won
        lead.with_user(self.wei).user_id = self.wei
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(self._last_line(lead).method, "claim")

    def test_claim_of_several_leads_stops_at_max_open(self):
        self._pool(claim_max_open=2)
        leads = self._new_leads(3)
        result = self._claim(leads, self.wei)
        self.assertEqual(self._owners(leads), ["Wei", "Wei", False])
        self.assertIn("Open lead limit reached (2 of 2", result["params"]["message"])

    # ------------------------------------------------------------
    # Re-claim cooldown
    # ------------------------------------------------------------

    def test_cooldown_after_a_release(self):
        self._pool(claim_cooldown_hours=4)
        with self.at(WED_1000):
            lead = self._new_leads(1)
            self._claim(lead, self.wei)
            lead.with_user(self.wei).action_release(reason="wrong region")
        with self.at("2026-03-04 05:00:00"):  # 12:00
            self.assertRefused(
                lead,
                self.wei,
                "Re-claim cooldown: this lead came back to the pool from you less "
                "than 4 h ago. You can claim it again at 14:00.",
            )
        with self.at("2026-03-04 07:00:00"):  # 14:00
            self.assertAllowed(lead, self.wei)

    def test_cooldown_after_a_recycle(self):
        queue = self._pool(claim_cooldown_hours=1.5)
        with self.at(WED_1000):
            lead = self._new_leads(1)
            self._claim(lead, self.wei)
            lead._queue_assign(self.env["res.users"], queue, method="recycle")
        with self.at("2026-03-04 04:00:00"):  # 11:00
            self.assertRefused(
                lead,
                self.wei,
                "Re-claim cooldown: this lead came back to the pool from you less "
                "than 1 h 30 min ago. You can claim it again at 11:30.",
            )
            self.assertAllowed(lead, self.somchai)

    def test_cooldown_spanning_midnight_names_the_day(self):
        self._pool(claim_cooldown_hours=24)
        with self.at(WED_1000):
            lead = self._new_leads(1)
            self._claim(lead, self.wei)
            lead.with_user(self.wei).action_release()
            self.assertIn("again at Thursday 10:00.", self._block(lead, self.wei))

    # ------------------------------------------------------------
    # VIP tier
    # ------------------------------------------------------------

    def _vip_pool(self):
        return self._pool(
            members=[
                {"user_id": self.somchai.id, "is_senior": True},
                {"user_id": self.wei.id},
            ],
            vip_min_priority="2",
            vip_release_minutes=30,
        )

    def test_vip_lead_goes_to_senior_members_first(self):
        self._vip_pool()
        with self.at("2026-03-04 03:12:00"):  # enters the pool at 10:12
            vip, plain = self._new_leads(1, priority="3"), self._new_leads(1)
        with self.at("2026-03-04 03:20:00"):
            self.assertRefused(
                vip, self.wei, "VIP lead: senior members only until 10:42."
            )
            self.assertAllowed(plain, self.wei)
            self.assertAllowed(vip, self.somchai)

    def test_vip_lead_opens_to_everyone_after_the_senior_minutes(self):
        self._vip_pool()
        with self.at("2026-03-04 03:12:00"):
            vip = self._new_leads(1, priority="2")
        with self.at("2026-03-04 03:42:00"):
            self.assertAllowed(vip, self.wei)

    def test_vip_tier_without_senior_minutes_is_open_to_all(self):
        self._pool(vip_min_priority="2")
        lead = self._new_leads(1, priority="2")
        self.assertTrue(lead.is_vip)
        self.assertAllowed(lead, self.wei)

    # ------------------------------------------------------------
    # Members: skills, paused, not a member, daily cap
    # ------------------------------------------------------------

    def test_skills_needed_by_the_lead_tags(self):
        thai, japanese, web = self.env["crm.tag"].create(
            [{"name": "Thai"}, {"name": "Japanese"}, {"name": "Web"}]
        )
        self._pool(
            members=[
                {"user_id": self.somchai.id, "skill_tag_ids": [Command.set(thai.ids)]},
                {"user_id": self.wei.id, "skill_tag_ids": [Command.set(japanese.ids)]},
            ],
            required_skill_tag_ids=[Command.set((thai | japanese).ids)],
        )
        lead = self._new_leads(1, tag_ids=[Command.set((thai | web).ids)])
        plain = self._new_leads(1, tag_ids=[Command.set(web.ids)])
        self.assertRefused(
            lead,
            self.wei,
            "This lead needs a skill you do not have in Queue: Thai. Ask your team "
            "leader to add it to your skills.",
        )
        self.assertAllowed(plain, self.wei)
        self.assertAllowed(lead, self.somchai)

    def test_paused_member_cannot_claim(self):
        queue = self._pool()
        self._member(queue, self.wei).active = False
        lead = self._new_leads(1)
        self.assertRefused(
            lead,
            self.wei,
            "You are paused in the queue Queue: ask your team leader to make you "
            "available again.",
        )

    def test_non_member_cannot_claim(self):
        self._pool(users=self.somchai | self.wei)
        lead = self._new_leads(1)
        self.assertRefused(
            lead,
            self.linh,
            "You are not an available member of the queue Queue: ask your team "
            "leader to add you, or to un-pause you.",
        )

    def test_member_daily_cap_counts_leads_given_and_claimed(self):
        queue = self._pool()
        self._member(queue, self.wei).daily_cap = 2
        with self.at(WED_1000):
            self._new_leads(1)._queue_assign(self.wei, queue, method="auto")
            self._claim_today(queue, self.wei)
            lead = self._new_leads(1)
            self.assertRefused(
                lead,
                self.wei,
                "Daily cap reached: you received 2 of 2 leads from Queue today (given "
                "or claimed). It resets at 00:00 Asia/Bangkok.",
            )
        with self.at("2026-03-04 17:00:00"):
            self.assertAllowed(lead, self.wei)

    def test_first_rule_that_refuses_is_the_one_given(self):
        queue = self._pool(
            claim_daily_limit=1, claim_window_start=9, claim_window_end=12
        )
        self._member(queue, self.wei).active = False
        with self.at("2026-03-04 06:00:00"):  # 13:00: closed, and Wei is paused
            lead = self._new_leads(1)
            self.assertIn("You are paused", self._block(lead, self.wei))
            self._member(queue, self.wei).active = True
            self.assertIn("Claiming is open", self._block(lead, self.wei))

    # ------------------------------------------------------------
    # Managers
    # ------------------------------------------------------------

    def test_sales_manager_claims_without_the_rules(self):
        """A sales manager may assign any lead anyway: the claim rules do not
        apply to them, member or not."""
        self._pool(
            claim_window_start=9,
            claim_window_end=12,
            claim_daily_limit=1,
            vip_min_priority="1",
            vip_release_minutes=60,
        )
        with self.at("2026-03-04 06:00:00"):  # closed for the reps
            leads = self._new_leads(2, priority="3")
            self.assertTrue(self._block(leads[0], self.wei))
            self.assertFalse(self._block(leads[0], self.niran))
            self.assertEqual(
                self._claim(leads, self.niran)["params"]["type"], "success"
            )
        self.assertEqual(leads.user_id, self.niran)
        self.assertEqual(set(leads.assignment_ids.mapped("method")), {"auto", "claim"})

    # ------------------------------------------------------------
    # Every path: editing the salesperson, several leads
    # ------------------------------------------------------------

    def test_rep_setting_themselves_as_salesperson_meets_the_same_rule(self):
        self._pool(claim_window_start=9, claim_window_end=12)
        with self.at("2026-03-04 06:00:00"):
            lead = self._new_leads(1)
            with self.assertRaises(UserError) as caught:
                lead.with_user(self.wei).write({"user_id": self.wei.id})
            self.assertEqual(caught.exception.args[0], self._block(lead, self.wei))
        self.assertFalse(lead.user_id)

    def test_editing_salesperson_of_several_leads_is_all_or_nothing(self):
        queue = self._pool(claim_daily_limit=1)
        leads = self._new_leads(2)
        with self.assertRaises(UserError) as caught:
            leads.with_user(self.wei).write({"user_id": self.wei.id})
        self.assertEqual(
            caught.exception.args[0],
            "No lead was claimed. These leads cannot be claimed:\n- Lead 1: Daily "
            "claim limit reached (1 of 1). It resets at 00:00 Asia/Bangkok.",
        )
        self.assertEqual(leads.mapped("queue_state"), ["pool", "pool"])
        self.assertEqual(queue.pool_count, 2)

    def test_claim_of_several_leads_takes_those_still_free(self):
        self._pool()
        taken, free = self._new_leads(2)
        self._claim(taken, self.somchai)
        result = self._claim(taken | free, self.wei)
        self.assertEqual((taken.user_id, free.user_id), (self.somchai, self.wei))
        self.assertEqual(result["params"]["type"], "warning")
        self.assertEqual(
            result["params"]["message"],
            f"1 of 2 leads claimed. Not claimed:\n- Lead #{taken.id}: This lead is "
            "not waiting in a pool: only unassigned leads of a queue's pool can be "
            "claimed (someone may have just claimed it: refresh the pool).",
            "a lead Wei may no longer read is named by its number",
        )

    def test_claim_of_several_leads_none_free_says_why_for_each(self):
        self.team.lead_visibility = "team"
        self._pool(claim_daily_limit=1)
        first, second = self._new_leads(2)
        self._claim(first, self.somchai)
        self._claim(self._new_leads(1), self.wei)
        with self.assertRaises(UserError) as caught:
            self._claim(first | second, self.wei)
        self.assertEqual(
            caught.exception.args[0],
            "No lead was claimed. These leads cannot be claimed:\n"
            "- Lead 0: This lead is not waiting in a pool: only unassigned leads of "
            "a queue's pool can be claimed (someone may have just claimed it: "
            "refresh the pool).\n"
            "- Lead 1: Daily claim limit reached (1 of 1). It resets at 00:00 "
            "Asia/Bangkok.",
        )

    # ------------------------------------------------------------
    # The card: cost and language
    # ------------------------------------------------------------

    def test_block_reason_of_a_page_of_leads_costs_a_bounded_number_of_queries(self):
        thai, japanese = self.env["crm.tag"].create(
            [{"name": "Thai"}, {"name": "Japanese"}]
        )
        self._pool(
            members=[
                {"user_id": self.somchai.id, "is_senior": True},
                {"user_id": self.wei.id, "skill_tag_ids": [Command.set(thai.ids)]},
            ],
            domain="[('priority', '!=', '1')]",
            claim_daily_limit=3,
            claim_max_open=10,
            claim_window_start=8,
            claim_window_end=20,
            claim_weekdays="1,2,3,4,5",
            claim_cooldown_hours=2,
            vip_min_priority="3",
            vip_release_minutes=30,
            required_skill_tag_ids=[Command.set((thai | japanese).ids)],
        )
        self._pool(name="Second Pool", sequence=20, claim_daily_limit=1)
        with self.at(WED_1000):
            vip = self._new_leads(10, tag_ids=[Command.set(thai.ids)], priority="3")
            japanese_vip = self._new_leads(
                10, tag_ids=[Command.set(japanese.ids)], priority="3"
            )
            plain = self._new_leads(15, tag_ids=[Command.set(thai.ids)], priority="2")
            second = self._new_leads(15, priority="1")
            leads = vip | japanese_vip | plain | second
            self.assertEqual(len(leads.queue_id), 2)
            self._claim(plain[:2], self.wei)
            plain[:2].with_user(self.wei).action_release()
            self._claim(second[-1], self.wei)
            pages = {}

            def count(page):
                self.env.invalidate_all()
                before = self.cr.sql_log_count
                reasons = page.with_user(self.wei).mapped("claim_block_reason")
                pages[len(page)] = dict(zip(page.ids, reasons, strict=True))
                return self.cr.sql_log_count - before

            count(plain[5:6])  # warm the caches
            few = count(
                vip[:1] | japanese_vip[:1] | plain[:1] | plain[5:6] | second[-2:]
            )
            many = count(leads)
        self.assertEqual(few, many, "the same queries for 6 or 50 leads")
        self.assertLessEqual(many, 12)
        self.assertEqual(
            {lead_id: pages[50][lead_id] for lead_id in pages[6]}, pages[6]
        )
        self.assertEqual(
            [pages[50][lead.id] for lead in (vip | japanese_vip | plain)[::5]],
            [
                "VIP lead: senior members only until 10:30.",
                "VIP lead: senior members only until 10:30.",
                "This lead needs a skill you do not have in Queue: Japanese. Ask "
                "your team leader to add it to your skills.",
                "This lead needs a skill you do not have in Queue: Japanese. Ask "
                "your team leader to add it to your skills.",
                "Re-claim cooldown: this lead came back to the pool from you less "
                "than 2 h ago. You can claim it again at 12:00.",
                False,
                False,
            ],
        )
        self.assertEqual(
            [pages[50][lead.id] for lead in second[-2:]],
            [
                "Daily claim limit reached (1 of 1). It resets at 00:00 Asia/Bangkok.",
                "This lead is not waiting in a pool: only unassigned leads of a "
                "queue's pool can be claimed (someone may have just claimed it: "
                "refresh the pool).",
            ],
        )

    def test_block_reason_reads_in_the_rep_language(self):
        self.env["res.lang"]._activate_lang("th_TH")
        queue = self._pool(claim_daily_limit=1)
        with self.at(WED_1000):
            self._claim_today(queue, self.wei)
            lead = self._new_leads(1)
            thai = self._block(lead, self.wei, lang="th_TH")
        template = next(
            entry.msgstr
            for entry in polib.pofile(os.path.join(I18N, "th.po"))
            if entry.msgid.startswith("Daily claim limit reached")
        )
        self.assertEqual(
            thai, template % {"count": 1, "limit": 1, "tz": "Asia/Bangkok"}
        )
        self.assertNotIn("Daily claim limit", thai)
