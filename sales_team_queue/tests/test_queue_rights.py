"""Rights on the server: every RPC-callable method checks them itself; queues,
members and the ledger follow Odoo's multi-company rules."""

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import SALESMAN, QueueCase
from .common_rpc import RpcLoginMixin


@tagged("post_install", "-at_install")
class TestQueueRights(QueueCase):
    def test_salesman_cannot_route_leads(self):
        self._create_queue(strategy="pool")
        self.team.user_id = False
        lead = self._new_leads(1)
        with self.assertRaisesRegex(AccessError, "team leader"):
            lead.with_user(self.somchai).action_route()
        self.assertEqual(lead.queue_state, "pool")

    def test_team_leader_with_own_documents_routes_the_team_leads(self):
        leader = new_test_user(self.env, login="q_leader", groups=SALESMAN)
        self.team.user_id = leader
        leads = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create(
                [
                    {"name": f"Old {i}", "team_id": self.team.id, "user_id": False}
                    for i in range(2)
                ]
            )
        )
        queue = self._create_queue()
        result = leads.with_user(leader).action_route()
        self.assertEqual(leads.queue_id, queue, result["params"]["message"])
        self.assertEqual(len(leads.user_id), 2)

    def test_queues_of_another_company_are_invisible(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        rep = new_test_user(
            self.env,
            login="q_other_rep",
            groups=SALESMAN,
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.team.company_id = self.env.company
        queue = self._create_queue()
        Queue = self.env["crm.team.queue"].with_user(rep)
        self.assertFalse(Queue.search([("id", "=", queue.id)]))
        with self.assertRaises(AccessError):
            queue.with_user(rep).read(["name"])
        with self.assertRaises(AccessError):
            queue.member_ids[:1].with_user(rep).read(["user_id"])

    def test_member_must_be_allowed_in_the_queue_company(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        queue = self._create_queue(users=self.somchai)
        # The team moved to another company (Odoo's own checks were bypassed):
        # its queue refuses a member who may not work there.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_team SET company_id = %s WHERE id = %s",
            (other.id, self.team.id),
        )
        self.env.cr.execute(
            "UPDATE crm_team_queue SET company_id = %s WHERE id = %s",
            (other.id, queue.id),
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(ValidationError, "may not work in Other Co"):
            queue.member_ids = [Command.create({"user_id": self.wei.id})]


@tagged("post_install", "-at_install")
class TestQueueRightsRpc(RpcLoginMixin, HttpCase):
    """The same refusals for a real login over XML-RPC."""

    def setUp(self):
        super().setUp()
        self.env["crm.team.queue"].search([]).action_archive()
        self.rep = new_test_user(
            self.env, login="q_rpc_rep", password="q_rpc_rep_pw", groups=SALESMAN
        )
        self.team = self.env["crm.team"].create(
            {"name": "RPC Team", "member_ids": [Command.set(self.rep.ids)]}
        )
        self.queue = self.env["crm.team.queue"].create(
            {
                "name": "RPC Pool",
                "team_id": self.team.id,
                "strategy": "pool",
                "notify_assignee": False,
                "activity_type_id": False,
                "member_ids": [Command.create({"user_id": self.rep.id})],
            }
        )
        self.lead = self.env["crm.lead"].create(
            {"name": "RPC lead", "team_id": self.team.id, "user_id": False}
        )

    @mute_logger("odoo.http")
    def test_rep_cannot_route_or_forge_the_ledger_over_rpc(self):
        refusal = self._rpc_refused(
            self.rep, "crm.lead", "action_route", [self.lead.id]
        )
        self.assertIn("team leader", refusal.faultString)
        line = self.lead.assignment_ids
        forged = {"lead_id": self.lead.id, "user_id": self.rep.id, "method": "claim"}
        self._rpc_refused(self.rep, "crm.lead.assignment", "create", forged)
        self._rpc_refused(
            self.rep, "crm.lead.assignment", "write", line.ids, {"method": "claim"}
        )
        self._rpc_refused(self.rep, "crm.lead.assignment", "unlink", line.ids)
        self.assertEqual(len(self.lead.assignment_ids), 1)

    def test_rep_claims_over_rpc_and_the_ledger_says_so(self):
        self._rpc(self.rep, "crm.lead", "action_claim", [self.lead.id])
        self.assertEqual(self.lead.user_id, self.rep)
        rows = self._rpc(
            self.rep,
            "crm.lead.assignment",
            "search_read",
            [("lead_id", "=", self.lead.id)],
            ["method", "reason", "user_id"],
        )
        self.assertEqual(
            sorted((row["method"], row["reason"]) for row in rows),
            [("auto", "pool: waits to be claimed"), ("claim", "claimed from the pool")],
        )
