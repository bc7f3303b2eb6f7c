from datetime import datetime, timedelta

import pytz
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestQueueEligibility(QueueCase):
    def _ledger_line(self, queue, user, when):
        lead = self.env["crm.lead"].create(
            {"name": "Earlier", "team_id": self.team.id, "user_id": user.id}
        )
        # A line as the queue would have written it, dated ``when``.
        self.env.cr.execute(
            """UPDATE crm_lead_assignment SET create_date = %s, queue_id = %s,
                      method = 'auto' WHERE lead_id = %s""",
            (when, queue.id, lead.id),
        )
        self.env.invalidate_all()
        return lead.assignment_ids

    def _bangkok_midnight(self):
        tz = pytz.timezone("Asia/Bangkok")
        local = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        return (
            tz.localize(local.replace(tzinfo=None))
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
        )

    def test_paused_member_is_skipped(self):
        queue = self._create_queue()
        self._member(queue, self.somchai).active = False
        self.assertEqual(self._new_leads(1).user_id, self.wei)

    def test_daily_cap_counts_today_in_the_user_time_zone(self):
        queue = self._create_queue()
        self._member(queue, self.somchai).daily_cap = 1
        # Just after midnight in Bangkok: today for Somchai (maybe yesterday in UTC).
        self._ledger_line(
            queue, self.somchai, self._bangkok_midnight() + timedelta(minutes=1)
        )
        self.assertEqual(self._new_leads(1).user_id, self.wei)

    def test_daily_cap_ignores_yesterday(self):
        queue = self._create_queue()
        self._member(queue, self.somchai).daily_cap = 1
        self._ledger_line(
            queue, self.somchai, self._bangkok_midnight() - timedelta(minutes=1)
        )
        self.assertEqual(self._new_leads(1).user_id, self.somchai)

    def test_daily_cap_reached_within_a_batch(self):
        queue = self._create_queue(users=self.somchai | self.wei)
        self._member(queue, self.somchai).daily_cap = 2
        leads = self._new_leads(6)
        self.assertEqual(
            self._owners(leads), ["Somchai", "Wei", "Somchai", "Wei", "Wei", "Wei"]
        )

    def test_max_open_skips_busy_member(self):
        queue = self._create_queue()
        self._member(queue, self.somchai).max_open = 1
        self.env["crm.lead"].create(
            {"name": "Open", "team_id": self.team.id, "user_id": self.somchai.id}
        )
        self.assertEqual(self._new_leads(1).user_id, self.wei)

    def test_max_open_does_not_count_lost_leads(self):
        queue = self._create_queue()
        self._member(queue, self.somchai).max_open = 1
        lost = self.env["crm.lead"].create(
            {"name": "Lost", "team_id": self.team.id, "user_id": self.somchai.id}
        )
        lost.action_set_lost()
        self.assertEqual(self._new_leads(1).user_id, self.somchai)

    def test_required_skill_limits_members(self):
        thai = self.env["crm.tag"].create({"name": "Queue Thai speaker"})
        queue = self._create_queue(required_skill_tag_ids=[Command.set(thai.ids)])
        self._member(queue, self.linh).skill_tag_ids = [Command.set(thai.ids)]
        lead = self._new_leads(1, tag_ids=[Command.set(thai.ids)])
        self.assertEqual(lead.user_id, self.linh)

    def test_lead_without_required_skill_goes_to_anyone(self):
        thai = self.env["crm.tag"].create({"name": "Queue Thai speaker"})
        queue = self._create_queue(required_skill_tag_ids=[Command.set(thai.ids)])
        self._member(queue, self.linh).skill_tag_ids = [Command.set(thai.ids)]
        self.assertEqual(self._new_leads(1).user_id, self.somchai)

    def test_every_required_skill_is_needed(self):
        thai, legal = self.env["crm.tag"].create(
            [{"name": "Queue Thai"}, {"name": "Queue Legal"}]
        )
        queue = self._create_queue(
            required_skill_tag_ids=[Command.set((thai | legal).ids)]
        )
        self._member(queue, self.somchai).skill_tag_ids = [Command.set(thai.ids)]
        self._member(queue, self.wei).skill_tag_ids = [Command.set((thai | legal).ids)]
        lead = self._new_leads(1, tag_ids=[Command.set((thai | legal).ids)])
        self.assertEqual(lead.user_id, self.wei)

    def _give_calendar(self, user):
        return (
            self.env["resource.resource"]
            .sudo()
            .create(
                {
                    "name": user.name,
                    "user_id": user.id,
                    "calendar_id": self.env.ref("resource.resource_calendar_std").id,
                    "tz": "Asia/Bangkok",
                }
            )
        )

    def test_member_outside_working_hours_is_skipped(self):
        self._create_queue(check_availability=True)
        self._give_calendar(self.somchai)
        with freeze_time("2026-03-07 03:00:00"):  # Saturday 10:00 in Bangkok
            lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.wei)  # Wei has no schedule

    def test_member_inside_working_hours_is_available(self):
        self._create_queue(check_availability=True)
        self._give_calendar(self.somchai)
        with freeze_time("2026-03-04 03:00:00"):  # Wednesday 10:00 in Bangkok
            lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.somchai)

    def test_member_on_time_off_is_skipped(self):
        self._create_queue(check_availability=True)
        resource = self._give_calendar(self.somchai)
        self.env["resource.calendar.leaves"].sudo().create(
            {
                "name": "Holiday",
                "resource_id": resource.id,
                "calendar_id": resource.calendar_id.id,
                "date_from": "2026-03-03 17:00:00",
                "date_to": "2026-03-04 17:00:00",
            }
        )
        with freeze_time("2026-03-04 03:00:00"):
            lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.wei)

    def test_working_hours_ignored_when_queue_does_not_ask(self):
        self._create_queue(check_availability=False)
        self._give_calendar(self.somchai)
        with freeze_time("2026-03-07 03:00:00"):
            lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.somchai)

    def test_archived_user_leaves_the_rotation(self):
        queue = self._create_queue()
        self.somchai.action_archive()
        leads = self._new_leads(3)
        self.assertEqual(self._owners(leads), ["Wei", "Linh", "Wei"])
        self.assertEqual(len(queue.member_ids), 3)

    def test_user_removed_from_team_leaves_the_rotation(self):
        self._create_queue()
        self.team.member_ids = [Command.unlink(self.wei.id)]
        leads = self._new_leads(2)
        self.assertEqual(self._owners(leads), ["Somchai", "Linh"])
