"""18.0.1.2.0: the SLA timers. Before, an assigned lead only got an SLA deadline
and nothing watched it. Open assigned leads whose deadline is still ahead are now
watched (``running``); those whose deadline passed under the previous version are
not breached after the fact (``none``): upgrading must not recycle or reassign a
whole backlog at the first run of the timers."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """UPDATE crm_lead lead
                  SET sla_state = CASE
                          WHEN lead.sla_deadline > now() AT TIME ZONE 'UTC'
                          THEN 'running' ELSE 'none' END
                WHERE lead.sla_deadline IS NOT NULL
                  AND lead.user_id IS NOT NULL
                  AND lead.active
                  AND COALESCE(lead.sla_state, 'none') = 'none'
                  AND NOT EXISTS (SELECT 1 FROM crm_stage stage
                                   WHERE stage.id = lead.stage_id AND stage.is_won)"""
        )
    )
