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

from odoo import sql_db
from odoo.tests import tagged
from odoo.tools.misc import Callbacks

from odoo.addons.bus.tests.common import WebsocketCase

from .common import TourCase

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
class TestPoolLiveTour(TourCase, WebsocketCase):
    def setUp(self):
        super().setUp()
        self._archive_demo_queues()
        anan, bao = self._tour_users(("q_live_anan", "Anan"), ("q_live_bao", "Bao"))
        team = self._tour_team("Live Tour Team", anan | bao, use_leads=True)
        self._tour_queue("Live Tour Pool", team, anan | bao, strategy="pool")
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
