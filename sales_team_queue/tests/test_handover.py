"""The handover of a salesperson's book (crm.salesperson.handover): to one
user or by the queue rules, leads, opportunities, customers and activities,
a preview that equals what is applied, one digest per receiver, the archive
guard, rights, and queries that grow with receivers, not leads."""

from odoo import Command
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.sales_team_queue.models.values import HandoverScope

from .common import SALESMAN, QueueCase
from .common_rpc import ColleagueLeadRpcCase


@tagged("post_install", "-at_install")
class TestHandover(QueueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._make_leader("q_ho_leader")
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")

    def _book(self, count=3, user=None, **vals):
        """Open leads of ``user`` (Wei), given by hand."""
        leads = self._new_leads(count, **vals)
        leads._queue_assign(user or self.wei, method="manual", notify=False)
        return leads

    def _handover(self, user=None, **vals):
        values = {"user_id": self.wei.id, "mode": "user"}
        values.update(vals)
        return (
            self.env["crm.salesperson.handover"]
            .with_user(user or self.niran)
            .create(values)
        )

    def _notifications(self, user):
        return self.env["mail.notification"].search(
            [("res_partner_id", "=", user.partner_id.id)]
        )

    # ------------------------------------------------------------
    # To one user
    # ------------------------------------------------------------

    def test_handover_to_one_user_moves_leads_with_ledger_and_one_digest(self):
        leads = self._book(3)
        opportunity = self._book(1, type="opportunity")
        stage = opportunity.stage_id
        wizard = self._handover(target_user_id=self.linh.id)
        wizard.action_preview()
        self.assertEqual(
            [(line.user_id, line.lead_count) for line in wizard.line_ids],
            [(self.linh, 4)],
        )
        with self.mock_mail_gateway():
            wizard.action_apply()
        self.assertEqual((leads | opportunity).user_id, self.linh)
        self.assertEqual(opportunity.stage_id, stage)
        self._assert_last_line(opportunity, "handover", self.wei, "handover from Wei")
        self.assertEqual(len(self._notifications(self.linh)), 1)
        self.assertEqual(
            self._notifications(self.linh).mail_message_id.subject,
            "4 lead(s) assigned to you",
        )

    def test_won_and_lost_leads_stay(self):
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        won, lost, open_lead = self._book(3)
        won.stage_id = won_stage
        lost.action_set_lost()
        self._handover(target_user_id=self.linh.id).action_apply()
        self.assertEqual(open_lead.user_id, self.linh)
        self.assertEqual((won.user_id, lost.user_id), (self.wei, self.wei))

    def test_scope_leads_only_keeps_opportunities(self):
        lead = self._book(1)
        opportunity = self._book(1, type="opportunity")
        self._handover(
            target_user_id=self.linh.id, include_opportunities=False
        ).action_apply()
        self.assertEqual((lead.user_id, opportunity.user_id), (self.linh, self.wei))

    def test_customers_and_activities_move(self):
        lead = self._book(1)
        customer = self.env["res.partner"].create(
            {"name": "Customer of Wei", "user_id": self.wei.id}
        )
        on_lead = lead.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.wei.id
        )
        on_customer = customer.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.wei.id
        )
        wizard = self._handover(target_user_id=self.linh.id)
        wizard.action_preview()
        line = wizard.line_ids
        self.assertEqual(
            (line.lead_count, line.partner_count, line.activity_count), (1, 1, 2)
        )
        wizard.action_apply()
        self.assertEqual(customer.user_id, self.linh)
        self.assertEqual((on_lead | on_customer).user_id, self.linh)

    def test_activities_stay_when_not_in_scope(self):
        lead = self._book(1)
        activity = lead.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.wei.id
        )
        self._handover(
            target_user_id=self.linh.id, include_activities=False
        ).action_apply()
        self.assertEqual(lead.user_id, self.linh)
        self.assertEqual(activity.user_id, self.wei)

    def test_archive_after_handover_keeps_the_activities(self):
        lead = self._book(1)
        activity = lead.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.wei.id
        )
        self.niran.groups_id |= self.env.ref("base.group_erp_manager")
        self._handover(target_user_id=self.linh.id, archive_user=True).action_apply()
        self.assertFalse(self.wei.active)
        self.assertTrue(activity.exists())
        self.assertEqual(activity.user_id, self.linh)

    # ------------------------------------------------------------
    # By the queue rules
    # ------------------------------------------------------------

    def test_by_queues_never_back_to_the_leaving_rep(self):
        self._create_queue()
        leads = self._book(4)
        wizard = self._handover(mode="queues")
        wizard.action_preview()
        preview = sorted(
            (line.user_id.name, line.lead_count) for line in wizard.line_ids
        )
        self.assertEqual(preview, [("Linh", 2), ("Somchai", 2)])
        wizard.action_apply()
        self.assertNotIn(self.wei, leads.user_id)
        applied = sorted(
            (user.name, len(leads.filtered(lambda lead, u=user: lead.user_id == u)))
            for user in leads.user_id
        )
        self.assertEqual(applied, preview)
        line = self._last_line(leads[0])
        self.assertEqual(line.method, "handover")
        self.assertTrue(line.reason.startswith("handover from Wei (round robin"))

    def test_another_add_on_plans_and_applies_without_the_wizard(self):
        """``res.users._handover_plan`` / ``_handover_apply``: the leads only,
        by the queue rules, as the wizard would."""
        self._create_queue()
        leads = self._book(2)
        customer = self.env["res.partner"].create(
            {"name": "Kept", "user_id": self.wei.id}
        )
        wei = self.wei.with_user(self.niran)
        scope = HandoverScope(customers=False, activities=False)
        plan = wei._handover_plan(scope=scope)
        self.assertEqual(plan.receivers(), self.somchai | self.linh)
        wei._handover_apply(plan)
        self.assertEqual(leads.user_id, self.somchai | self.linh)
        self.assertEqual(self._last_line(leads[0]).method, "handover")
        self.assertEqual(customer.user_id, self.wei)

    def test_by_queues_leads_of_no_queue_go_to_the_team_leader(self):
        self._create_queue(tag_ids=[Command.create({"name": "Solar"})])
        leads = self._book(2)
        self._handover(mode="queues").action_apply()
        self.assertEqual(leads.user_id, self.leader)
        self.assertIn("to the team leader", self._last_line(leads[0]).reason)

    def test_by_queues_unplaced_leads_are_listed_with_the_reason(self):
        self._create_queue(tag_ids=[Command.create({"name": "Solar"})])
        self.team.user_id = self.wei
        leads = self._book(2)
        wizard = self._handover(mode="queues")
        wizard.action_preview()
        note = wizard.line_ids.filtered(lambda line: not line.user_id)
        self.assertEqual(note.lead_count, 2)
        self.assertIn("no queue of Queue Team matches", note.note)
        wizard.action_apply()
        self.assertEqual(leads.user_id, self.wei)

    def test_by_queues_pool_line_says_why_nobody_took_the_leads(self):
        queue = self._create_queue(users=self.wei | self.somchai)
        self._member(queue, self.somchai).active = False
        leads = self._book(2)
        wizard = self._handover(mode="queues")
        wizard.action_preview()
        line = wizard.line_ids
        self.assertEqual(
            (line.user_id, line.queue_id, line.lead_count),
            (self.env["res.users"], queue, 2),
        )
        self.assertIn("Wei hands over their leads", line.note)
        self.assertIn("Somchai paused", line.note)
        wizard.action_apply()
        self.assertEqual(leads.mapped("queue_state"), ["pool", "pool"])

    def test_no_archive_while_leads_could_not_be_placed(self):
        self._create_queue(tag_ids=[Command.create({"name": "Solar"})])
        self.team.user_id = self.wei
        leads = self._book(1)
        self.niran.groups_id |= self.env.ref("base.group_erp_manager")
        with self.assertRaisesRegex(UserError, "could not be placed"):
            self._handover(mode="queues", archive_user=True).action_apply()
        self.assertTrue(self.wei.active)
        self.assertEqual(leads.user_id, self.wei)

    def test_no_archive_while_the_scope_leaves_leads_or_activities(self):
        lead = self._book(1)
        opportunity = self._book(1, type="opportunity")
        activity = opportunity.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.wei.id
        )
        self.niran.groups_id |= self.env.ref("base.group_erp_manager")
        wizard = self._handover(
            target_user_id=self.linh.id,
            include_opportunities=False,
            archive_user=True,
        )
        with self.assertRaisesRegex(
            UserError,
            r"Wei would still own 1 open lead\(s\) or opportunity\(ies\) and 1 "
            r"planned activity\(ies\).*nothing was handed over",
        ):
            wizard.action_apply()
        self.assertTrue(self.wei.active)
        self.assertTrue(activity.exists())
        self.assertEqual((lead.user_id, opportunity.user_id), (self.wei, self.wei))

    def test_preview_is_refused_when_the_queues_moved_on(self):
        self._create_queue(users=self.somchai | self.linh)
        lead = self._book(1)
        wizard = self._handover(mode="queues")
        wizard.action_preview()
        self._new_leads(1)  # routed by the same queue: its turn moves on
        with self.assertRaisesRegex(UserError, "the queues moved on.*preview again"):
            wizard.action_apply()
        self.assertEqual(lead.user_id, self.wei)

    def test_customers_of_companies_the_user_does_not_work_in_stay(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.wei.company_ids |= other
        self.assertNotIn(other, self.leader.company_ids)
        here, there = self.env["res.partner"].create(
            [
                {
                    "name": "Customer Here",
                    "user_id": self.wei.id,
                    "company_id": self.env.company.id,
                },
                {
                    "name": "Customer There",
                    "user_id": self.wei.id,
                    "company_id": other.id,
                },
            ]
        )
        shared = self.env["res.partner"].create(
            {"name": "Shared Customer", "user_id": self.wei.id, "company_id": False}
        )
        wizard = self._handover(user=self.leader, mode="queues")
        wizard.action_preview()
        self.assertEqual(sum(wizard.line_ids.mapped("partner_count")), 2)
        wizard.action_apply()
        self.assertEqual((here | shared).user_id, self.leader)
        self.assertEqual(there.user_id, self.wei)

    def test_preview_is_refused_when_the_book_changed(self):
        leads = self._book(2)
        wizard = self._handover(target_user_id=self.linh.id)
        wizard.action_preview()
        self._book(1)
        with self.assertRaisesRegex(UserError, "preview again"):
            wizard.action_apply()
        self.assertEqual(leads.user_id, self.wei)

    # ------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------

    def test_no_target_is_refused(self):
        self._book(1)
        with self.assertRaisesRegex(UserError, "Choose the salesperson who receives"):
            self._handover().action_preview()

    def test_inactive_target_is_refused(self):
        self._book(1)
        self.linh.active = False
        with self.assertRaisesRegex(UserError, "Linh is archived"):
            self._handover(target_user_id=self.linh.id).action_preview()

    def test_target_outside_the_team_is_refused(self):
        self._book(1)
        with self.assertRaisesRegex(UserError, "Mai is not a member of Queue Team"):
            self._handover(target_user_id=self.mai.id).action_preview()

    def test_target_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.wei.company_ids |= other
        self.niran.company_ids |= other
        self._book(1, company_id=other.id)
        with self.assertRaisesRegex(UserError, "Linh may not work in Other Co"):
            self._handover(target_user_id=self.linh.id).action_preview()

    def test_empty_scope_is_refused(self):
        self._book(1)
        wizard = self._handover(
            target_user_id=self.linh.id,
            include_leads=False,
            include_opportunities=False,
            include_customers=False,
            include_activities=False,
        )
        with self.assertRaisesRegex(UserError, "Choose what to hand over"):
            wizard.action_preview()

    def test_nothing_to_hand_over_is_refused(self):
        with self.assertRaisesRegex(UserError, "Wei has nothing to hand over"):
            self._handover(target_user_id=self.linh.id).action_preview()

    # ------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------

    def test_team_leader_hands_over_the_team_rep(self):
        leads = self._book(2)
        self._handover(
            user=self.leader, target_user_id=self.linh.id, include_customers=False
        ).action_apply()
        self.assertEqual(leads.user_id, self.linh)

    def test_team_leader_hands_over_only_their_teams_leads(self):
        """Wei's lead of another team is not the leader's to move: it stays,
        and the preview does not count it."""
        ours = self._book(1)
        theirs = self._book(1, team_id=self.team_2.id)
        wizard = self._handover(
            user=self.leader, target_user_id=self.linh.id, include_customers=False
        )
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.mapped("lead_count"), [1])
        wizard.action_apply()
        self.assertEqual(ours.user_id, self.linh)
        self.assertEqual(theirs.user_id, self.wei)

    def test_rep_cannot_hand_over(self):
        self._book(1)
        with self.assertRaisesRegex(AccessError, "sales manager or a team leader"):
            self._handover(
                user=self.somchai, target_user_id=self.linh.id
            ).action_preview()

    def test_the_plan_of_another_add_on_checks_the_same_rights(self):
        """``res.users._handover_plan`` (the wizard's planning, for other
        add-ons) refuses a rep as the wizard does, and a leader's plan keeps
        out the leads of teams they do not lead."""
        ours = self._book(1)
        self._book(1, team_id=self.team_2.id)
        with self.assertRaisesRegex(AccessError, "sales manager or a team leader"):
            self.wei.with_user(self.somchai)._handover_plan(receiver=self.linh)
        plan = self.wei.with_user(self.leader)._handover_plan(receiver=self.linh)
        self.assertEqual([decision.lead for decision in plan.decisions], [ours])
        with self.assertRaisesRegex(AccessError, "not a member of the teams you"):
            self.wei.with_user(self.leader)._handover_plan(receiver=self.mai)

    def test_only_an_administrator_archives(self):
        leads = self._book(1)
        with self.assertRaisesRegex(AccessError, "Only an administrator"):
            self._handover(
                target_user_id=self.linh.id, archive_user=True
            ).action_apply()
        self.assertEqual(leads.user_id, self.wei)

    # ------------------------------------------------------------
    # Archive guard
    # ------------------------------------------------------------

    def _archive(self, user):
        """Archive ``user`` from the users' screen, as the administrator (a
        real user: not the superuser of automated flows)."""
        user.with_user(self.env.ref("base.user_admin")).action_archive()

    def test_archiving_a_user_with_open_leads_offers_the_handover(self):
        self._create_queue()
        self._book(1)
        with self.assertRaises(RedirectWarning) as warning:
            self._archive(self.wei)
        self.assertIn("Hand them over first", str(warning.exception))
        action_id, context = warning.exception.args[1], warning.exception.args[3]
        self.assertEqual(
            action_id,
            self.env.ref("sales_team_queue.crm_salesperson_handover_action").id,
        )
        self.assertEqual(context["default_user_id"], self.wei.id)
        self.assertTrue(self.wei.active)

    def test_archiving_a_user_with_activities_offers_the_handover(self):
        self._create_queue()
        partner = self.env["res.partner"].create({"name": "Somebody"})
        activity = partner.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.wei.id
        )
        with self.assertRaises(RedirectWarning):
            self._archive(self.wei)
        self.assertTrue(activity.exists())

    def test_archiving_a_user_with_nothing_open_is_plain(self):
        self._create_queue()
        self._archive(self.mai)
        self.assertFalse(self.mai.active)

    def test_archiving_is_odoos_until_queues_are_used(self):
        """Inert until configured: without any queue, archiving a rep with
        open leads is Odoo's (no handover offered)."""
        self.env["crm.team.queue"].search([]).action_archive()
        self._book(1)
        self._archive(self.wei)
        self.assertFalse(self.wei.active)

    def test_activities_on_other_documents_do_not_block_archiving(self):
        """The handover moves activities on leads and customers only: others
        (here on a product) do not make archiving offer it."""
        self._create_queue()
        product = self.env["product.template"].create({"name": "Desk"})
        product.activity_schedule("mail.mail_activity_data_todo", user_id=self.mai.id)
        self._archive(self.mai)
        self.assertFalse(self.mai.active)

    # ------------------------------------------------------------
    # Scale
    # ------------------------------------------------------------

    def test_query_count_grows_with_receivers_not_leads(self):
        self._create_queue()

        def run(count, login):
            rep = new_test_user(self.env, login=login, groups=SALESMAN)
            self.team.member_ids |= rep
            leads = self._book(count, user=rep)
            wizard = self._handover(user_id=rep.id, mode="queues")
            wizard.action_preview()
            queries = self._queries(wizard.action_apply)
            self.assertNotIn(rep, leads.user_id)
            return queries

        few, many = run(6, "q_ho_few"), run(90, "q_ho_many")
        self.assertLessEqual(many, few + 10, (few, many))


@tagged("post_install", "-at_install")
class TestHandoverRpc(ColleagueLeadRpcCase):
    login_prefix = "q_ho"

    @mute_logger("odoo.http")
    def test_rep_cannot_hand_over_a_colleague_over_rpc(self):
        wizard_id = self._rpc(
            self.rep,
            "crm.salesperson.handover",
            "create",
            {"user_id": self.other.id, "mode": "user", "target_user_id": self.rep.id},
        )
        refusal = self._rpc_refused(
            self.rep, "crm.salesperson.handover", "action_apply", [wizard_id]
        )
        self.assertIn("sales manager or a team leader", refusal.faultString)
        self.assertEqual(self.lead.user_id, self.other)

    @mute_logger("odoo.http")
    def test_the_handover_methods_of_users_are_not_callable_over_rpc(self):
        for method in ("_handover_plan", "_handover_apply", "_handover_write"):
            with self.subTest(method=method):
                refusal = self._rpc_refused(
                    self.rep, "res.users", method, [self.other.id]
                )
                self.assertIn("Private methods", refusal.faultString)
        self.assertEqual(self.lead.user_id, self.other)
