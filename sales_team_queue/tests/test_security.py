from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common_security import (
    CHANGED_CORE_RULES,
    LEAD_REPORTS,
    OPERATIONS,
    TeamVisibilityMatrix,
    odoo_rule_domains,
)


@tagged("post_install", "-at_install")
class TestTeamVisibility(TeamVisibilityMatrix, TransactionCase):
    """Who finds, reads and edits which lead, and sees the records that point at it
    (activity report, assignment ledger, stage history and analysis), as real users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_matrix()

    @mute_logger("odoo.addons.base.models.ir_rule")
    def _probe(self, user):
        Lead = self.env["crm.lead"].with_user(user)
        result = {operation: set() for operation in OPERATIONS}
        ids = [lead.id for lead in self.leads.values()]
        result["search"] = self._keys(Lead.search([("id", "in", ids)]).ids)
        for key, lead in self.leads.items():
            for operation, call in (
                ("read", lambda rec: rec.read(["name", "user_id", "team_id"])),
                ("write", lambda rec: rec.write({"description": "<p>Checked</p>"})),
            ):
                try:
                    call(lead.with_user(user))
                except (AccessError, UserError):  # UserError: the perimeter's
                    continue
                result[operation].add(key)
        for operation, model in LEAD_REPORTS.items():
            records = self.env[model].with_user(user).search([("lead_id", "in", ids)])
            result[operation] = self._keys(records.mapped("lead_id.id"))
        return result

    # The matrix, one test per setting (both teams carry the setting).

    def test_matrix_own_leads_open_pool_is_odoo_plus_leader(self):
        self._check_matrix("own", False)

    def test_matrix_own_leads_private_pool(self):
        self._check_matrix("own", True)

    def test_matrix_whole_team_open_pool(self):
        self._check_matrix("team", False)

    def test_matrix_whole_team_private_pool(self):
        self._check_matrix("team", True)

    def test_matrix_own_leads_open_pool_private_pool_lead(self):
        self._check_matrix("own", False, private_pool=True)

    def test_matrix_whole_team_restricted_pool_private_pool_lead(self):
        self._check_matrix("team", True, private_pool=True)

    # Single behaviours.

    def _visible(self, login):
        ids = [lead.id for lead in self.leads.values()]
        leads = (
            self.env["crm.lead"]
            .with_user(self.users[login])
            .search([("id", "in", ids)])
        )
        return self._keys(leads.ids)

    def test_user_in_two_teams_sees_each_team_by_its_own_setting(self):
        self._set_visibility("team", True, self.team_a)
        self._set_visibility("own", True, self.team_b)
        self.assertEqual(
            self._visible("rep_two"),
            {"own", "mate", "pool", "other_pool", "no_team"},
            "all of Alpha (whole team), only Bravo's pool (own leads)",
        )

    def test_new_team_leader_sees_the_team_at_once(self):
        self.assertNotIn("mate", self._visible("rep_b"))
        self.team_a.user_id = self.users["rep_b"]
        self.assertLessEqual({"own", "mate", "pool"}, self._visible("rep_b"))
        self.assertEqual(self._visible("leader"), {"pool", "other_pool", "no_team"})

    def test_removed_team_member_stops_seeing_the_team_at_once(self):
        self._set_visibility("team", True)
        self.assertIn("mate", self._visible("rep"))
        self.team_a.member_ids = [(3, self.users["rep"].id)]
        self.assertEqual(self._visible("rep"), {"own", "no_team"})

    def test_switching_to_whole_team_applies_at_once(self):
        self.assertNotIn("mate", self._visible("rep"))
        self.team_a.lead_visibility = "team"
        self.assertIn("mate", self._visible("rep"))

    def test_leader_does_not_see_team_leads_of_another_company(self):
        shared_team = self.env["crm.team"].create(
            {
                "name": "Both companies",
                "company_id": False,
                "user_id": self.users["leader"].id,
                "restrict_pool": True,
            }
        )
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": "Here",
                    "team_id": shared_team.id,
                    "company_id": self.env.company.id,
                },
                {
                    "name": "There",
                    "team_id": shared_team.id,
                    "company_id": self.company_2.id,
                },
            ]
        )
        visible = (
            self.env["crm.lead"]
            .with_user(self.users["leader"])
            .search([("id", "in", leads.ids)])
        )
        self.assertEqual(visible.mapped("name"), ["Here"])

    def test_private_pool_member_can_claim_a_pool_lead(self):
        self._set_visibility("own", True)
        lead = self.leads["pool"].with_user(self.users["rep"])
        lead.user_id = self.users["rep"]
        self.assertEqual(self.leads["pool"].user_id, self.users["rep"])


@tagged("post_install", "-at_install")
class TestCoreRules(TransactionCase):
    """Odoo's own crm rules: changed only where needed, given back exactly."""

    def _domains(self):
        return {
            xmlid: self.env.ref(xmlid).domain_force
            for xmlid in odoo_rule_domains(self.env)
        }

    def test_only_the_personal_rules_differ_from_odoo(self):
        odoo = odoo_rule_domains(self.env)
        changed = {x for x, domain in self._domains().items() if domain != odoo[x]}
        self.assertEqual(changed, CHANGED_CORE_RULES)

    def test_restoring_gives_back_odoo_domains_exactly(self):
        self.env["ir.rule"]._sales_team_queue_restore_core_rules()
        self.assertEqual(self._domains(), odoo_rule_domains(self.env))

    def test_reapplying_after_a_reset_of_crm_rules_keeps_the_change(self):
        # What an upgrade of crm would do if its rules were not noupdate.
        odoo = odoo_rule_domains(self.env)
        for xmlid in CHANGED_CORE_RULES:
            self.env.ref(xmlid).domain_force = odoo[xmlid]
        self.env["ir.rule"]._sales_team_queue_apply_core_rules()
        self.assertNotEqual(self._domains(), odoo)
        self.env["ir.rule"]._sales_team_queue_restore_core_rules()
        self.assertEqual(self._domains(), odoo)

    def test_reapplying_keeps_a_customised_original_for_the_uninstall(self):
        rule = self.env.ref("crm.crm_rule_personal_lead")
        self.env["ir.rule"]._sales_team_queue_restore_core_rules()
        custom = "[('user_id', '=', user.id)]"
        rule.domain_force = custom
        self.env["ir.rule"]._sales_team_queue_apply_core_rules()
        self.env["ir.rule"]._sales_team_queue_apply_core_rules()
        self.assertNotEqual(rule.domain_force, custom)
        self.env["ir.rule"]._sales_team_queue_restore_core_rules()
        self.assertEqual(rule.domain_force, custom)
