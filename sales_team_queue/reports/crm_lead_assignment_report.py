from odoo import fields, models
from odoo.tools import SQL

from ..models.crm_lead_sla import SLA_MESSAGE_TYPES
from ..models.values import ACCOUNT_REASONS, ASSIGNMENT_METHODS
from .sql_view import create_sql_view, median_sql


class CrmLeadAssignmentReport(models.Model):
    """One row per line of the assignment ledger, with what became of it: how
    long the lead waited before a claim, how fast the rep followed it up, and
    whether the lead was won, lost or recycled while the rep held it.

    Definitions (see the readme's DEVELOP notes):

    - *time to claim*: ``wait_minutes`` of the claim lines;
    - *first response*: from the line to the first follow-up by the rep who got
      the lead, before the lead changed hands again: a change of stage, won or
      lost that they made (stage history), or a message, note or e-mail they
      wrote (the message types that meet an SLA, ``SLA_MESSAGE_TYPES``), or an
      activity they marked done, on the lead (chatter). What others do on the
      lead (the leader's note, the routing's own notifications, an import as
      the administrator) is not the rep's response; a line with no follow-up
      has no figure (empty, not 0);
    - *won* / *lost*: the line is the lead's last one (the rep still holds it)
      and the lead is won (active, in a won stage) / lost (archived, 0 %);
    - *offers*: an ``offer`` line counts as the assignment; the ``accepted``
      line that follows it is not a row, it gives the offer its *time to
      accept*; *acceptance rate*: of the offers, the share accepted;
    - *claim success rate*: of the claims, the share whose lead the claimer
      won; *recycle rate*: of the assignments, the share taken back by a
      recycle; *conversion*: of the assignments, the share won.
    """

    _name = "crm.lead.assignment.report"
    _inherit = ["crm.lead.visibility.mixin"]
    _description = "Assignment Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "lead_id"

    date = fields.Datetime(readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        readonly=True,
        help="Who got the lead (for a recycle back to the pool: who lost it).",
    )
    queue_id = fields.Many2one("crm.team.queue", string="Queue", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    method = fields.Selection(ASSIGNMENT_METHODS, readonly=True)
    assignment_count = fields.Integer(
        string="Assignments", readonly=True, help="Leads given to a salesperson."
    )
    claim_count = fields.Integer(string="Claims", readonly=True)
    dispatch_count = fields.Integer(string="Dispatches", readonly=True)
    recycle_count = fields.Integer(string="Recycles", readonly=True)
    claim_minutes = fields.Float(
        string="Time to Claim",
        readonly=True,
        aggregator="avg",
        help="Minutes the lead waited in the pool before it was claimed (average).",
    )
    median_claim_minutes_user = fields.Float(
        string="Median Time to Claim (Salesperson)",
        readonly=True,
        aggregator="avg",
        help="Median of the salesperson's times to claim, over the whole history "
        "(filters do not change it). Exact where rows are grouped by salesperson.",
    )
    median_claim_minutes_queue = fields.Float(
        string="Median Time to Claim (Queue)",
        readonly=True,
        aggregator="avg",
        help="Median of the queue's times to claim, over the whole history "
        "(filters do not change it). Exact where rows are grouped by queue.",
    )
    response_minutes = fields.Float(
        string="Time to First Response",
        readonly=True,
        aggregator="avg",
        help="Minutes from the assignment to the salesperson's first follow-up "
        "on the lead while they held it: a stage change, won or lost they made, a "
        "message, note or e-mail they wrote, or an activity they marked done. "
        "Empty when there was none.",
    )
    offer_count = fields.Integer(
        string="Offers", readonly=True, help="Leads offered to the salesperson."
    )
    accepted_count = fields.Integer(
        string="Offers Accepted", readonly=True, help="Offers the salesperson accepted."
    )
    accept_minutes = fields.Float(
        string="Time to Accept",
        readonly=True,
        aggregator="avg",
        help="Minutes from an offer to its acceptance (average of the accepted "
        "offers).",
    )
    acceptance_rate = fields.Float(
        string="Acceptance Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Of the leads offered to the salesperson, the share they accepted.",
    )
    account_count = fields.Integer(
        string="Returning Customers",
        readonly=True,
        help="Leads given to the salesperson of their customer's account.",
    )
    relaxed_count = fields.Integer(
        string="Skills Relaxed",
        readonly=True,
        help="Leads given to a member without the skill they needed, after the "
        "queue's wait for a skilled member.",
    )
    won_count = fields.Integer(string="Won", readonly=True)
    lost_count = fields.Integer(string="Lost", readonly=True)
    claim_success_rate = fields.Float(
        string="Claim Success (%)",
        readonly=True,
        aggregator="avg",
        help="Of the claimed leads, the share the claimer won.",
    )
    recycle_rate = fields.Float(
        string="Recycle Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Of the leads given to a salesperson, the share taken back by a recycle.",
    )
    conversion_rate = fields.Float(
        string="Conversion (%)",
        readonly=True,
        aggregator="avg",
        help="Of the leads given to a salesperson, the share they won.",
    )

    def _query(self):
        return SQL(
            """
            WITH line AS (
                SELECT a.*,
                       LEAD(a.create_date) OVER w AS next_date,
                       LEAD(a.method) OVER w AS next_method,
                       LEAD(a.id) OVER w AS next_id
                  FROM crm_lead_assignment a
                 WHERE a.method <> 'accepted'
                WINDOW w AS (PARTITION BY a.lead_id ORDER BY a.create_date, a.id)
            ), fact AS (
                SELECT line.id, line.create_date AS date, line.lead_id,
                       CASE WHEN line.method IN ('recycle', 'declined', 'expired')
                                 AND line.user_id IS NULL
                            THEN line.previous_user_id ELSE line.user_id
                       END AS user_id,
                       line.queue_id, line.team_id,
                       COALESCE(line.company_id, lead.company_id) AS company_id,
                       line.method,
                       (line.user_id IS NOT NULL)::int AS assignment_count,
                       (line.method = 'claim')::int AS claim_count,
                       (line.method = 'dispatch')::int AS dispatch_count,
                       (line.method = 'recycle')::int AS recycle_count,
                       (line.method = 'offer')::int AS offer_count,
                       COALESCE(line.reason_code IN %(account_reasons)s, FALSE)::int
                           AS account_count,
                       COALESCE(line.reason_code = 'skills_relaxed', FALSE)::int
                           AS relaxed_count,
                       (line.method = 'offer'
                        AND accepted.date IS NOT NULL)::int AS accepted_count,
                       CASE WHEN line.method = 'offer' THEN
                           EXTRACT(EPOCH FROM (accepted.date - line.create_date)) / 60.0
                       END AS accept_minutes,
                       CASE WHEN line.method = 'claim' THEN line.wait_minutes
                       END AS claim_minutes,
                       CASE WHEN line.user_id IS NOT NULL THEN
                           EXTRACT(EPOCH FROM (response.first_date - line.create_date))
                           / 60.0
                       END AS response_minutes,
                       (line.user_id IS NOT NULL AND line.next_id IS NULL
                        AND lead.active AND COALESCE(stage.is_won, FALSE)) AS won,
                       (line.user_id IS NOT NULL AND line.next_id IS NULL
                        AND NOT lead.active AND lead.probability = 0) AS lost,
                       (line.user_id IS NOT NULL
                        AND line.next_method = 'recycle') AS recycled,
                       line.user_id IS NOT NULL AS assigned
                  FROM line
                  JOIN crm_lead lead ON lead.id = line.lead_id
             LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
             LEFT JOIN res_users owner ON owner.id = line.user_id
             LEFT JOIN LATERAL (
                    SELECT MIN(follow_up.date) AS first_date FROM (
                        SELECT history.date
                          FROM crm_lead_stage_history history
                         WHERE history.lead_id = line.lead_id
                           AND history.user_id = line.user_id
                           AND history.event IN ('stage', 'won', 'lost')
                           AND history.date >= line.create_date
                           AND (line.next_date IS NULL
                                OR history.date < line.next_date)
                        UNION ALL
                        SELECT message.date
                          FROM mail_message message
                         WHERE message.model = 'crm.lead'
                           AND message.res_id = line.lead_id
                           AND message.author_id = owner.partner_id
                           AND (message.message_type IN %(message_types)s
                                OR message.mail_activity_type_id IS NOT NULL)
                           AND message.date >= line.create_date
                           AND (line.next_date IS NULL
                                OR message.date < line.next_date)
                    ) follow_up
                ) response ON line.user_id IS NOT NULL
             LEFT JOIN LATERAL (
                    SELECT MIN(acceptance.create_date) AS date
                      FROM crm_lead_assignment acceptance
                     WHERE acceptance.lead_id = line.lead_id
                       AND acceptance.method = 'accepted'
                       AND acceptance.create_date >= line.create_date
                       AND (line.next_date IS NULL
                            OR acceptance.create_date < line.next_date)
                ) accepted ON line.method = 'offer'
            ), by_user AS (%(by_user)s
            ), by_queue AS (%(by_queue)s
            )
            SELECT fact.id, fact.date, fact.lead_id, fact.user_id, fact.queue_id,
                   fact.team_id, fact.company_id, fact.method,
                   fact.assignment_count, fact.claim_count, fact.dispatch_count,
                   fact.recycle_count, fact.claim_minutes, fact.response_minutes,
                   fact.offer_count, fact.accepted_count, fact.accept_minutes,
                   fact.account_count, fact.relaxed_count,
                   CASE WHEN fact.offer_count = 1
                        THEN 100.0 * fact.accepted_count
                   END AS acceptance_rate,
                   by_user.median AS median_claim_minutes_user,
                   by_queue.median AS median_claim_minutes_queue,
                   fact.won::int AS won_count,
                   fact.lost::int AS lost_count,
                   CASE WHEN fact.claim_count = 1
                        THEN CASE WHEN fact.won THEN 100.0 ELSE 0.0 END
                   END AS claim_success_rate,
                   CASE WHEN fact.assigned
                        THEN CASE WHEN fact.recycled THEN 100.0 ELSE 0.0 END
                   END AS recycle_rate,
                   CASE WHEN fact.assigned
                        THEN CASE WHEN fact.won THEN 100.0 ELSE 0.0 END
                   END AS conversion_rate
              FROM fact
         LEFT JOIN by_user ON fact.claim_count = 1
                          AND by_user.user_id IS NOT DISTINCT FROM fact.user_id
         LEFT JOIN by_queue ON fact.claim_count = 1
                           AND by_queue.queue_id IS NOT DISTINCT FROM fact.queue_id
            """,
            message_types=tuple(sorted(SLA_MESSAGE_TYPES)),
            account_reasons=ACCOUNT_REASONS,
            by_user=median_sql("fact", "claim_minutes", ["user_id"]),
            by_queue=median_sql("fact", "claim_minutes", ["queue_id"]),
        )

    def init(self):
        create_sql_view(self)
