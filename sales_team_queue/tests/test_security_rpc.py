from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    RPC_FAULT_CODE_WARNING,
)

from .common_rpc import RpcLoginMixin
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
