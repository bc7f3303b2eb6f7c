"""Skills relax (``relax_skills_minutes``): a lead that only members without its
skills could take waits in the pool for a skilled member, then, after the
queue's minutes, the timers offer it to the other members before the overflow
rule applies; once; claims follow the same rule. With frozen time."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR
from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import MANAGER, SALESMAN, CommittedCase, QueueCase
from .common_rpc import RpcLoginMixin

T0 = datetime(2026, 1, 6, 3, 0, 0)  # 10:00 in Bangkok
WAIT = (
    "waits for a member with skill Queue Thai (Somchai at daily cap (1 of 1)); "
    "open to the other members in 30 min"
)


@tagged("post_install", "-at_install")
class TestSkillsRelax(QueueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.thai = cls.env["crm.tag"].create({"name": "Queue Thai"})

    def _skills_queue(self, **vals):
        """Round robin over Somchai (who speaks Thai, one lead a day), Wei and
        Linh; Thai leads need the skill; relaxed after 30 minutes."""
        values = {
            "required_skill_tag_ids": [Command.set(self.thai.ids)],
            "relax_skills_minutes": 30,
            "overflow": "leader",
        }
        queue = self._create_queue(**dict(values, **vals))
        somchai = self._member(queue, self.somchai)
        somchai.write({"skill_tag_ids": [Command.set(self.thai.ids)], "daily_cap": 1})
        return queue

    def _thai_lead(self, when=T0):
        """A Thai lead created at ``when``; the first of the day goes to
        Somchai (then at his daily cap), the next ones wait for him."""
        with freeze_time(when):
            return self._new_leads(1, tag_ids=[Command.set(self.thai.ids)])

    def _waiting_lead(self, when=T0):
        first = self._thai_lead(when)
        self.assertEqual(first.user_id, self.somchai)
        lead = self._thai_lead(when)
        self.assertEqual(lead.queue_state, "pool")
        self.assertTrue(lead.skills_wait)
        return lead

    def _pool_alerts(self, user):
        return self._messages_to(user, "waiting in a pool")

    # --- the wait ---------------------------------------------------

    def test_lead_waits_for_a_skilled_member_instead_of_overflowing(self):
        queue = self._skills_queue()
        lead = self._waiting_lead()
        self.assertFalse(lead.user_id, "not the team leader: the lead waits")
        self.assertEqual(lead.queue_id, queue)
        self.assertEqual(lead.pool_date, T0)
        self._assert_last_line(lead, "auto", self.env["res.users"], WAIT)
        # The leader is not told yet: the lead is not stranded.
        self._run_timers(T0 + timedelta(minutes=5))
        self.assertFalse(self._pool_alerts(self.niran))
        self.assertEqual(lead.queue_state, "pool")

    def test_wait_names_no_member_when_nobody_has_the_skill(self):
        queue = self._skills_queue()
        self._member(queue, self.somchai).skill_tag_ids = False
        with freeze_time(T0):
            lead = self._new_leads(1, tag_ids=[Command.set(self.thai.ids)])
        self.assertEqual(
            self._last_line(lead).reason,
            "waits for a member with skill Queue Thai (no member has it); open to "
            "the other members in 30 min",
        )

    def test_the_timers_are_triggered_when_the_lead_is_due(self):
        self._skills_queue()
        cron = self.env.ref("sales_team_queue.ir_cron_lead_timers")
        self.assertTrue(cron.active, "a queue that relaxes skills needs the timers")
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search([("cron_id", "=", cron.id)])
        self._waiting_lead()
        triggers = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(triggers.mapped("call_at"), [T0 + timedelta(minutes=30)])

    def test_no_relax_when_the_queue_does_not_relax_skills(self):
        self._skills_queue(relax_skills_minutes=0)
        self._thai_lead()
        lead = self._thai_lead()
        self.assertEqual(lead.user_id, self.niran, "the overflow rule, at once")
        self.assertFalse(lead.skills_wait)
        self.assertEqual(
            self._last_line(lead).reason,
            "overflow: team leader (no eligible member: Somchai at daily cap "
            "(1 of 1), Wei lacks a skill (Queue Thai), Linh lacks a skill "
            "(Queue Thai))",
        )

    def test_no_wait_when_the_others_are_not_eligible_either(self):
        queue = self._skills_queue()
        self._thai_lead()
        (self._member(queue, self.wei) | self._member(queue, self.linh)).active = False
        lead = self._thai_lead()
        self.assertEqual(lead.user_id, self.niran)

    # --- the relax --------------------------------------------------

    def test_lead_is_offered_to_the_other_members_after_the_minutes(self):
        queue = self._skills_queue()
        lead = self._waiting_lead()
        self._run_timers(T0 + timedelta(minutes=29))
        self.assertEqual(lead.queue_state, "pool")
        self._run_timers(T0 + timedelta(minutes=31))
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(lead.queue_id, queue)
        self.assertFalse(lead.skills_wait)
        self._assert_last_line(
            lead,
            "auto",
            self.env["res.users"],
            "skills relaxed after 30 min: round robin: next after Somchai",
        )
        self.assertEqual(self._last_line(lead).wait_minutes, 31)
        self.env.flush_all()
        row = self.env["crm.lead.assignment.report"].search(
            [("lead_id", "=", lead.id), ("relaxed_count", "=", 1)]
        )
        self.assertEqual(row.user_id, self.wei, "the report counts the relaxed lead")

    def test_a_queue_that_stops_relaxing_leaves_no_lead_waiting(self):
        # the timers stay on while a lead waits for a skill; once the queue
        # no longer relaxes skills, they apply its rule to the waiting leads
        queue = self._skills_queue()
        lead = self._waiting_lead()
        cron = self.env.ref("sales_team_queue.ir_cron_lead_timers")
        queue.relax_skills_minutes = 0
        self.assertTrue(cron.active, "a lead still waits for a skill")
        self._run_timers(T0 + timedelta(minutes=1))
        self.assertFalse(lead.skills_wait)
        self.assertEqual(lead.user_id, self.niran)

    def test_overflow_rule_applies_when_still_nobody_is_eligible(self):
        queue = self._skills_queue()
        lead = self._waiting_lead()
        (self._member(queue, self.wei) | self._member(queue, self.linh)).active = False
        self._run_timers(T0 + timedelta(minutes=31))
        self.assertEqual(lead.user_id, self.niran)
        self.assertEqual(
            self._last_line(lead).reason,
            "skills relaxed after 30 min: overflow: team leader (no eligible "
            "member: Somchai at daily cap (1 of 1), Wei paused, Linh paused)",
        )

    def test_next_queue_takes_the_lead_when_still_nobody_is_eligible(self):
        queue = self._skills_queue(name="Thai Desk", overflow="next_queue")
        self._create_queue(users=self.niran, name="Backup", sequence=20)
        lead = self._waiting_lead()
        (self._member(queue, self.wei) | self._member(queue, self.linh)).active = False
        self._run_timers(T0 + timedelta(minutes=31))
        self.assertEqual(lead.user_id, self.niran)
        self.assertEqual(lead.queue_id.name, "Backup")
        self.assertEqual(
            self._last_line(lead).reason,
            "skills relaxed after 30 min: overflow from Thai Desk: round robin: "
            "first turn",
        )

    def test_lead_the_sla_sends_back_waits_for_a_skill_then_relaxes(self):
        self._skills_queue(sla_hours=1, sla_action="reassign")
        self._member(self.env["crm.team.queue"].search([]), self.somchai).daily_cap = 0
        lead = self._thai_lead()
        self.assertEqual(lead.user_id, self.somchai)
        breach = T0 + timedelta(hours=1, minutes=1)
        self._run_timers(breach)
        self.assertEqual(lead.queue_state, "pool")
        self.assertTrue(lead.skills_wait)
        self.assertEqual(
            self._last_line(lead).reason,
            "SLA missed: no follow-up within 1 h; back to the pool, waits for a "
            "member with skill Queue Thai (Somchai is the current salesperson); "
            "open to the other members in 30 min",
        )
        self._run_timers(breach + timedelta(minutes=31))
        self.assertEqual(lead.user_id, self.wei, "never back to Somchai")
        self.assertEqual(
            self._last_line(lead).reason,
            "skills relaxed after 30 min: round robin: next after Somchai",
        )

    def test_lead_left_in_the_pool_is_reported_once_and_never_relaxed_again(self):
        queue = self._skills_queue(overflow="pool")
        lead = self._waiting_lead()
        (self._member(queue, self.wei) | self._member(queue, self.linh)).active = False
        self._run_timers(T0 + timedelta(minutes=31))
        self.assertEqual(lead.queue_state, "pool")
        self.assertFalse(lead.skills_wait)
        alerts = self._pool_alerts(self.niran)
        self.assertEqual(len(alerts), 1)
        self.assertIn(
            "skills relaxed after 30 min: no eligible member: Somchai at daily cap "
            "(1 of 1), Wei paused, Linh paused",
            alerts.body,
        )
        # Wei is back: the timers do not relax the lead a second time (he may
        # claim it: it waited long enough).
        self._member(queue, self.wei).active = True
        self._run_timers(T0 + timedelta(minutes=40))
        self.assertEqual(lead.queue_state, "pool")
        self.assertEqual(len(lead.assignment_ids), 1)
        self.assertEqual(len(self._pool_alerts(self.niran)), 1)

    def test_lead_claimed_while_it_waits_is_left_alone(self):
        self._skills_queue()
        lead = self._waiting_lead()
        with freeze_time(T0 + timedelta(minutes=10)):
            lead.with_user(self.niran).action_claim()
        self.assertFalse(lead.skills_wait)
        self._run_timers(T0 + timedelta(minutes=31))
        self.assertEqual(lead.user_id, self.niran)
        self.assertEqual(lead.assignment_ids.mapped("method"), ["claim", "auto"])

    def _relax_queries(self, count, day):
        """Queries of the timers' relax of ``count`` waiting leads (routed to
        Wei and Linh), on ``day`` (a day of its own: Somchai's cap)."""
        self._thai_lead(day)
        with freeze_time(day):
            leads = self._new_leads(count, tag_ids=[Command.set(self.thai.ids)])
        self.assertTrue(all(leads.mapped("skills_wait")))
        with freeze_time(day + timedelta(minutes=31)):
            queries = self._queries(
                lambda: self.env["crm.lead"]._timers_relax_skills(1000, {})
            )
        self.assertEqual(set(self._owners(leads)), {"Wei", "Linh"})
        return queries

    def test_relax_is_set_based(self):
        self._skills_queue()
        self._relax_queries(2, T0)  # warm the caches (fields, groups, subtypes)
        few = self._relax_queries(3, T0 + timedelta(days=1))
        many = self._relax_queries(30, T0 + timedelta(days=2))
        self.assertEqual(many, few, "the queries grow with the owners, not the leads")

    # --- claims -----------------------------------------------------

    def test_members_without_the_skill_may_claim_once_the_skills_relax(self):
        self._skills_queue()
        lead = self._waiting_lead()
        with freeze_time(T0 + timedelta(minutes=10)):
            refusal = lead.with_user(self.linh)._queue_claim_refusals()[lead.id]
        self.assertEqual(refusal.rule, "skills")
        self.assertEqual(refusal.until, T0 + timedelta(minutes=30))
        self.assertIn("it opens to every member of the queue at 10:30", refusal.message)
        with freeze_time(T0 + timedelta(minutes=30)):
            lead.with_user(self.linh).action_claim()
        self.assertEqual(lead.user_id, self.linh)

    def test_claims_keep_the_skills_rule_when_the_queue_does_not_relax(self):
        queue = self._create_queue(
            strategy="pool", required_skill_tag_ids=[Command.set(self.thai.ids)]
        )
        self.assertFalse(queue.relax_skills_minutes)
        with freeze_time(T0):
            lead = self._new_leads(1, tag_ids=[Command.set(self.thai.ids)])
        with freeze_time(T0 + timedelta(days=3)):
            refusal = lead.with_user(self.linh)._queue_claim_refusals()[lead.id]
        self.assertEqual(refusal.rule, "skills")
        self.assertIsNone(refusal.until)

    # --- Test Routing and settings ----------------------------------

    def test_test_routing_shows_the_wait(self):
        queue = self._skills_queue()
        self._thai_lead()
        lead = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create(
                {
                    "name": "Waiting Thai",
                    "team_id": self.team.id,
                    "tag_ids": [Command.set(self.thai.ids)],
                }
            )
        )
        with freeze_time(T0 + timedelta(minutes=1)):  # Somchai's day
            wizard = self.env["crm.team.queue.simulation"].create(
                {
                    "queue_id": queue.id,
                    "scope": "domain",
                    "lead_domain": f"[('id', '=', {lead.id})]",
                }
            )
            wizard.action_simulate()
        line = wizard.line_ids
        self.assertEqual((line.outcome, line.queue_id), ("pool", queue))
        self.assertIn("waits for a member with skill Queue Thai", line.reason)
        self.assertFalse(lead.queue_id, "a dry run")

    def test_relax_minutes_are_bounded(self):
        queue = self._skills_queue()
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            queue.relax_skills_minutes = -1
        with self.assertRaisesRegex(ValidationError, "can be at most 527040"):
            queue.relax_skills_minutes = 527041
        queue.relax_skills_minutes = 527040


