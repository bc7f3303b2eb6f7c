"""The perimeter matrix: every kind of user against every way of changing a lead
waiting in a pool, each over XML-RPC with the user's own login. One fresh pool
lead per cell, so that each attempt starts from the same state; the table says
who may do what, and every other cell must be refused with the lead unchanged.

Users (team Alpha has the pool queue, team Bravo a queue of its own):
``rep`` and ``senior`` (members of the pool queue), ``bravo_rep`` (member of the
other queue), ``leader`` (Alpha's leader, own documents), ``bravo_leader``,
``all_docs`` ("All Documents", member of Alpha), ``manager``, ``other_co``
(sales manager of another company), ``portal``.
"""

from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common_rpc import RpcLoginMixin

SALESMAN = "sales_team.group_sale_salesman"
ALL_LEADS = "sales_team.group_sale_salesman_all_leads"
MANAGER = "sales_team.group_sale_manager"
USERS = (
    "rep",
    "senior",
    "bravo_rep",
    "leader",
    "bravo_leader",
    "all_docs",
    "manager",
    "other_co",
    "portal",
)


STEER = {"leader", "manager"}
# path: the users who may take it; the others are refused.
EXPECTED = {
    "edit_revenue": STEER,
    "edit_tags": STEER,
    "archive": STEER,
    "move_team": {"manager"},  # into Bravo: its leader is not Alpha's leader
    "empty_team": STEER,
    "give_to_senior": STEER | {"senior"},  # for the senior, a claim
    "give_to_bravo_rep": {"manager"},  # not a member of Alpha (Odoo moves it)
    "claim_by_write": {"rep", "senior", "leader", "manager"},
    "claim": {"rep", "senior", "manager"},  # managers claim past the rules
    "forge_pool_date": set(),
    "forge_vip": set(),
    "forge_queue": set(),
    "convert": STEER,
    "delete": {"manager"},  # Odoo lets only sales managers delete leads
}


@tagged("post_install", "-at_install")
class TestPerimeterMatrix(RpcLoginMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["crm.team.queue"].search([]).action_archive()
        cls.company_2 = env["res.company"].create({"name": "Matrix Co 2"})
        groups = {
            "manager": MANAGER,
            "other_co": MANAGER,
            "all_docs": ALL_LEADS,
            "portal": "base.group_portal",
        }
        cls.users = {}
        for key in USERS:
            extra = {}
            if key == "other_co":
                extra = {
                    "company_id": cls.company_2.id,
                    "company_ids": [Command.set(cls.company_2.ids)],
                }
            cls.users[key] = new_test_user(
                env,
                login=f"mx_{key}",
                password=f"mx_{key}_pw",
                groups=groups.get(key, SALESMAN),
                notification_type="email" if key == "portal" else "inbox",
                tz="UTC",
                **extra,
            )
        u = cls.users
        cls.alpha = env["crm.team"].create(
            {
                "name": "Matrix Alpha",
                "company_id": env.company.id,
                "user_id": u["leader"].id,
                "sequence": -100,
                "member_ids": [
                    Command.set((u["rep"] | u["senior"] | u["all_docs"]).ids)
                ],
            }
        )
        cls.bravo = env["crm.team"].create(
            {
                "name": "Matrix Bravo",
                "company_id": env.company.id,
                "user_id": u["bravo_leader"].id,
                "sequence": -90,
                "member_ids": [Command.set(u["bravo_rep"].ids)],
            }
        )
        quiet = {"notify_assignee": False, "activity_type_id": False}
        cls.queue = env["crm.team.queue"].create(
            {
                "name": "Matrix Pool",
                "team_id": cls.alpha.id,
                "strategy": "pool",
                "member_ids": [
                    Command.create({"user_id": u["rep"].id}),
                    Command.create({"user_id": u["senior"].id, "is_senior": True}),
                ],
                **quiet,
            }
        )
        env["crm.team.queue"].create(
            {
                "name": "Matrix Bravo Queue",
                "team_id": cls.bravo.id,
                "member_ids": [Command.create({"user_id": u["bravo_rep"].id})],
                **quiet,
            }
        )

    def _attempt(self, key, path, lead):
        """Try ``path`` on ``lead`` as user ``key``: True when it went through,
        else the refusal's last line."""
        user = self.users[key]
        write = {
            "edit_revenue": {"expected_revenue": 123456},
            "edit_tags": {"tag_ids": [(0, 0, {"name": f"tag {key}"})]},
            "archive": {"active": False},
            "move_team": {"team_id": self.bravo.id},
            "empty_team": {"team_id": False},
            "give_to_senior": {"user_id": self.users["senior"].id},
            "give_to_bravo_rep": {"user_id": self.users["bravo_rep"].id},
            "claim_by_write": {"user_id": user.id},
            "forge_pool_date": {"pool_date": "2020-01-01 00:00:00"},
            "forge_vip": {"is_vip": True},
            "forge_queue": {"queue_id": False},
        }
        try:
            with mute_logger("odoo.http", "odoo.addons.base.models.ir_rule"):
                if path in write:
                    self._rpc(user, "crm.lead", "write", [lead.id], write[path])
                elif path == "claim":
                    self._rpc(user, "crm.lead", "action_claim", [lead.id])
                elif path == "delete":
                    self._rpc(user, "crm.lead", "unlink", [lead.id])
                elif path == "convert":
                    context = {"active_model": "crm.lead", "active_id": lead.id}
                    wizard = self._rpc(
                        user,
                        "crm.lead2opportunity.partner",
                        "create",
                        {"lead_id": lead.id, "name": "convert", "action": "nothing"},
                        context=context,
                    )
                    self._rpc(
                        user,
                        "crm.lead2opportunity.partner",
                        "action_apply",
                        [wizard],
                        context=dict(context, active_ids=[lead.id]),
                    )
        except Fault as fault:
            return fault.faultString.strip().splitlines()[-1]
        return True

    @staticmethod
    def _snapshot(lead):
        lead = lead.sudo().with_context(active_test=False)
        if not lead.exists():
            return None
        return (
            lead.user_id.id,
            lead.team_id.id,
            lead.queue_id.id,
            lead.pool_date,
            lead.is_vip,
            lead.expected_revenue,
            lead.tag_ids.ids,
            lead.active,
            lead.type,
        )

    def test_perimeter_matrix(self):
        cells = [(key, path) for path in EXPECTED for key in USERS]
        leads = (
            self.env["crm.lead"]
            .with_user(self.users["manager"])
            .create(
                [
                    {
                        "name": f"{key} {path}",
                        "team_id": self.alpha.id,
                        "user_id": False,
                        "type": "lead",
                    }
                    for key, path in cells
                ]
            )
        )
        self.assertEqual(set(leads.mapped("queue_state")), {"pool"})
        mismatches = []
        for (key, path), lead in zip(cells, leads, strict=True):
            before = self._snapshot(lead)
            outcome = self._attempt(key, path, lead)
            done = outcome is True
            self.env.invalidate_all()
            if done != (key in EXPECTED[path]):
                mismatches.append(f"{key} {path}: {'done' if done else outcome}")
            elif not done and self._snapshot(lead) != before:
                mismatches.append(f"{key} {path}: refused but the lead changed")
        self.assertEqual(mismatches, [], "who may do what with a pool lead")
