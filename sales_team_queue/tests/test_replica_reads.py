from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .common import TourCase


@tagged("post_install", "-at_install")
class TestReplicaReads(TourCase):
    """The module's own buttons and dialogs that only read are served like
    Odoo's reads: by a read-only cursor, which is a replica's when Odoo runs
    with --db_replica_host. In tests, Odoo serves such a request in a read-only
    transaction: a write there would fail and be retried on a read/write cursor,
    with a WARNING "retrying with a read/write cursor" (see make test-replica for
    the same on a real streaming replica)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_demo_queues()
        # Only this test's lead waits for a salesperson (not the demo's).
        cls.env["crm.lead"].search([("user_id", "=", False)]).with_context(
            tracking_disable=True
        ).write({"active": False})
        cls.leader, cls.rep, cls.team = cls._tour_led_team("replica", "Replica")
        cls.queue = cls._tour_queue("Replica Pool", cls.team, cls.rep, strategy="pool")
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Replica lead", "team_id": cls.team.id, "type": "lead"}
        )

    def _served_read_only(self, model, method):
        """Whether the web client's routes serve ``model.method`` read-only:
        Odoo's own rule (web's ``DataSet._call_kw_readonly``), the first
        ``_readonly`` flag along the model's classes."""
        for cls in type(self.env[model]).mro():
            function = getattr(cls, method, None)
            if function is not None and hasattr(function, "_readonly"):
                return function._readonly
        return False

    def _web_call(self, user, model, method, args, route="call_kw", **kwargs):
        """``model.method`` as ``user`` through the web client's route, which
        must be read-only and must not fall back to a read/write cursor."""
        self.assertTrue(self._served_read_only(model, method))
        self.authenticate(user.login, user.login)
        with self.assertNoLogs("odoo.http", "WARNING"):
            return self.make_jsonrpc_request(
                f"/web/dataset/{route}/{model}/{method}",
                {"model": model, "method": method, "args": args, "kwargs": kwargs},
            )

    def _leader_button(self, model, method, records, **context):
        """The button ``method`` of ``records`` clicked by the leader."""
        return self._web_call(
            self.leader, model, method, [records.ids], "call_button", context=context
        )

    def test_replica_lead_waits_in_the_pool(self):
        self.assertEqual(self.lead.queue_state, "pool")

    def test_test_routing_dialog_runs_read_only(self):
        """The dialog's result is its onchange: no wizard is saved to show it."""
        spec = {
            "queue_id": {},
            "scope": {},
            "lead_total": {},
            "pool_total": {},
            "line_ids": {"fields": {"lead_id": {}, "outcome": {}}},
        }
        result = self._web_call(
            self.leader,
            "crm.team.queue.simulation",
            "onchange",
            [[], {}, [], spec],
            context={"default_queue_id": self.queue.id},
        )
        self.assertEqual(result["value"]["lead_total"], 1)
        self.assertEqual(result["value"]["pool_total"], 1)
        self.assertFalse(self.env["crm.team.queue.simulation"].search([]))

    def test_test_routing_refuses_a_negative_limit(self):
        """A limit is a number of leads: a negative one, which a client may
        send, is refused in words, not by the database."""
        values = {
            "queue_id": self.queue.id,
            "scope": "unassigned",
            "lead_domain": "[]",
            "limit": -1,
        }
        with (
            mute_logger("odoo.http"),
            self.assertRaisesRegex(JsonRpcException, "odoo.exceptions.UserError"),
        ):
            self._web_call(
                self.leader,
                "crm.team.queue.simulation",
                "onchange",
                [[], values, list(values), {"lead_total": {}}],
            )

    def test_dashboard_figure_opens_read_only(self):
        action = self._leader_button(
            "crm.team.queue",
            "action_dashboard_open",
            self.queue,
            dashboard_figure="pool",
        )
        self.assertEqual(action["res_model"], "crm.lead")
        self.assertEqual(self.env["crm.lead"].search(action["domain"]), self.lead)

    def test_leader_opens_a_pool_card_lead_read_only(self):
        action = self._leader_button(
            "crm.lead.pool.card",
            "action_open_lead",
            self.env["crm.lead.pool.card"].browse(self.lead.ids),
        )
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("crm.lead", self.lead.id)
        )

    def test_claim_is_not_read_only(self):
        """A claim writes: it is served on the primary, where it checks the lead
        again (a replica may still show a lead someone just claimed)."""
        self.assertFalse(self._served_read_only("crm.lead.pool.card", "action_claim"))
        self.assertFalse(self._served_read_only("crm.lead", "action_claim"))