@tagged("post_install", "-at_install")
class TestSkillsRelaxRpc(RpcLoginMixin, HttpCase):
    def setUp(self):
        super().setUp()
        self.env["crm.team.queue"].search([]).action_archive()
        self.rep = new_test_user(
            self.env, login="q_relax_rep", password="q_relax_rep_pw", groups=SALESMAN
        )
        team = self.env["crm.team"].create(
            {"name": "Relax RPC Team", "member_ids": [Command.set(self.rep.ids)]}
        )
        self.queue = self.env["crm.team.queue"].create(
            {
                "name": "Relax RPC Queue",
                "team_id": team.id,
                "notify_assignee": False,
                "activity_type_id": False,
                "member_ids": [Command.create({"user_id": self.rep.id})],
            }
        )

    @mute_logger("odoo.http")
    def test_rep_cannot_set_relax_minutes_over_rpc(self):
        refusal = self._rpc_refused(
            self.rep,
            "crm.team.queue",
            "write",
            self.queue.ids,
            {"relax_skills_minutes": 1},
        )
        self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        self.assertEqual(self.queue.relax_skills_minutes, 0)

    @mute_logger("odoo.http")
    def test_nobody_flags_a_lead_as_waiting_for_a_skill_over_rpc(self):
        manager = new_test_user(
            self.env, login="q_relax_mgr", password="q_relax_mgr_pw", groups=MANAGER
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Own lead",
                "team_id": self.queue.team_id.id,
                "user_id": self.rep.id,
            }
        )
        for user in (self.rep, manager):
            refusal = self._rpc_refused(
                user, "crm.lead", "write", lead.ids, {"skills_wait": True}
            )
            self.assertIn("Waits for a Skill", refusal.faultString)
        self.assertFalse(lead.skills_wait)


