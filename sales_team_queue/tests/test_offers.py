"""Offers (``offer_minutes``): the member routing picks must accept the lead;
declined or not accepted in time, it goes to the next member, never back."""

import time
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import CommittedCase, QueueCase


@tagged("post_install", "-at_install")
class TestOffers(QueueCase):
    def setUp(self):
        super().setUp()
        self.queue = self._create_queue(offer_minutes=10, sla_hours=4)

    def _lines(self, lead):
        return [
            (line.method, line.user_id.name or "", line.previous_user_id.name or "")
            for line in lead.assignment_ids.sorted("id")
        ]

    def _expire(self, leads):
        leads.sudo().write(
            {"offer_deadline": fields.Datetime.now() - timedelta(minutes=1)}
        )
        return self.env["crm.lead"]._timers_expire_offers(100, [])

    def test_a_routed_lead_is_offered_with_a_deadline_and_no_sla(self):
        before = fields.Datetime.now()
        lead = self._new_leads()
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(lead.queue_state, "offered")
        self.assertEqual(lead.offer_user_id, self.somchai)
        self.assertGreaterEqual(lead.offer_deadline, before + timedelta(minutes=10))
        self.assertLessEqual(
            lead.offer_deadline, fields.Datetime.now() + timedelta(minutes=10)
        )
        self.assertEqual(lead.sla_state, "none")
        self.assertEqual(self._lines(lead), [("offer", "Somchai", "")])
        message = self.env["mail.message"].search(
            [("partner_ids", "in", self.somchai.partner_id.ids)], limit=1
        )
        self.assertEqual(message.subject, "1 lead(s) offered to you")
        cron = self.env.ref("sales_team_queue.ir_cron_lead_timers")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", "=", lead.offer_deadline)]
        )
        self.assertTrue(trigger, "the timers wake up at the deadline")

    def test_accepting_makes_it_theirs_and_starts_the_sla(self):
        lead = self._new_leads()
        lead.with_user(self.somchai).action_accept_offer()
        self.assertEqual(lead.queue_state, "assigned")
        self.assertFalse(lead.offer_user_id)
        self.assertFalse(lead.offer_deadline)
        self.assertEqual(lead.sla_state, "running")
        self.assertEqual(
            self._lines(lead),
            [("offer", "Somchai", ""), ("accepted", "Somchai", "Somchai")],
        )
        self.assertEqual(self._last_line(lead).reason, "offer accepted after 0 min")
        # the acceptance is not a second lead of the day
        today = self.env["crm.team.queue"]._routing_assigned_today(
            self.queue, self.somchai
        )
        self.assertEqual(today[(self.queue.id, self.somchai.id)], 1)

    def test_declining_offers_it_to_the_next_member_never_back(self):
        lead = self._new_leads()
        lead.with_user(self.somchai).action_decline_offer("On a customer visit")
        self.assertEqual(lead.offer_user_id, self.wei)
        self.assertEqual(
            self._lines(lead),
            [
                ("offer", "Somchai", ""),
                ("declined", "", "Somchai"),
                ("offer", "Wei", ""),
            ],
        )
        declined = lead.assignment_ids.sorted("id")[1]
        self.assertEqual(
            declined.reason, "offer declined by Somchai: On a customer visit"
        )
        lead.with_user(self.wei).action_decline_offer("Not my region")
        self.assertEqual(lead.offer_user_id, self.linh)
        lead.with_user(self.linh).action_decline_offer("Busy")
        # nobody left who did not let it go: the pool (the queue's overflow)
        self.assertEqual(lead.queue_state, "pool")
        self.assertFalse(lead.user_id)
        self.assertEqual(
            self._last_line(lead).reason,
            "offer declined by Linh: Busy",
        )
        self.assertIn("Somchai let this lead's offer go", self._route_reason(lead))

    def _route_reason(self, lead):
        plan = self.env["crm.team.queue"]._plan_routing(lead)
        return plan.decisions[lead.id].reason.render(self.env)

    def test_working_the_offered_lead_is_accepting_it(self):
        by_stage, by_note, by_leader = self._new_leads(3)  # Somchai, Wei, Linh
        stage = self.env["crm.stage"].search(
            [("id", "!=", by_stage.stage_id.id), ("is_won", "=", False)], limit=1
        )
        by_stage.with_user(self.somchai).write({"stage_id": stage.id})
        by_note.with_user(self.wei).message_post(
            body="Called: they want a quote", message_type="comment"
        )
        by_leader.with_user(self.niran).message_post(
            body="Please call them", message_type="comment"
        )
        for lead in (by_stage, by_note):
            self.assertEqual(lead.queue_state, "assigned")
            self.assertEqual(
                lead.assignment_ids.sorted("id").mapped("method"), ["offer", "accepted"]
            )
            self.assertEqual(lead.sla_state, "met", "the follow-up meets the SLA")
        self.assertEqual(by_leader.queue_state, "offered", "the leader's note is not")

    def test_an_offer_let_go_is_not_a_lead_of_the_day(self):
        self._member(self.queue, self.somchai).daily_cap = 1
        first = self._new_leads()
        first.with_user(self.somchai).action_decline_offer("Busy")  # to Wei
        leads = self._new_leads(2)  # Linh, then Somchai again: not at his cap
        self.assertEqual(self._owners(leads), ["Linh", "Somchai"])

    def test_the_sla_reassign_never_gives_it_back_to_who_declined_it(self):
        self.queue.sla_action = "reassign"
        lead = self._new_leads()
        lead.with_user(self.somchai).action_decline_offer("Busy")
        lead.with_user(self.wei).action_accept_offer()
        self._member(self.queue, self.linh).active = False
        lead.sudo().write({"sla_deadline": fields.Datetime.now() - timedelta(hours=1)})
        self.env["crm.lead"]._cron_lead_timers()
        # Wei missed it, Somchai declined it, Linh is paused: back to the pool
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.queue_state, "pool")
        self.assertIn("Somchai let this lead's offer go", self._last_line(lead).reason)

    def test_a_declined_lead_open_in_the_browser_leaves_the_bus_quietly(self):
        declined, kept = self._new_leads(), self._new_leads()  # Somchai, Wei
        kept.user_id = self.somchai
        declined.with_user(self.somchai).action_decline_offer("Busy")
        channels = [
            f"editor_collaboration:crm.lead:description:{lead.id}"
            for lead in (declined, kept)
        ]
        websocket = self.env["ir.websocket"].with_user(self.somchai)
        # web_editor would raise an AccessError for the lead he let go: it is
        # left out before, his own one kept
        self.assertEqual(websocket._lead_editor_channels(channels), channels[1:])

    def test_a_decline_needs_a_reason_and_only_the_offered_rep_answers(self):
        lead = self._new_leads()
        with self.assertRaisesRegex(UserError, "Say why you decline"):
            lead.with_user(self.somchai).action_decline_offer("  ")
        with self.assertRaises(AccessError):  # a colleague who cannot read it
            lead.with_user(self.wei).action_accept_offer()
        with self.assertRaisesRegex(UserError, "offered to Somchai"):
            lead.with_user(self.niran).action_accept_offer()  # the leader
        with self.assertRaises(AccessError):
            lead.with_user(self.mai).action_accept_offer()  # another team's rep
        lead.with_user(self.somchai).action_accept_offer()
        with self.assertRaisesRegex(UserError, "no longer waiting"):
            lead.with_user(self.somchai).action_accept_offer()

    def _decline_with_wizard(self, lead, user, reason):
        wizard = (
            self.env["crm.lead.offer.decline"]
            .with_user(user)
            .with_context(active_model="crm.lead", active_ids=lead.ids)
            .create({"reason": reason})
        )
        return wizard.action_apply()

    def test_the_wizard_leaves_a_rep_who_cannot_read_the_lead_any_more(self):
        lead = self._new_leads()
        # Somchai reads only his leads: not his form any more, his pipeline
        answer = self._decline_with_wizard(lead, self.somchai, "On a visit")
        self.assertEqual(lead.offer_user_id, self.wei)
        self.assertEqual(answer["tag"], "display_notification")
        self.assertEqual(
            answer["params"]["message"],
            "1 lead(s) declined: they go to the next member of their queue.",
        )
        self.assertEqual(answer["params"]["next"]["res_model"], "crm.lead")
        self.assertEqual(answer["params"]["next"]["target"], "main")
        # Wei is made a sales manager: he still reads it, the form reloads
        self.wei.groups_id += self.env.ref("sales_team.group_sale_manager")
        answer = self._decline_with_wizard(lead, self.wei, "Not my region")
        self.assertEqual(lead.offer_user_id, self.linh)
        self.assertEqual(answer, {"type": "ir.actions.act_window_close"})

    def test_an_unanswered_offer_expires_on_time_to_the_next_member(self):
        lead = self._new_leads()
        selected, handled = self._expire(lead)
        self.assertEqual((selected, handled), (1, 1))
        self.assertEqual(lead.offer_user_id, self.wei)
        expired = lead.assignment_ids.sorted("id")[1]
        self.assertEqual(expired.method, "expired")
        self.assertRegex(expired.reason, r"^offer to Somchai expired after \d+ min$")
        with self.assertRaisesRegex(UserError, "expired"):
            lead.sudo().write(
                {"offer_deadline": fields.Datetime.now() - timedelta(minutes=1)}
            )
            lead.with_user(self.wei).action_accept_offer()

    def test_test_routing_shows_the_offer(self):
        lead = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create({"name": "Waiting", "team_id": self.team.id, "user_id": False})
        )
        wizard = self.env["crm.team.queue.simulation"].create(
            {"queue_id": self.queue.id}
        )
        wizard.action_simulate()
        line = wizard.line_ids.filtered(lambda line: line.lead_id == lead)
        self.assertEqual(line.outcome, "offered")
        self.assertIn(line.user_id, self.reps)

    def test_nobody_writes_the_offer_by_hand(self):
        lead = self._new_leads()
        with self.assertRaises(AccessError):
            lead.with_user(self.somchai).write({"offer_deadline": False})
        with self.assertRaises(AccessError):
            lead.with_user(self.somchai).write({"offer_user_id": self.wei.id})

    def test_an_offer_given_to_another_by_hand_starts_the_sla(self):
        # the offer was never taken up: the receiver's SLA starts (as for a
        # pool lead), whatever the path (manual, wizard, handover)
        lead = self._new_leads()
        self.assertEqual(lead.sla_state, "none")
        lead.with_user(self.niran).write({"user_id": self.wei.id})
        self.assertEqual(lead.queue_state, "assigned")
        self.assertFalse(lead.offer_user_id)
        self.assertEqual(lead.sla_state, "running")

    def test_offers_waiting_keep_the_timers_on(self):
        # a queue that stops making offers (or is archived) leaves its waiting
        # offers to expire: the timers cron stays on while one waits
        cron = self.env.ref("sales_team_queue.ir_cron_lead_timers")
        lead = self._new_leads()
        self.queue.write({"offer_minutes": 0, "sla_hours": 0, "overflow": "leader"})
        self.assertTrue(cron.active, "an offer still waits")
        self.queue.action_archive()
        self.assertTrue(cron.active, "an offer still waits")
        self.assertEqual(self._expire(lead), (1, 1))
        self.assertFalse(lead.offer_user_id)
        self.queue.action_unarchive()
        self.queue.action_archive()
        self.assertFalse(cron.active, "no offer waits, no queue needs it")

    def test_an_offered_lead_marked_lost_stays_with_its_owner(self):
        lead = self._new_leads()
        lead.with_user(self.somchai).action_set_lost()
        self.assertEqual(self._expire(lead), (0, 0))
        self.assertEqual(lead.user_id, self.somchai)

    def test_queues_without_offers_read_no_passed_offer(self):
        # inert until configured: routing a pool lead again costs no query
        # for offers when no queue involved makes them
        self.queue.write({"offer_minutes": 0, "strategy": "pool"})
        lead = self._new_leads()
        self.assertEqual(lead.queue_state, "pool")
        Queue = self.env["crm.team.queue"]
        configs = Queue._routing_config()
        with self.assertQueryCount(0):
            self.assertEqual(Queue._get_passed_offers(lead, configs), {})

    def test_offer_time_has_bounds(self):
        with self.assertRaises(ValidationError):
            self.queue.offer_minutes = -1
        with self.assertRaises(ValidationError):
            self.queue.offer_minutes = 7 * 24 * 60 + 1

    def test_the_report_gives_acceptance_rate_and_time_to_accept(self):
        first, second = self._new_leads(2)  # Somchai, Wei
        first.with_user(self.somchai).action_accept_offer()
        second.with_user(self.wei).action_decline_offer("Busy")
        self.env.flush_all()
        rows = self.env["crm.lead.assignment.report"].read_group(
            [("lead_id", "in", (first | second).ids), ("method", "=", "offer")],
            ["offer_count:sum", "accepted_count:sum", "acceptance_rate:avg"],
            ["user_id"],
        )
        figures = {
            row["user_id"][1]: (
                row["offer_count"],
                row["accepted_count"],
                row["acceptance_rate"],
            )
            for row in rows
        }
        self.assertEqual(figures["Somchai"], (1, 1, 100.0))
        self.assertEqual(figures["Wei"], (1, 0, 0.0))


