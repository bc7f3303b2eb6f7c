"""The handover run by a team leader (not a sales manager), over XML-RPC with
real logins: a member of a team they lead, only that member's leads of the
teams they lead and of the companies they work in, only to members of those
teams (or to themselves, or to those teams' queues); never a manager's book,
another team's member or a receiver outside their teams. And who sees the
*Salesperson Handover* menu."""

import json

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    RPC_FAULT_CODE_WARNING,
)

from .common_rpc import RpcLoginMixin
from .common_security import MANAGER, SALESMAN

HANDOVER = "crm.salesperson.handover"


@tagged("post_install", "-at_install")
class TestHandoverLeaderRpc(RpcLoginMixin, HttpCase):
    """Alpha (company 1) and Shared (no company) are led by Lek, who works in
    company 1 only; Bravo is led by Bee. Ravi, a member of all three teams who
    works in both companies, has leads in each, one of them of company 2."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["crm.team.queue"].search([]).action_archive()
        env["ir.config_parameter"].sudo().set_param("sales_team.membership_multi", True)
        cls.company_1 = env.company
        cls.company_2 = env["res.company"].create({"name": "Handover Company 2"})
        both = [Command.set((cls.company_1 | cls.company_2).ids)]

        def user(login, groups=SALESMAN, **values):
            values.setdefault("company_ids", [Command.set(cls.company_1.ids)])
            return new_test_user(
                env,
                login=login,
                password=f"{login}_pw",
                name=login.removeprefix("ho_").capitalize(),
                groups=groups,
                company_id=cls.company_1.id,
                notification_type="inbox",
                **values,
            )

        cls.lek = user("ho_lek")
        cls.bee = user("ho_bee")
        cls.ravi = user("ho_ravi", company_ids=both)
        cls.mali = user("ho_mali", company_ids=both)
        cls.boss = user("ho_boss", groups=MANAGER)
        cls.bob = user("ho_bob")
        Team = env["crm.team"].with_context(mail_create_nosubscribe=True)
        cls.alpha = Team.create(
            {
                "name": "Handover Alpha",
                "company_id": cls.company_1.id,
                "user_id": cls.lek.id,
                "member_ids": [Command.set((cls.ravi | cls.mali | cls.boss).ids)],
            }
        )
        cls.bravo = Team.create(
            {
                "name": "Handover Bravo",
                "company_id": cls.company_1.id,
                "user_id": cls.bee.id,
                "member_ids": [Command.set(cls.bob.ids)],
            }
        )
        cls.shared = Team.create(
            {"name": "Handover Shared", "company_id": False, "user_id": cls.lek.id}
        )
        env["crm.team.member"].create(
            [
                {"crm_team_id": team.id, "user_id": cls.ravi.id}
                for team in cls.bravo | cls.shared
            ]
        )
        Lead = env["crm.lead"]
        cls.alpha_leads = Lead.create(
            [
                {
                    "name": f"Ravi's Alpha {kind}",
                    "type": kind,
                    "team_id": cls.alpha.id,
                    "user_id": cls.ravi.id,
                }
                for kind in ("lead", "opportunity")
            ]
        )
        cls.bravo_lead = Lead.create(
            {
                "name": "Ravi's Bravo lead",
                "team_id": cls.bravo.id,
                "user_id": cls.ravi.id,
            }
        )
        cls.company_2_lead = Lead.create(
            {
                "name": "Ravi's lead of company 2",
                "team_id": cls.shared.id,
                "user_id": cls.ravi.id,
                "company_id": cls.company_2.id,
            }
        )
        cls.boss_lead = Lead.create(
            {"name": "Boss's lead", "team_id": cls.alpha.id, "user_id": cls.boss.id}
        )
        Partner = env["res.partner"]
        cls.customer = Partner.create(
            {"name": "Ravi's customer", "user_id": cls.ravi.id}
        )
        cls.company_2_customer = Partner.create(
            {
                "name": "Ravi's customer of company 2",
                "user_id": cls.ravi.id,
                "company_id": cls.company_2.id,
            }
        )

    def _wizard(self, user, **values):
        return self._rpc(user, HANDOVER, "create", dict({"mode": "user"}, **values))

    def _preview(self, user, wizard_id):
        """The preview lines, as the user reads them on screen."""
        self._rpc(user, HANDOVER, "action_preview", [wizard_id])
        (wizard,) = self._rpc(user, HANDOVER, "read", [wizard_id], ["line_ids"])
        lines = self._rpc(
            user,
            "crm.salesperson.handover.line",
            "read",
            wizard["line_ids"],
            ["user_id", "lead_count", "partner_count"],
        )
        return {
            (line["user_id"] and line["user_id"][1]): (
                line["lead_count"],
                line["partner_count"],
            )
            for line in lines
        }

    @mute_logger("odoo.http")
    def _refused(self, user, wizard_id, method="action_preview"):
        return self._rpc_refused(user, HANDOVER, method, [wizard_id])

    def _apply_refused(self, user, leaver, receiver, **values):
        """``user`` hands ``leaver``'s book over to ``receiver`` (and the wizard's
        ``values``): applying is refused as an access error; return its text."""
        wizard_id = self._wizard(
            user, user_id=leaver.id, target_user_id=receiver.id, **values
        )
        refusal = self._refused(user, wizard_id, "action_apply")
        self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        return refusal.faultString

    def _untouched(self):
        """Whatever a refused handover must not have moved."""
        leads = self.alpha_leads | self.bravo_lead | self.company_2_lead
        self.assertEqual(leads.user_id, self.ravi)
        self.assertEqual((self.customer | self.company_2_customer).user_id, self.ravi)
        self.assertEqual(self.boss_lead.user_id, self.boss)

    # ------------------------------------------------------------
    # What a leader hands over
    # ------------------------------------------------------------

    def test_leader_hands_over_only_their_teams_leads_of_their_companies(self):
        wizard_id = self._wizard(
            self.lek, user_id=self.ravi.id, target_user_id=self.mali.id
        )
        (wizard,) = self._rpc(
            self.lek, HANDOVER, "read", [wizard_id], ["leader_team_ids"]
        )
        self.assertEqual(
            set(wizard["leader_team_ids"]), {self.alpha.id, self.shared.id}
        )
        # The preview counts what Lek may move: Alpha's two leads (not
        # Bravo's, nor the lead and the customer of company 2) and the
        # customer of company 1.
        self.assertEqual(self._preview(self.lek, wizard_id), {"Mali": (2, 1)})
        self._rpc(self.lek, HANDOVER, "action_apply", [wizard_id])
        self.assertEqual(self.alpha_leads.user_id, self.mali)
        self.assertEqual(self.customer.user_id, self.mali)
        self.assertEqual((self.bravo_lead | self.company_2_lead).user_id, self.ravi)
        self.assertEqual(self.company_2_customer.user_id, self.ravi)
        line = self.alpha_leads[0].assignment_ids.sorted("id")[-1]
        self.assertEqual(
            (line.method, line.previous_user_id, line.create_uid),
            ("handover", self.ravi, self.lek),
        )

    def test_leader_takes_over_the_book_themselves(self):
        wizard_id = self._wizard(
            self.lek,
            user_id=self.ravi.id,
            target_user_id=self.lek.id,
            include_customers=False,
        )
        self._rpc(self.lek, HANDOVER, "action_apply", [wizard_id])
        self.assertEqual(self.alpha_leads.user_id, self.lek)
        self.assertEqual(self.bravo_lead.user_id, self.ravi)

    def test_leader_hands_over_by_the_queue_rules_of_their_teams(self):
        self.env["crm.team.queue"].create(
            {
                "name": "Handover Alpha queue",
                "team_id": self.alpha.id,
                "strategy": "round_robin",
                "activity_type_id": False,
                "notify_assignee": False,
                "member_ids": [
                    Command.create({"user_id": user.id})
                    for user in self.ravi | self.mali
                ],
            }
        )
        wizard_id = self._wizard(self.lek, user_id=self.ravi.id, mode="queues")
        self.assertEqual(
            self._preview(self.lek, wizard_id), {"Mali": (2, 0), "Lek": (0, 1)}
        )
        self._rpc(self.lek, HANDOVER, "action_apply", [wizard_id])
        self.assertEqual(self.alpha_leads.user_id, self.mali)
        # No lead of this customer went to anyone: the leader running the
        # handover takes them (not the leader of another team).
        self.assertEqual(self.customer.user_id, self.lek)
        self.assertEqual(self.bravo_lead.user_id, self.ravi)

    # ------------------------------------------------------------
    # What a leader may not do
    # ------------------------------------------------------------

    def test_leader_cannot_hand_over_a_sales_manager(self):
        wizard_id = self._wizard(
            self.lek, user_id=self.boss.id, target_user_id=self.mali.id
        )
        refusal = self._refused(self.lek, wizard_id)
        self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        self.assertIn("Boss is a sales manager", refusal.faultString)
        refusal = self._refused(self.lek, wizard_id, "action_apply")
        self.assertIn("Boss is a sales manager", refusal.faultString)
        self._untouched()

    @mute_logger("odoo.http")
    def test_leader_is_refused_a_managers_book_over_json_rpc(self):
        """The same refusal through /jsonrpc, as a web or script client."""

        def call(method, *args):
            params = {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    self.lek.id,
                    "ho_lek_pw",
                    HANDOVER,
                    method,
                    list(args),
                ],
            }
            response = self.url_open(
                "/jsonrpc",
                data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
                headers={"Content-Type": "application/json"},
            )
            return response.json()

        created = call(
            "create",
            {"user_id": self.boss.id, "mode": "user", "target_user_id": self.mali.id},
        )
        error = call("action_apply", [created["result"]])["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        self.assertIn("Boss is a sales manager", error["message"])
        self._untouched()

    def test_leader_cannot_hand_over_another_teams_member(self):
        refusal = self._apply_refused(self.lek, self.bob, self.mali)
        self.assertIn("Bob is not a member of a team you lead", refusal)

    def test_leader_hands_over_a_member_who_left_the_team(self):
        """Odoo archives the membership of a rep who leaves the team (or is
        archived), not their leads: the leader hands over what they left in
        the leader's teams."""
        self.env["crm.team.member"].search(
            [
                ("user_id", "=", self.ravi.id),
                ("crm_team_id", "in", (self.alpha | self.shared).ids),
            ]
        ).action_archive()
        self.assertFalse(self.ravi.crm_team_ids & (self.alpha | self.shared))
        wizard_id = self._wizard(
            self.lek, user_id=self.ravi.id, target_user_id=self.mali.id
        )
        self._rpc(self.lek, HANDOVER, "action_apply", [wizard_id])
        self.assertEqual(self.alpha_leads.user_id, self.mali)
        self.assertEqual(self.bravo_lead.user_id, self.ravi, "not Lek's team")

    def test_leader_cannot_give_to_someone_outside_their_teams(self):
        for target in (self.bob, self.bee):
            with self.subTest(target=target.name):
                refusal = self._apply_refused(self.lek, self.ravi, target)
                self.assertIn(
                    f"{target.name}: not a member of the teams you lead", refusal
                )
        self._untouched()

    def test_leader_with_nothing_in_their_teams_is_told_why(self):
        self.alpha_leads.user_id = self.mali
        wizard_id = self._wizard(
            self.lek,
            user_id=self.ravi.id,
            target_user_id=self.mali.id,
            include_customers=False,
        )
        refusal = self._refused(self.lek, wizard_id)
        self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_WARNING)
        self.assertIn("in the teams you lead", refusal.faultString)
        self.assertEqual(self.bravo_lead.user_id, self.ravi)

    def test_leader_cannot_archive_the_user(self):
        refusal = self._apply_refused(self.lek, self.ravi, self.mali, archive_user=True)
        self.assertIn("Only an administrator can archive users", refusal)
        self.assertTrue(self.ravi.active)
        self._untouched()

    def test_rep_cannot_hand_over_a_teammate(self):
        refusal = self._apply_refused(self.mali, self.ravi, self.mali)
        self.assertIn("sales manager or a team leader", refusal)
        self._untouched()

    def test_manager_still_hands_over_any_team_and_company(self):
        self.boss.company_ids |= self.company_2
        wizard_id = self._wizard(
            self.boss,
            user_id=self.ravi.id,
            mode="queues",
            include_customers=False,
        )
        self._rpc(self.boss, HANDOVER, "action_apply", [wizard_id])
        # By the queue rules, each lead of no queue goes to its team leader.
        self.assertEqual(self.alpha_leads.user_id, self.lek)
        self.assertEqual(self.bravo_lead.user_id, self.bee)
        self.assertNotEqual(self.company_2_lead.user_id, self.ravi)

    # ------------------------------------------------------------
    # A wizard is its author's
    # ------------------------------------------------------------

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule")
    def test_nobody_reads_or_rewrites_another_users_wizard(self):
        """A manager's handover in progress, and their assignment wizard: a
        rep may neither read them nor change their receiver before the
        manager applies them (Odoo guards transient records by rules only)."""
        handover_id = self._wizard(
            self.boss, user_id=self.ravi.id, target_user_id=self.mali.id
        )
        assign_id = self._rpc(
            self.boss,
            "crm.lead.assign",
            "create",
            {
                "lead_ids": [(6, 0, self.alpha_leads.ids)],
                "action": "assign",
                "user_id": self.mali.id,
            },
        )
        for model, record_id, vals in (
            (HANDOVER, handover_id, {"target_user_id": self.bee.id}),
            ("crm.lead.assign", assign_id, {"user_id": self.bee.id}),
        ):
            with self.subTest(model=model):
                self.assertFalse(self._rpc(self.bee, model, "search", []))
                for method, args in (("read", [["user_id"]]), ("write", [vals])):
                    refusal = self._rpc_refused(
                        self.bee, model, method, [record_id], *args
                    )
                    self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        lines = self._rpc(self.bee, "crm.salesperson.handover.line", "search", [])
        self.assertFalse(lines)
        (handover,) = self._rpc(
            self.boss, HANDOVER, "read", [handover_id], ["target_user_id"]
        )
        self.assertEqual(handover["target_user_id"][0], self.mali.id, "as set")


@tagged("post_install", "-at_install")
class TestHandoverMenu(TransactionCase):
    """*Lead Queues > Salesperson Handover*: for sales managers and team
    leaders, not for the other salespeople."""

    def _sees_menu(self, user):
        menu = self.env.ref("sales_team_queue.crm_salesperson_handover_menu")
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
        return menu.id in menus

    def test_handover_menu_for_managers_and_leaders_only(self):
        rep = new_test_user(self.env, login="ho_menu_rep", groups=SALESMAN)
        manager = new_test_user(self.env, login="ho_menu_manager", groups=MANAGER)
        self.assertTrue(self._sees_menu(manager))
        self.assertFalse(self._sees_menu(rep))
        team = self.env["crm.team"].create({"name": "Menu Team", "user_id": rep.id})
        self.assertTrue(self._sees_menu(rep), "a new leader sees it at once")
        team.user_id = manager
        self.assertFalse(self._sees_menu(rep), "a former leader no longer does")
