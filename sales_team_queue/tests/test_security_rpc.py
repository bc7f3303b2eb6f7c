from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    RPC_FAULT_CODE_WARNING,
)

from .common_rpc import ColleagueLeadRpcCase, RpcLoginMixin
from .common_security import LEAD_REPORTS, OPERATIONS, TeamVisibilityMatrix


@tagged("post_install", "-at_install")
class TestTeamVisibilityRpc(RpcLoginMixin, TeamVisibilityMatrix, HttpCase):
    """The same matrix as the ORM tests, through XML-RPC with each user's own login
    and password, the way an outside script reaches Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_matrix()

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.http")
    def _probe(self, user):
        ids = [lead.id for lead in self.leads.values()]
        result = {operation: set() for operation in OPERATIONS}
        result["search"] = self._keys(
            self._rpc(user, "crm.lead", "search", [("id", "in", ids)])
        )
        for key, lead in self.leads.items():
            for operation, method, args in (
                ("read", "read", ([lead.id], ["name", "user_id", "team_id"])),
                ("write", "write", ([lead.id], {"description": "<p>Checked</p>"})),
            ):
                try:
                    self._rpc(user, "crm.lead", method, *args)
                except Fault as fault:
                    # An access error, or the perimeter's refusal (a warning).
                    self.assertIn(
                        fault.faultCode,
                        (RPC_FAULT_CODE_ACCESS_ERROR, RPC_FAULT_CODE_WARNING),
                    )
                    continue
                result[operation].add(key)
        for operation, model in LEAD_REPORTS.items():
            rows = self._rpc(
                user, model, "search_read", [("lead_id", "in", ids)], fields=["lead_id"]
            )
            result[operation] = self._keys(row["lead_id"][0] for row in rows)
        return result

    def test_rpc_matrix_own_leads_open_pool(self):
        self._check_matrix("own", False)

    def test_rpc_matrix_whole_team_private_pool(self):
        self._check_matrix("team", True)

    def test_rpc_matrix_own_leads_private_pool_lead(self):
        self._check_matrix("own", False, private_pool=True)


@tagged("post_install", "-at_install")
class TestReleaseWizardRpc(RpcLoginMixin, HttpCase):
    """The release wizard over XML-RPC, as a rep who names a colleague's lead
    they may not read: refused, saying so, never a silent 'done'."""

    def test_release_wizard_on_leads_the_rep_cannot_read_is_refused(self):
        rep, other = (
            new_test_user(
                self.env,
                login=login,
                password=f"{login}_pw",
                groups="sales_team.group_sale_salesman",
            )
            for login in ("q_release_rep", "q_release_other")
        )
        team = self.env["crm.team"].create(
            {"name": "Release RPC Team", "member_ids": [Command.set((rep | other).ids)]}
        )
        queue = self.env["crm.team.queue"].create(
            {"name": "Release RPC Queue", "team_id": team.id, "strategy": "pool"}
        )
        lead = self.env["crm.lead"].create(
            {"name": "Colleague's", "team_id": team.id, "user_id": other.id}
        )
        wizard_id = self._rpc(
            rep,
            "crm.lead.release",
            "create",
            {"lead_ids": [(6, 0, lead.ids)], "reason": "mine now"},
        )
        with mute_logger("odoo.http"):
            refusal = self._rpc_refused(
                rep, "crm.lead.release", "action_apply", [wizard_id]
            )
        self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_WARNING)
        self.assertIn("Select at least one lead", refusal.faultString)
        self.assertEqual(lead.user_id, other)
        self.assertFalse(lead.queue_id)
        self.assertTrue(queue)


@tagged("post_install", "-at_install")
class TestLeadVisibleFilterRpc(ColleagueLeadRpcCase):
    """``is_lead_visible`` (the stage history, the reports) over XML-RPC: any
    condition a client may send on a yes/no field gets an answer, never a
    server error."""

    login_prefix = "q_visible"

    def _lines(self, *domain):
        return self._rpc(self.rep, "crm.lead.stage.history", "search", list(domain))

    def test_lead_visible_answers_in_and_not_in(self):
        visible = self._lines(("is_lead_visible", "=", True))
        self.assertTrue(visible)
        self.assertEqual(self._lines(("is_lead_visible", "in", [True])), visible)
        self.assertEqual(self._lines(("is_lead_visible", "not in", [False])), visible)
        self.assertEqual(
            self._lines(("is_lead_visible", "not in", [True])),
            self._lines(("is_lead_visible", "=", False)),
        )
        self.assertEqual(
            set(self._lines(("is_lead_visible", "in", [True, False]))),
            set(self._lines()),
        )

    def test_lead_visible_refuses_other_conditions_saying_why(self):
        with mute_logger("odoo.http"):
            refusal = self._rpc_refused(
                self.rep,
                "crm.lead.stage.history",
                "search",
                [("is_lead_visible", "ilike", "x")],
            )
        self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_WARNING)
        self.assertIn("yes/no filter", refusal.faultString)

    def test_every_yes_no_filter_refuses_other_conditions_saying_why(self):
        # One rule for the computed yes/no filters: a clear refusal (a warning,
        # no server error in the log) instead of a wrong answer or a crash.
        filters = [
            ("crm.lead", "pool_private"),
            ("crm.lead", "sla_at_risk"),
            ("mail.followers", "pool_hidden"),
            ("mail.notification", "pool_hidden"),
            ("calendar.event", "pool_hidden"),
        ]
        for model, field in filters:
            for condition in (("like", "x"), ("=", 1), ("=", "yes"), ("in", [1])):
                with self.subTest(model=model, field=field, condition=condition):
                    with mute_logger("odoo.http"):
                        refusal = self._rpc_refused(
                            self.rep, model, "search", [(field, *condition)]
                        )
                    self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_WARNING)
                    self.assertIn("yes/no filter", refusal.faultString)
            with self.subTest(model=model, field=field, condition="in"):
                self.assertEqual(
                    self._rpc(self.rep, model, "search", [(field, "in", [False])]),
                    self._rpc(self.rep, model, "search", [(field, "=", False)]),
                )


@tagged("post_install", "-at_install")
class TestArchiveUserRpc(ColleagueLeadRpcCase):
    """Archiving a user over XML-RPC by a rep who may not archive users: Odoo's
    refusal, not the handover offer (which tells what the colleague still owns,
    and which the rep could not follow)."""

    login_prefix = "q_archive"

    def test_rep_archiving_a_colleague_with_open_leads_is_refused_by_odoo(self):
        self.env["crm.team.queue"].create(
            {"name": "Archive RPC Queue", "team_id": self.team.id}
        )
        with mute_logger("odoo.http"):
            refusal = self._rpc_refused(
                self.rep, "res.users", "action_archive", [self.other.id]
            )
        self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        self.assertNotIn("Hand them over", refusal.faultString)
        self.assertTrue(self.other.active)


@tagged("post_install", "-at_install")
class TestApplyStageProbabilitiesRpc(ColleagueLeadRpcCase):
    """'Apply stage probabilities' is a setting of the team: over XML-RPC, a rep
    who may not change the team is refused, and no lead of the team moves."""

    login_prefix = "q_stage_apply"

    def test_rep_cannot_apply_stage_probabilities_of_their_team(self):
        stage = self.env["crm.stage"].create({"name": "RPC Stage", "probability": 42})
        self.lead.write({"stage_id": stage.id, "probability": 7})
        with mute_logger("odoo.http"):
            refusal = self._rpc_refused(
                self.rep, "crm.team", "action_apply_stage_probabilities", [self.team.id]
            )
        self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        self.lead.invalidate_recordset(["probability"])
        self.assertEqual(self.lead.probability, 7)