@tagged("post_install", "-at_install")
class TestSkillsRelaxConcurrency(CommittedCase):
    """Two timers workers at once on real cursors: the second skips the leads
    the first one locked; no lead is relaxed or assigned twice."""

    def setUp(self):
        super().setUp()
        with self._worker_env() as env:
            self._archive_queues(env)
            anan, bao = self._commit_users(
                env, "q_relax_conc_", ("Anan", "Bao"), tz="Asia/Bangkok"
            )
            team = self._commit_teams(
                env,
                {
                    "name": "Relax Concurrency Team",
                    "sequence": -310,
                    "member_ids": [Command.set((anan | bao).ids)],
                },
            )
            tag = env["crm.tag"].create({"name": "Relax Concurrency Skill"})
            self.addCleanup(self._remove_tag, tag.id)
            self._quiet_queue(
                env,
                "Relax Concurrency Queue",
                team.id,
                [
                    {"user_id": anan.id, "skill_tag_ids": [Command.set(tag.ids)]},
                    {"user_id": bao.id},
                ],
                required_skill_tag_ids=[Command.set(tag.ids)],
                relax_skills_minutes=30,
            )
            env["crm.team.queue.member"].search([("user_id", "=", anan.id)]).write(
                {"active": False}
            )
            leads = env["crm.lead"].create(
                [
                    {
                        "name": f"Relax lead {index}",
                        "team_id": team.id,
                        "tag_ids": [Command.set(tag.ids)],
                    }
                    for index in range(4)
                ]
            )
            assert leads.mapped("skills_wait") == [True] * 4
            past = fields.Datetime.now() - timedelta(hours=1)
            leads.sudo().write({"pool_date": past})  # as if they waited
            self.lead_ids, self.bao_id = leads.ids, bao.id

    def _remove_tag(self, tag_id):
        with self._worker_env(SUPERUSER_ID) as env:
            env["crm.tag"].browse(tag_id).exists().unlink()

    def _ledger(self):
        with self._worker_env(SUPERUSER_ID) as env:
            leads = env["crm.lead"].browse(self.lead_ids)
            return {
                lead.id: [
                    (line.method, line.user_id.id) for line in lead.assignment_ids
                ]
                for lead in leads
            }

    def test_two_timers_workers_never_relax_a_lead_twice(self):
        result = {}

        def work():
            with self._worker_env(SUPERUSER_ID) as env:
                env["crm.lead"]._cron_lead_timers()
                result["mine"] = env["crm.lead.assignment"].search_count(
                    [("lead_id", "in", self.lead_ids), ("user_id", "!=", False)]
                )

        with self._worker_env(SUPERUSER_ID) as env:
            env["crm.lead"]._cron_lead_timers()
            # The second worker runs while the first holds its row locks.
            second = self._start_thread(work)
            second.join(timeout=30)
            self.assertFalse(second.is_alive(), "SKIP LOCKED: the second never waits")
            env.cr.commit()
        self.assertEqual(result["mine"], 0, "the second worker relaxed none")
        ledger = self._ledger()
        expected = [("auto", self.bao_id), ("auto", False)]
        self.assertEqual(ledger, dict.fromkeys(self.lead_ids, expected))
        # A third run after both committed changes nothing.
        with self._worker_env(SUPERUSER_ID) as env:
            env["crm.lead"]._cron_lead_timers()
        self.assertEqual(self._ledger(), ledger)
