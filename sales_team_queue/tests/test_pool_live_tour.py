"""The live pool in a real browser: a rep keeps the Lead Pool open while
another rep claims a lead and a new lead enters the pool, both over the
external JSON-RPC API; the cards vanish and appear without reload.

The whole path is the production one: the request commits, the live pool's
post-commit step writes the bus message, the bus notifies PostgreSQL, the
websocket sends the message to the browser, the screen reloads its cards.
Two switches of test mode are lifted for that, as Odoo's own websocket tests
do: the websocket is allowed (``WebsocketCase``), and the test cursors run
their post-commit hooks on commit like real cursors (they skip them)."""

from unittest.mock import patch

from odoo import Command, sql_db
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import Callbacks

from odoo.addons.bus.tests.common import WebsocketCase

TEST_CURSOR_COMMIT = sql_db.TestCursor.commit


def commit_then_postcommit(cr):
    """``TestCursor.commit``, then the post-commit hooks, as a real cursor."""
    hooks = cr.postcommit
    cr.postcommit = Callbacks()
    try:
        TEST_CURSOR_COMMIT(cr)
    finally:
        cr.postcommit = hooks
    hooks.run()


@tagged("post_install", "-at_install")
class TestPoolLiveTour(WebsocketCase):
    def setUp(self):
        super().setUp()
        self.env["crm.team.queue"].search([]).action_archive()
        anan, bao = (
            new_test_user(
                self.env,
                login=login,
                name=name,
                groups="sales_team.group_sale_salesman",
                notification_type="inbox",
                tz="UTC",
            )
            for login, name in (("q_live_anan", "Anan"), ("q_live_bao", "Bao"))
        )
        team = self.env["crm.team"].create(
            {
                "name": "Live Tour Team",
                "sequence": -1000,
                "use_leads": True,
                "member_ids": [Command.set((anan | bao).ids)],
            }
        )
        self.env["crm.team.queue"].create(
            {
                "name": "Live Tour Pool",
                "team_id": team.id,
                "strategy": "pool",
                "notify_assignee": False,
                "activity_type_id": False,
                "member_ids": [
                    Command.create({"user_id": anan.id}),
                    Command.create({"user_id": bao.id}),
                ],
            }
        )
        leads = self.env["crm.lead"].create(
            [
                {"name": name, "team_id": team.id, "user_id": False}
                for name in ("Live Tour Lead A", "Live Tour Lead B")
            ]
        )
        self.assertEqual(set(leads.mapped("queue_state")), {"pool"})

    def test_cards_vanish_and_appear_without_reload(self):
        with patch.object(sql_db.TestCursor, "commit", commit_then_postcommit):
            self.start_tour(
                "/odoo/action-sales_team_queue.crm_lead_action_pool",
                "sales_team_queue_pool_live",
                login="q_live_anan",
                timeout=120,
            )
