"""Calls over XML-RPC with a user's own login and password (``<login>_pw``), the
way an outside script reaches Odoo: for the access and perimeter tests."""


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
