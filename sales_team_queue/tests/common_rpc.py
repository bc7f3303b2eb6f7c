"""Calls over XML-RPC with a user's own login and password (``<login>_pw``), the
way an outside script reaches Odoo: for the access and perimeter tests."""

import json
from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, new_test_user
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    RPC_FAULT_CODE_WARNING,
)

from .common import SALESMAN

MANAGER = "sales_team.group_sale_manager"
# What a refused call answers: a UserError or an AccessError.
REFUSED = (RPC_FAULT_CODE_WARNING, RPC_FAULT_CODE_ACCESS_ERROR)


class RpcLoginMixin:
    """Mixin of an ``HttpCase``: ``_rpc(user, model, method, *args, **kwargs)``
    logs ``user`` in once per test and calls ``model.method`` as them."""

    def setUp(self):
        super().setUp()
        self.uids = {}

    def _rpc(self, user, model, method, *args, **kwargs):
        login = user.login
        uid = self.uids.get(login)
        if uid is None:
            uid = self.uids[login] = self.xmlrpc_common.authenticate(
                self.env.cr.dbname, login, f"{login}_pw", {}
            )
            self.assertEqual(uid, user.id, f"{login} logs in")
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, f"{login}_pw", model, method, list(args), kwargs
        )

    def _jsonrpc(self, user, model, method, *args, **kwargs):
        """``model.method`` called as ``user`` over JSON-RPC (``/jsonrpc``,
        ``execute_kw`` with their login and password). :return: (result,
        error: the answer's error data, None when it succeeded)"""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    user.id,
                    f"{user.login}_pw",
                    model,
                    method,
                    list(args),
                    kwargs,
                ],
            },
        }
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        answer = response.json()
        if "error" in answer:
            return None, answer["error"]["data"]
        return answer.get("result"), None

    def _rpc_refused(self, user, model, method, *args, **kwargs):
        """:meth:`_rpc`, which must be refused: return the refusal (its
        ``faultCode`` says the kind, its ``faultString`` the message)."""
        with self.assertRaises(Fault) as refusal:
            self._rpc(user, model, method, *args, **kwargs)
        return refusal.exception


class TwoTeamsRpcCase(RpcLoginMixin, HttpCase):
    """The cast of the attacks over RPC (``_two_teams_cast``): team *Alpha*
    (leader ``leader``, members ``rep`` and ``mate``), team *Bravo* (leader
    ``bravo_leader``, member ``bravo_rep``), a sales ``manager``, ``other_co``
    a sales manager of another company, and a ``portal`` user; the database's
    queues archived."""

    def _refused(self, user, model, method, *args, **kwargs):
        """Call and assert the server refuses; return the refusal's text."""
        with mute_logger("odoo.http", "odoo.addons.base.models.ir_rule"):
            with self.assertRaises(Fault, msg=f"{user.login}: {method} refused") as cm:
                self._rpc(user, model, method, *args, **kwargs)
        self.assertIn(cm.exception.faultCode, REFUSED, cm.exception.faultString)
        self.env.invalidate_all()
        return cm.exception.faultString

    @classmethod
    def _two_teams_cast(cls, prefix, label):
        """Logins ``<prefix>_rep``, ...; teams and company named after
        ``label`` (``"Alpha"``, ``"Offer Alpha"``...)."""
        env = cls.env
        env["crm.team.queue"].search([]).action_archive()

        def user(login, groups=SALESMAN, **kw):
            return new_test_user(
                env,
                login=f"{prefix}_{login}",
                password=f"{prefix}_{login}_pw",
                groups=groups,
                tz="UTC",
                notification_type="email" if "portal" in groups else "inbox",
                **kw,
            )

        cls.rep = user("rep")
        cls.mate = user("mate")
        cls.leader = user("leader")
        cls.bravo_rep = user("bravo_rep")
        cls.bravo_leader = user("bravo_leader")
        cls.manager = user("manager", groups=MANAGER)
        cls.portal = user("portal", groups="base.group_portal")
        cls.company_2 = env["res.company"].create({"name": f"{label or prefix} Co 2"})
        cls.other_co = user(
            "other_co",
            groups=MANAGER,
            company_id=cls.company_2.id,
            company_ids=[Command.set(cls.company_2.ids)],
        )
        cls.alpha, cls.bravo = env["crm.team"].create(
            [
                {
                    "name": f"{label} Alpha".strip(),
                    "company_id": env.company.id,
                    "sequence": -100,
                    "user_id": cls.leader.id,
                    "member_ids": [Command.set((cls.rep | cls.mate).ids)],
                },
                {
                    "name": f"{label} Bravo".strip(),
                    "company_id": env.company.id,
                    "sequence": -90,
                    "user_id": cls.bravo_leader.id,
                    "member_ids": [Command.set(cls.bravo_rep.ids)],
                },
            ]
        )


class ColleagueLeadRpcCase(RpcLoginMixin, HttpCase):
    """A rep who sees all leads - Odoo lets them write them, so only the
    module's own checks stand between them and a colleague's lead - and a
    lead of a colleague of their team (``other``), over XML-RPC; queues of
    the database archived. Logins start with :attr:`login_prefix`."""

    login_prefix = "q_colleague"

    def setUp(self):
        super().setUp()
        self.env["crm.team.queue"].search([]).action_archive()
        prefix = self.login_prefix
        self.rep = new_test_user(
            self.env,
            login=f"{prefix}_rep",
            password=f"{prefix}_rep_pw",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        self.other = new_test_user(self.env, login=f"{prefix}_other", groups=SALESMAN)
        self.team = self.env["crm.team"].create(
            {
                "name": f"RPC Team {prefix}",
                "member_ids": [Command.set((self.rep | self.other).ids)],
            }
        )
        self.lead = self.env["crm.lead"].create(
            {"name": "RPC lead", "team_id": self.team.id, "user_id": self.other.id}
        )