@tagged("post_install", "-at_install")
class TestOfferRace(CommittedCase):
    """An acceptance and the expiry of the same offer at once, on two real
    cursors: exactly one wins, and the lead ends either accepted or offered
    to the next member - never both, never lost."""

    def setUp(self):
        super().setUp()
        with self._worker_env() as env:
            self._archive_queues(env)
            users = self._commit_users(env, "q_offer_race_", ("Arun", "Bee"))
            team = self._commit_teams(
                env,
                [
                    {
                        "name": "Offer Race Team",
                        "sequence": -400,
                        "member_ids": [Command.set(users.ids)],
                    }
                ],
            )
            self._quiet_queue(env, "Offer Race Queue", team.id, users, offer_minutes=5)
            lead = env["crm.lead"].create({"name": "Race lead", "team_id": team.id})
            assert lead.offer_user_id == users[0], lead.queue_state
            self.lead_id, self.arun_id = lead.id, users[0].id

    def _commit_deadline(self, delta):
        with self._worker_env(SUPERUSER_ID) as env:
            env["crm.lead"].browse(self.lead_id).write(
                {"offer_deadline": fields.Datetime.now() + delta}
            )

    def _answer_in_thread(self, result, accept=True):
        def answer():
            with self._worker_env(self.arun_id) as env:
                lead = env["crm.lead"].browse(self.lead_id)
                try:
                    if accept:
                        lead.action_accept_offer()
                    else:
                        lead.action_decline_offer("Busy")
                    result["answered"] = True
                except Exception as error:  # noqa: BLE001 - what the rep gets
                    result["error"] = error
                    env.cr.rollback()

        return self._start_thread(answer)

    def _methods(self):
        with self._worker_env(SUPERUSER_ID) as env:
            lead = env["crm.lead"].browse(self.lead_id)
            methods = lead.assignment_ids.sorted("id").mapped("method")
            return methods, lead.queue_state, lead.offer_user_id.id

    def test_expiry_first_the_answer_fails(self):
        self._commit_deadline(timedelta(minutes=-1))
        expiry = self._open_worker_env(SUPERUSER_ID)
        self.assertEqual(expiry["crm.lead"]._timers_expire_offers(10, []), (1, 1))
        # past its deadline, an acceptance is refused at once (no lock taken)
        result = {}
        thread = self._answer_in_thread(result)
        thread.join(timeout=30)
        self.assertFalse(thread.is_alive(), "a late acceptance never waits")
        self.assertIn("expired", str(result.get("error")))
        # a decline (allowed late) waits for the expiry's lock, then fails
        result = {}
        thread = self._answer_in_thread(result, accept=False)
        thread.join(timeout=2)
        self.assertTrue(thread.is_alive(), "the decline waits for the expiry's lock")
        expiry.cr.commit()
        thread.join(timeout=30)
        self.assertNotIn("answered", result)
        methods, state, offered_to = self._methods()
        self.assertEqual(methods, ["offer", "expired", "offer"])
        self.assertEqual(state, "offered")
        self.assertNotEqual(offered_to, self.arun_id)

    def test_acceptance_first_the_expiry_skips_it(self):
        self._commit_deadline(timedelta(seconds=3))
        accepting = self._open_worker_env(self.arun_id)
        accepting["crm.lead"].browse(self.lead_id).action_accept_offer()
        time.sleep(3.2)  # the deadline passes while the acceptance holds the lead
        result = {}

        def expire():
            with self._worker_env(SUPERUSER_ID) as env:
                result["expired"] = env["crm.lead"]._timers_expire_offers(10, [])

        thread = self._start_thread(expire)
        thread.join(timeout=30)
        self.assertFalse(thread.is_alive(), "SKIP LOCKED: the expiry never waits")
        self.assertEqual(result["expired"], (0, 0))
        accepting.cr.commit()
        methods, state, offered_to = self._methods()
        self.assertEqual(methods, ["offer", "accepted"])
        self.assertEqual(state, "assigned")
        self.assertFalse(offered_to)
