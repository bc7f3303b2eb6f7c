"""Intake never stops (first part): a queue's lead filter that fails when it runs
is refused on save, and one that fails at routing time (saved before the check,
or broken since) skips that queue: the lead is saved and goes on to the next."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import QueueCase

ROUTING_LOGGER = "odoo.addons.sales_team_queue.models.crm_team_queue_routing"


@tagged("post_install", "-at_install")
class TestIntakeBadFilter(QueueCase):
    def test_a_filter_that_fails_in_sql_is_refused_on_save(self):
        with self.assertRaises(ValidationError) as cm, mute_logger("odoo.sql_db"):
            self._create_queue(domain="[('id', '=', 'abc')]")
        self.assertIn("is not a valid domain", str(cm.exception))
        queue = self._create_queue(domain="[('type', '=', 'lead')]")
        with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
            queue.domain = "[('expected_revenue', '>', 'a lot')]"

    def test_a_filter_broken_at_run_time_does_not_stop_intake(self):
        broken = self._create_queue(name="Broken", sequence=1)
        fallback = self._create_queue(
            name="Fallback", sequence=2, users=self.wei | self.linh
        )
        # A filter saved before the check existed (or broken since).
        self.env.cr.execute(
            SQL(
                "UPDATE crm_team_queue SET domain = %s WHERE id = %s",
                "[('id', '=', 'abc')]",
                broken.id,
            )
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        with mute_logger(ROUTING_LOGGER, "odoo.sql_db"):
            leads = self._new_leads(2)
            teamless = self.env["crm.lead"].create({"name": "Web form", "type": "lead"})
        self.assertEqual(leads.queue_id, fallback, "the next queue takes them")
        self.assertEqual(set(leads.user_id), {self.wei, self.linh})
        self.assertTrue(teamless.exists(), "a lead without team is saved too")
