"""Cadences: a queue (or the company) names an activity plan of leads; each lead
a rep receives through the one door gets the plan's activities for its new
owner, in one batch per owner, instead of the single activity."""

from datetime import date, datetime, timedelta

import pytz
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import MANAGER, SALESMAN, QueueCase
from .common_rpc import RpcLoginMixin


def lead_plan(env, name, steps, **vals):
    """A plan of leads whose templates are ``steps``: (activity type xml id,
    days after the plan date, fixed responsible or None for the new owner)."""
    return env["mail.activity.plan"].create(
        {
            "name": name,
            "res_model": "crm.lead",
            "template_ids": [
                Command.create(
                    {
                        "sequence": index,
                        "activity_type_id": env.ref(xmlid).id,
                        "summary": f"{name} {index}",
                        "delay_count": days,
                        "delay_from": "after_plan_date",
                        "responsible_type": "other" if user else "on_demand",
                        "responsible_id": user.id if user else False,
                    }
                )
                for index, (xmlid, days, user) in enumerate(steps)
            ],
            **vals,
        }
    )


@tagged("post_install", "-at_install")
class TestCadence(QueueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.email = cls.env.ref("mail.mail_activity_data_email")
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.plan = lead_plan(
            cls.env,
            "Follow-up",
            [
                ("mail.mail_activity_data_call", 0, None),
                ("mail.mail_activity_data_email", 2, None),
                ("mail.mail_activity_data_todo", 5, cls.niran),
            ],
        )
        cls.company_plan = lead_plan(
            cls.env, "Company cadence", [("mail.mail_activity_data_email", 1, None)]
        )
        cls.env.company.write(
            {"queue_activity_type_id": False, "queue_activity_plan_id": False}
        )

    def _today(self):
        return datetime.now(pytz.timezone("Asia/Bangkok")).date()

    def _activities(self, lead, today=None):
        """(type, responsible, days from ``today`` (Bangkok's by default),
        automated) of ``lead``'s activities, in the plan's order."""
        today = today or self._today()
        return [
            (
                activity.activity_type_id,
                activity.user_id,
                (activity.date_deadline - today).days,
                activity.automated,
            )
            for activity in lead.activity_ids.sorted(lambda a: (a.date_deadline, a.id))
        ]

    def _follow_up(self, owner):
        return [
            (self.call, owner, 0, True),
            (self.email, owner, 2, True),
            (self.todo, self.niran, 5, True),
        ]

    def _unrouted(self, count, **vals):
        values = {"team_id": self.team.id, "user_id": False, "type": "lead"}
        values.update(vals)
        return (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create([dict(values, name=f"Cadence {i}") for i in range(count)])
        )

    # ------------------------------------------------------------
    # Which methods launch it
    # ------------------------------------------------------------

    def test_routed_batch_gets_the_plan_for_each_owner(self):
        # The queue also has a single activity: the plan replaces it.
        self._create_queue(activity_plan_id=self.plan.id, activity_type_id=self.call.id)
        leads = self._new_leads(5)
        self.assertEqual(
            self._owners(leads), ["Somchai", "Wei", "Linh", "Somchai", "Wei"]
        )
        for lead in leads:
            self.assertEqual(
                self._activities(lead), self._follow_up(lead.user_id), lead.name
            )
        self.assertEqual(leads.activity_ids.mapped("summary").count("Follow-up 0"), 5)

    def test_a_step_of_an_archived_responsible_goes_to_the_new_owner(self):
        # a step for a fixed user who has left since: nobody would see it
        self.niran.sudo().action_archive()
        self._create_queue(users=self.wei, activity_plan_id=self.plan.id)
        lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(
            self._activities(lead),
            [
                (self.call, self.wei, 0, True),
                (self.email, self.wei, 2, True),
                (self.todo, self.wei, 5, True),
            ],
        )

    def test_claim_launches_the_plan_for_the_claimer(self):
        self._create_queue(strategy="pool", activity_plan_id=self.plan.id)
        lead = self._new_leads(1)
        self.assertEqual(lead.queue_state, "pool")
        self.assertFalse(lead.activity_ids, "nobody owns a pool lead")
        lead.with_user(self.wei).action_claim()
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(self._activities(lead), self._follow_up(self.wei))

    def test_manual_reassignment_launches_the_plan_for_the_new_owner(self):
        self._create_queue(users=self.somchai, activity_plan_id=self.plan.id)
        lead = self._new_leads(1)
        lead.with_user(self.niran).user_id = self.wei
        self.assertEqual(self._last_line(lead).method, "manual")
        wei = lead.activity_ids.filtered(lambda a: a.user_id == self.wei)
        self.assertEqual(wei.mapped("activity_type_id"), self.call | self.email)

    def test_lead_created_with_its_owner_gets_the_company_plan(self):
        """Given at creation, outside any queue: the company's cadence."""
        self._create_queue(activity_plan_id=self.plan.id)
        self.env.company.queue_activity_plan_id = self.company_plan
        lead = self.env["crm.lead"].create(
            {
                "name": "Given",
                "team_id": self.team.id,
                "type": "lead",
                "user_id": self.somchai.id,
            }
        )
        self.assertEqual((lead.user_id, lead.queue_id.id), (self.somchai, False))
        self.assertEqual(self._activities(lead), [(self.email, self.somchai, 1, True)])

    def test_dispatch_launches_the_plan_for_the_rep_it_picks(self):
        self._create_queue(
            strategy="hybrid", dispatch_after_minutes=30, activity_plan_id=self.plan.id
        )
        start = datetime(2026, 1, 6, 3, 0, 0)
        with freeze_time(start):
            lead = self._new_leads(1)
        self.assertEqual(lead.queue_state, "pool")
        self._run_timers(start + timedelta(minutes=31))
        self.assertEqual(self._last_line(lead).method, "dispatch")
        self.assertEqual(
            self._activities(lead, today=date(2026, 1, 6)),
            self._follow_up(lead.user_id),
        )

    def test_company_default_applies_to_a_queue_without_plan_or_activity(self):
        self.env.company.queue_activity_plan_id = self.company_plan
        self._create_queue()
        lead = self._new_leads(1)
        self.assertEqual(self._activities(lead), [(self.email, lead.user_id, 1, True)])

    def test_queue_activity_type_wins_over_the_company_plan(self):
        self.env.company.queue_activity_plan_id = self.company_plan
        self._create_queue(activity_type_id=self.call.id, activity_deadline_days=0)
        lead = self._new_leads(1)
        self.assertEqual(self._activities(lead), [(self.call, lead.user_id, 0, True)])

    def test_assignment_outside_any_queue_gets_the_company_plan(self):
        self.env.company.write(
            {
                "queue_activity_plan_id": self.company_plan.id,
                "queue_activity_type_id": self.call.id,
            }
        )
        lead = self._unrouted(1)
        lead._queue_assign(self.linh, method="manual")
        self.assertFalse(lead.queue_id)
        self.assertEqual(self._activities(lead), [(self.email, self.linh, 1, True)])

    def test_archived_plan_falls_back_to_the_queue_activity(self):
        self._create_queue(activity_plan_id=self.plan.id, activity_type_id=self.call.id)
        self.plan.active = False
        lead = self._new_leads(1)
        self.assertEqual(
            [activity[0] for activity in self._activities(lead)], [self.call]
        )

    def test_plan_moved_to_another_company_since_is_skipped(self):
        """A plan changed after it was chosen never stops an assignment."""
        self._create_queue(activity_plan_id=self.plan.id)
        self.plan.company_id = self.env["res.company"].create({"name": "Other Co"})
        lead = self._new_leads(1)
        self.assertTrue(lead.user_id)
        self.assertFalse(lead.activity_ids)

    # ------------------------------------------------------------
    # The assign wizard
    # ------------------------------------------------------------

    def _wizard(self, leads, **vals):
        return (
            self.env["crm.lead.assign"]
            .with_user(self.niran)
            .with_context(active_model="crm.lead", active_ids=leads.ids)
            .create(dict({"action": "assign", "user_id": self.linh.id}, **vals))
        )

    def _pool_lead(self):
        self._create_queue(strategy="pool", activity_plan_id=self.plan.id)
        lead = self._new_leads(1)
        self.assertEqual(lead.queue_state, "pool")
        return lead

    def test_wizard_without_activity_schedules_nothing(self):
        lead = self._pool_lead()
        self._wizard(lead, schedule_activity=False).action_apply()
        self.assertEqual(lead.user_id, self.linh)
        self.assertFalse(lead.activity_ids)

    def test_wizard_kept_default_launches_the_plan(self):
        lead = self._pool_lead()
        wizard = self._wizard(lead)
        self.assertTrue(wizard.schedule_activity, "a plan is an activity to schedule")
        self.assertEqual(wizard.activity_plan_names, "Follow-up")
        wizard.action_apply()
        self.assertEqual(self._activities(lead), self._follow_up(self.linh))

    def test_wizard_chosen_type_schedules_that_one_activity(self):
        lead = self._pool_lead()
        self._wizard(
            lead, schedule_activity=True, activity_type_id=self.email.id
        ).action_apply()
        self.assertEqual(
            [activity[:2] for activity in self._activities(lead)],
            [(self.email, self.linh)],
        )

    # ------------------------------------------------------------
    # One batch per owner
    # ------------------------------------------------------------

    def _route_queries(self, count):
        leads = self._unrouted(count)
        queries = self._queries(leads._queue_route)
        self.assertEqual(len(leads.activity_ids), 3 * count)
        return queries

    def test_plan_queries_do_not_grow_with_the_leads_of_one_owner(self):
        self._create_queue(users=self.somchai, activity_plan_id=self.plan.id)
        self._route_queries(2)  # warm the caches
        one, twenty = self._route_queries(1), self._route_queries(20)
        self.assertEqual(twenty, one, f"1 lead: {one} queries, 20 leads: {twenty}")

    def test_plan_queries_do_not_grow_with_the_leads_of_two_owners(self):
        self._create_queue(users=self.somchai | self.wei, activity_plan_id=self.plan.id)
        self._route_queries(2)  # warm the caches
        two, twenty = self._route_queries(2), self._route_queries(20)
        self.assertEqual(twenty, two, f"2 leads: {two} queries, 20 leads: {twenty}")

    # ------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------

    def _partner_plan(self):
        return self.env["mail.activity.plan"].create(
            {"name": "Partner onboarding", "res_model": "res.partner"}
        )

    def test_plan_of_other_documents_is_refused(self):
        queue = self._create_queue()
        partner_plan = self._partner_plan()
        with self.assertRaisesRegex(ValidationError, "not for leads"):
            queue.activity_plan_id = partner_plan
        with self.assertRaisesRegex(ValidationError, "not for leads"):
            self.env.company.queue_activity_plan_id = partner_plan

    def test_plan_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        foreign = lead_plan(
            self.env, "Foreign", [("mail.mail_activity_data_call", 0, None)]
        )
        foreign.company_id = other
        self.team.company_id = self.env.company
        queue = self._create_queue()
        with self.assertRaisesRegex(ValidationError, "belongs to Other Co"):
            queue.activity_plan_id = foreign
        with self.assertRaisesRegex(ValidationError, "belongs to Other Co"):
            self.env.company.queue_activity_plan_id = foreign
        # A plan of the queue's company or of no company is fine.
        self.plan.company_id = self.env.company
        queue.activity_plan_id = self.plan
        self.company_plan.company_id = False
        self.env.company.queue_activity_plan_id = self.company_plan

    def test_plan_of_a_company_is_launched_on_its_leads_only(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.plan.company_id = self.env.company
        mine, foreign = self._unrouted(2)
        foreign.company_id = other
        self.assertTrue(self.plan._queue_applies_to(mine))
        self.assertFalse(self.plan._queue_applies_to(foreign))
        self.plan.company_id = False
        self.assertTrue(self.plan._queue_applies_to(foreign))

    def test_moving_the_team_to_another_company_checks_the_plan(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.plan.company_id = self.env.company
        queue = self._create_queue(users=self.env["res.users"])
        queue.activity_plan_id = self.plan
        team = self.env["crm.team"].create({"name": "Other", "company_id": other.id})
        with self.assertRaisesRegex(ValidationError, "belongs to"):
            queue.team_id = team


@tagged("post_install", "-at_install")
class TestCadenceRpc(RpcLoginMixin, HttpCase):
    """Who may name a cadence, for a real login over XML-RPC: the queues'
    and the companies' own rights decide; a plan of another company or of
    other documents is refused whoever names it."""

    def setUp(self):
        super().setUp()
        self.env["crm.team.queue"].search([]).action_archive()

        def user(login, groups, **vals):
            return new_test_user(
                self.env, login=login, password=f"{login}_pw", groups=groups, **vals
            )

        self.rep = user("q_cad_rep", SALESMAN)
        self.leader = user("q_cad_leader", SALESMAN)
        self.manager = user("q_cad_manager", MANAGER)
        self.team = self.env["crm.team"].create(
            {
                "name": "Cadence Team",
                "user_id": self.leader.id,
                "member_ids": [Command.set(self.rep.ids)],
            }
        )
        self.queue = self.env["crm.team.queue"].create(
            {"name": "Cadence Queue", "team_id": self.team.id}
        )
        self.plan = lead_plan(
            self.env, "RPC plan", [("mail.mail_activity_data_call", 0, None)]
        )

    @mute_logger("odoo.http")
    def test_rep_and_leader_cannot_name_a_plan(self):
        for who in (self.rep, self.leader):
            refusal = self._rpc_refused(
                who,
                "crm.team.queue",
                "write",
                self.queue.ids,
                {"activity_plan_id": self.plan.id},
            )
            self.assertIn("not allowed", refusal.faultString, who.login)
            self._rpc_refused(
                who,
                "res.company",
                "write",
                self.env.company.ids,
                {"queue_activity_plan_id": self.plan.id},
            )
            self._rpc_refused(
                who,
                "res.config.settings",
                "create",
                {"queue_activity_plan_id": self.plan.id},
            )
        self.assertFalse(self.queue.activity_plan_id)
        self.assertFalse(self.env.company.queue_activity_plan_id)

    @mute_logger("odoo.http")
    def test_manager_names_a_plan_of_leads_of_the_company_only(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        foreign = lead_plan(
            self.env,
            "Foreign plan",
            [("mail.mail_activity_data_call", 0, None)],
            company_id=other.id,
        )
        partner_plan = self.env["mail.activity.plan"].create(
            {"name": "Partner plan", "res_model": "res.partner"}
        )
        for plan, message in (
            (foreign, "belongs to Other Co"),
            (partner_plan, "not for leads"),
        ):
            refusal = self._rpc_refused(
                self.manager,
                "crm.team.queue",
                "write",
                self.queue.ids,
                {"activity_plan_id": plan.id},
            )
            self.assertIn(message, refusal.faultString)
        self.assertFalse(self.queue.activity_plan_id)
        self._rpc(
            self.manager,
            "crm.team.queue",
            "write",
            self.queue.ids,
            {"activity_plan_id": self.plan.id},
        )
        self.assertEqual(self.queue.activity_plan_id, self.plan)

    @mute_logger("odoo.http")
    def test_manager_cannot_name_a_plan_on_a_queue_of_another_company(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        other_team = self.env["crm.team"].create(
            {"name": "Other Team", "company_id": other.id}
        )
        other_queue = self.env["crm.team.queue"].create(
            {"name": "Other Queue", "team_id": other_team.id}
        )
        self._rpc_refused(
            self.manager,
            "crm.team.queue",
            "write",
            other_queue.ids,
            {"activity_plan_id": self.plan.id},
        )
        self.assertFalse(other_queue.activity_plan_id)

    def test_cadence_of_a_claim_over_rpc(self):
        self.queue.write(
            {
                "strategy": "pool",
                "activity_plan_id": self.plan.id,
                "member_ids": [Command.create({"user_id": self.rep.id})],
            }
        )
        lead = self.env["crm.lead"].create(
            {"name": "RPC lead", "team_id": self.team.id, "user_id": False}
        )
        self.assertEqual(lead.queue_state, "pool")
        self._rpc(self.rep, "crm.lead", "action_claim", lead.ids)
        self.assertEqual(lead.user_id, self.rep)
        self.assertEqual(
            (lead.activity_ids.activity_type_id, lead.activity_ids.user_id),
            (self.env.ref("mail.mail_activity_data_call"), self.rep),
        )
