"""Calls over XML-RPC with a user's own login and password (``<login>_pw``), the
way an outside script reaches Odoo: for the access and perimeter tests."""

from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, new_test_user

from .common import SALESMAN


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

    def _rpc_refused(self, user, model, method, *args, **kwargs):
        """:meth:`_rpc`, which must be refused: return the refusal (its
        ``faultCode`` says the kind, its ``faultString`` the message)."""
        with self.assertRaises(Fault) as refusal:
            self._rpc(user, model, method, *args, **kwargs)
        return refusal.exception


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
