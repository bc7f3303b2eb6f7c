"""18.0.1.2.0: the SLA timers. Before, an assigned lead only got an SLA deadline
and nothing watched it. Now, for the open assigned leads that have a deadline:

- followed up by their salesperson since their last assignment (a stage change,
  a message, a note or an activity done by them): ``met``;
- otherwise, deadline still ahead: ``running`` (the timers watch it);
- otherwise (the deadline passed under the previous version): ``none``, not
  breached after the fact: upgrading must not recycle or reassign a backlog at
  the first run of the timers.
"""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """WITH candidate AS (
                   SELECT lead.id, lead.sla_deadline, users.partner_id,
                          COALESCE((SELECT max(line.create_date)
                                      FROM crm_lead_assignment line
                                     WHERE line.lead_id = lead.id),
                                   lead.create_date) AS since
                     FROM crm_lead lead
                     JOIN res_users users ON users.id = lead.user_id
                    WHERE lead.sla_deadline IS NOT NULL
                      AND lead.active
                      AND COALESCE(lead.sla_state, 'none') = 'none'
                      AND NOT EXISTS (SELECT 1 FROM crm_stage stage
                                       WHERE stage.id = lead.stage_id
                                         AND stage.is_won)
               ), judged AS (
                   SELECT candidate.id,
                          CASE
                              WHEN EXISTS (
                                  SELECT 1 FROM crm_lead_stage_history history
                                   WHERE history.lead_id = candidate.id
                                     AND history.previous_stage_id IS NOT NULL
                                     AND history.date > candidate.since)
                                OR EXISTS (
                                  SELECT 1 FROM mail_message message
                                   WHERE message.model = 'crm.lead'
                                     AND message.res_id = candidate.id
                                     AND message.author_id = candidate.partner_id
                                     AND message.date > candidate.since
                                     AND (message.message_type IN ('comment', 'email')
                                          OR message.mail_activity_type_id
                                             IS NOT NULL))
                              THEN 'met'
                              WHEN candidate.sla_deadline > now() AT TIME ZONE 'UTC'
                              THEN 'running'
                              ELSE 'none'
                          END AS state
                     FROM candidate
               )
               UPDATE crm_lead lead SET sla_state = judged.state
                 FROM judged
                WHERE judged.id = lead.id"""
        )
    )
