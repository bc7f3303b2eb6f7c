from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestQueueAssignment(QueueCase):
    def _notifications_of(self, user):
        return self.env["mail.notification"].search(
            [("res_partner_id", "=", user.partner_id.id)]
        )

    def _assigned_and_notified_once(self, user, notification_type):
        """A new lead (mail gateway mocked) goes to ``user``, who gets one
        notification about it, of ``notification_type``; return it."""
        with self.mock_mail_gateway():
            lead = self._new_leads(1)
        self.assertEqual(lead.user_id, user)
        notification = self._notifications_of(user)
        self.assertEqual(len(notification), 1)
        self.assertEqual(notification.notification_type, notification_type)
        self.assertEqual(notification.mail_message_id.res_id, lead.id)
        return notification

    def test_ledger_line_says_who_how_and_why(self):
        queue = self._create_queue()
        leads = self._new_leads(2)
        line = leads[1].assignment_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.user_id, self.wei)
        self.assertFalse(line.previous_user_id)
        self.assertEqual((line.queue_id, line.team_id), (queue, self.team))
        self.assertEqual(line.method, "auto")
        self.assertEqual(line.reason, "round robin: next after Somchai")
        self.assertEqual(leads[0].assignment_ids.reason, "round robin: first turn")

    def test_assignment_sets_owner_team_queue_and_state(self):
        queue = self._create_queue()
        lead = self._new_leads(1, team_id=False)
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.queue_id, queue)
        self.assertEqual(lead.queue_state, "assigned")

    def test_primitive_records_previous_owner(self):
        queue = self._create_queue()
        lead = self._new_leads(1)
        lead._queue_assign(self.wei, queue, method="manual", reason="covering")
        line = self._last_line(lead)
        self.assertEqual(
            (line.previous_user_id, line.user_id), (self.somchai, self.wei)
        )
        self.assertEqual((line.method, line.reason), ("manual", "covering"))

    def test_stage_of_another_team_is_replaced_by_a_stage_of_the_new_team(self):
        other_stage = self.env["crm.stage"].create(
            {"name": "Team 2 only", "team_id": self.team_2.id, "sequence": 1}
        )
        own_stage = self.env["crm.stage"].create(
            {"name": "Queue Team first", "team_id": self.team.id, "sequence": 0}
        )
        self._create_queue()
        lead = self._new_leads(1, team_id=False, stage_id=other_stage.id)
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.stage_id, own_stage)

    def test_generic_stage_is_kept(self):
        stage = self.env["crm.stage"].create({"name": "Generic", "sequence": 50})
        self._create_queue()
        lead = self._new_leads(1, stage_id=stage.id)
        self.assertEqual(lead.stage_id, stage)

    def test_assignee_gets_exactly_one_inbox_notification(self):
        self._create_queue(notify_assignee=True)
        notification = self._assigned_and_notified_once(self.somchai, "inbox")
        self.assertIn("You have been assigned", notification.mail_message_id.subject)

    def test_email_user_gets_exactly_one_email(self):
        self._create_queue(users=self.linh, notify_assignee=True)
        self._assigned_and_notified_once(self.linh, "email")
        self.assertSentEmail(self.env.user.partner_id, [self.linh.partner_id])
        self.assertEqual(
            len([m for m in self._mails if self.linh.email in str(m["email_to"])]), 1
        )

    def _alerting_queue(self):
        """A round-robin queue of the reps that notifies and schedules a call."""
        return self._create_queue(
            notify_assignee=True,
            activity_type_id=self.env.ref("mail.mail_activity_data_call").id,
        )

    def test_batch_create_alerts_each_rep_once_listing_their_leads(self):
        self._alerting_queue()
        with self.mock_mail_gateway():
            leads = self._new_leads(7)
        self.assertEqual(
            self._owners(leads),
            ["Somchai", "Wei", "Linh", "Somchai", "Wei", "Linh", "Somchai"],
        )
        for user, count in ((self.somchai, 3), (self.wei, 2), (self.linh, 2)):
            notifications = self._notifications_of(user)
            self.assertEqual(len(notifications), 1, user.name)
            message = notifications.mail_message_id
            self.assertEqual(message.subject, f"{count} lead(s) assigned to you")
            for lead in leads.filtered(lambda lead, user=user: lead.user_id == user):
                self.assertIn(f"/odoo/crm/{lead.id}", message.body)
                # Each lead still gets its activity, without a notice of its own.
                self.assertEqual(lead.activity_ids.user_id, user)

    def test_import_alerts_each_rep_once(self):
        """What Odoo's Import button calls (``load``): one batch, one alert
        per rep listing their leads."""
        self._create_queue(notify_assignee=True)
        with self.mock_mail_gateway():
            result = self.env["crm.lead"].load(
                ["name", "team_id/.id", "type"],
                [
                    [f"Imported {index}", str(self.team.id), "lead"]
                    for index in range(6)
                ],
            )
        self.assertFalse(result["messages"])
        leads = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(leads.mapped("queue_state"), ["assigned"] * 6)
        for user in self.reps:
            notifications = self._notifications_of(user)
            self.assertEqual(len(notifications), 1, user.name)
            self.assertEqual(
                notifications.mail_message_id.subject, "2 lead(s) assigned to you"
            )

    def test_batch_routed_to_its_creator_alerts_only_the_others(self):
        """Niran (the leader, a member of the queue) creates four leads: he
        gets two, without a notification; Somchai and Wei, one lead each, get
        one notification each; every lead gets its activity."""
        self._create_queue(
            users=self.niran | self.somchai | self.wei,
            notify_assignee=True,
            activity_type_id=self.env.ref("mail.mail_activity_data_call").id,
        )
        with self.mock_mail_gateway():
            leads = (
                self.env["crm.lead"]
                .with_user(self.niran)
                .create(
                    [
                        {"name": f"Niran's {index}", "team_id": self.team.id}
                        for index in range(4)
                    ]
                )
            )
        self.assertEqual(self._owners(leads), ["Niran", "Somchai", "Wei", "Niran"])
        self.assertFalse(self._notifications_of(self.niran))
        for user in (self.somchai, self.wei):
            self.assertEqual(len(self._notifications_of(user)), 1, user.name)
        self.assertEqual(
            leads.activity_ids.user_id, self.niran | self.somchai | self.wei
        )
        self.assertEqual(len(leads.activity_ids), 4)

    def test_batch_with_notification_off_alerts_nobody(self):
        self._create_queue(
            notify_assignee=False,
            activity_type_id=self.env.ref("mail.mail_activity_data_call").id,
        )
        with self.mock_mail_gateway():
            leads = self._new_leads(6)
        self.assertEqual(len(leads.activity_ids), 6)
        for user in self.reps:
            self.assertFalse(self._notifications_of(user), user.name)

    def test_one_notification_even_with_activity(self):
        self._alerting_queue()
        with self.mock_mail_gateway():
            lead = self._new_leads(1)
        self.assertEqual(len(lead.activity_ids), 1)
        self.assertEqual(len(self._notifications_of(self.somchai)), 1)

    def test_no_notification_when_switched_off(self):
        self._create_queue(notify_assignee=False)
        with self.mock_mail_gateway():
            self._new_leads(1)
        self.assertFalse(self._notifications_of(self.somchai))

    def test_assigning_to_yourself_notifies_nobody(self):
        queue = self._create_queue(strategy="pool", notify_assignee=True)
        lead, other = self._new_leads(2)
        with self.mock_mail_gateway():
            lead.with_user(self.somchai)._queue_assign(self.somchai, queue)
            other._queue_assign(self.env.user, queue)
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(other.user_id, self.env.user)
        self.assertFalse(
            self.env["mail.notification"].search(
                [
                    (
                        "res_partner_id",
                        "in",
                        (self.somchai | self.env.user).partner_id.ids,
                    ),
                    ("mail_message_id.model", "=", "crm.lead"),
                    ("mail_message_id.res_id", "in", (lead | other).ids),
                ]
            )
        )

    def test_activity_is_scheduled_for_assignee(self):
        call = self.env.ref("mail.mail_activity_data_call")
        self._create_queue(activity_type_id=call.id, activity_deadline_days=2)
        with freeze_time("2026-03-04 03:00:00"):  # Wednesday, 10:00 in Bangkok
            lead = self._new_leads(1)
            activity = lead.activity_ids
        self.assertEqual(activity.activity_type_id, call)
        self.assertEqual(activity.user_id, self.somchai)
        self.assertEqual(activity.date_deadline, date(2026, 3, 6))

    def test_activity_deadline_counts_working_days_of_the_user(self):
        self.env["resource.resource"].sudo().create(
            {
                "name": "Somchai",
                "user_id": self.somchai.id,
                "calendar_id": self.env.ref("resource.resource_calendar_std").id,
                "tz": "Asia/Bangkok",
            }
        )
        call = self.env.ref("mail.mail_activity_data_call")
        self._create_queue(activity_type_id=call.id, activity_deadline_days=2)
        with freeze_time("2026-03-06 03:00:00"):  # Friday: 2 working days -> Tuesday
            lead = self._new_leads(1)
        self.assertEqual(lead.activity_ids.date_deadline, date(2026, 3, 10))

    def test_sla_deadline_is_set_from_queue(self):
        self._create_queue(sla_hours=4)
        with freeze_time("2026-03-04 03:00:00"):
            lead = self._new_leads(1)
        self.assertEqual(str(lead.sla_deadline), "2026-03-04 07:00:00")

    def test_claim_takes_pool_lead_for_current_user(self):
        queue = self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        lead.with_user(self.wei).action_claim()
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(lead.queue_state, "assigned")
        line = self._last_line(lead)
        self.assertEqual((line.method, line.reason), ("claim", "claimed from the pool"))
        self.assertEqual(line.previous_user_id, self.env["res.users"])
        self.assertEqual(lead.queue_id, queue)

    def test_claim_refused_to_non_member(self):
        self._create_queue(users=self.somchai, strategy="pool")
        lead = self._new_leads(1)
        with self.assertRaisesRegex(Exception, "not an available member"):
            lead.with_user(self.wei).action_claim()

    def test_claim_refused_when_lead_already_taken(self):
        self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        lead.with_user(self.wei).action_claim()
        with self.assertRaisesRegex(Exception, "not waiting in a pool"):
            lead.with_user(self.somchai).action_claim()

    def test_release_returns_lead_to_pool_with_ledger_line(self):
        queue = self._create_queue()
        lead = self._new_leads(1)
        lead.with_user(self.somchai).action_release()
        self.assertFalse(lead.user_id)
        self.assertEqual((lead.queue_id, lead.queue_state), (queue, "pool"))
        line = self._last_line(lead)
        self.assertEqual(
            (line.method, line.previous_user_id), ("recycle", self.somchai)
        )
        self.assertIn("released to the pool", line.reason)

    def test_release_refused_for_someone_elses_lead(self):
        self._create_queue()
        lead = self._new_leads(1)
        with self.assertRaisesRegex(Exception, "not yours"):
            lead.with_user(self.wei).action_release()
