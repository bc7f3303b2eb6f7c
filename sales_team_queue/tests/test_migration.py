"""The 18.0.1.2.0 migration judges the SLA of the leads assigned before the
timers existed: met when their salesperson followed them up since, running when
the deadline is ahead, never breached after the fact."""

import importlib.util
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import tagged

from .common import QueueCase

MIGRATION = (
    Path(__file__).parent.parent / "migrations" / "18.0.1.2.0" / "post-migration.py"
)


def _migrate(cr):
    spec = importlib.util.spec_from_file_location("stq_post_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.migrate(cr, "18.0.1.1.0")


@tagged("post_install", "-at_install")
class TestSlaMigration(QueueCase):
    def _old_lead(self, name, deadline_hours):
        """A lead as the previous version left it: assigned, a deadline, no
        SLA state."""
        lead = self.env["crm.lead"].create(
            {"name": name, "team_id": self.team.id, "user_id": self.somchai.id}
        )
        now = fields.Datetime.now()
        self.env.cr.execute(
            "UPDATE crm_lead SET sla_state = 'none', sla_deadline = %s WHERE id = %s",
            (now + timedelta(hours=deadline_hours), lead.id),
        )
        return lead

    def test_old_slas_are_judged_not_breached(self):
        ahead = self._old_lead("Deadline ahead", 3)
        passed = self._old_lead("Deadline passed", -3)
        followed = self._old_lead("Followed up by the salesperson", 3)
        noted_by_other = self._old_lead("Noted by the leader only", 3)
        followed.with_user(self.somchai).message_post(
            body="Called them", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        noted_by_other.with_user(self.niran).message_post(
            body="Please call them",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_message"
            "   SET date = now() AT TIME ZONE 'UTC' + interval '1 second'"
            " WHERE model = 'crm.lead' AND res_id IN %s",
            ((followed.id, noted_by_other.id),),
        )
        _migrate(self.env.cr)
        self.env.invalidate_all()
        self.assertEqual(ahead.sla_state, "running")
        self.assertEqual(passed.sla_state, "none", "not breached after the fact")
        self.assertEqual(followed.sla_state, "met")
        self.assertEqual(noted_by_other.sla_state, "running")


FAIRNESS_MIGRATION = (
    Path(__file__).parent.parent / "migrations" / "18.0.1.4.0" / "post-migration.py"
)


@tagged("post_install", "-at_install")
class TestFairnessMigration(QueueCase):
    def test_tables_of_the_old_fairness_wizard_are_dropped(self):
        cr = self.env.cr
        cr.execute(
            "CREATE TABLE crm_team_queue_fairness (id serial PRIMARY KEY);"
            "CREATE TABLE crm_team_queue_fairness_line (id serial PRIMARY KEY,"
            " fairness_id int REFERENCES crm_team_queue_fairness ON DELETE CASCADE)"
        )
        spec = importlib.util.spec_from_file_location(
            "stq_fairness_migration", FAIRNESS_MIGRATION
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(cr, "18.0.1.3.0")
        module.migrate(cr, "18.0.1.3.0")  # twice: nothing left to drop
        for table in ("crm_team_queue_fairness", "crm_team_queue_fairness_line"):
            cr.execute("SELECT to_regclass(%s)", (table,))
            self.assertIsNone(cr.fetchone()[0], table)
        cr.execute("SELECT to_regclass('crm_team_queue_fairness_report')")
        self.assertTrue(cr.fetchone()[0], "the report's view stays")
