"""18.0.1.4.0: Queue Fairness is a report (``crm.team.queue.fairness.report``, an
SQL view). The transient wizard it replaces (``crm.team.queue.fairness`` and its
lines) is gone from the code: the upgrade removes its models' records, but Odoo
drops the tables only of models it still knows, so they are dropped here."""

from odoo.tools import SQL

OLD_TABLES = ("crm_team_queue_fairness_line", "crm_team_queue_fairness")


def migrate(cr, version):
    for table in OLD_TABLES:
        cr.execute(SQL("DROP TABLE IF EXISTS %s CASCADE", SQL.identifier(table)))
