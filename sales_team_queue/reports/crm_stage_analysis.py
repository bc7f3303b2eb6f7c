from odoo import fields, models
from odoo.tools import SQL

from .sql_view import create_sql_view, median_sql


class CrmStageAnalysis(models.Model):
    """One row per stay of a lead in a stage, from the stage history: when it
    entered, when and where it went next, and how long it stayed."""

    _name = "crm.stage.analysis"
    _inherit = ["crm.lead.visibility.mixin"]
    _description = "Stage Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "stage_id"

    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    next_stage_id = fields.Many2one(
        "crm.stage",
        string="Moved To",
        readonly=True,
        help="Stage the lead went to after this one (empty while it is still in it, "
        "or when it was lost there).",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    salesperson_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    date = fields.Datetime(string="Entered On", readonly=True)
    date_left = fields.Datetime(string="Left On", readonly=True)
    outcome = fields.Selection(
        [
            ("open", "Still in Stage"),
            ("forward", "Moved Forward"),
            ("back", "Moved Back"),
            ("lost", "Lost"),
        ],
        readonly=True,
        help="Moved forward: to a won stage or a later stage (by sequence).",
    )
    duration_hours = fields.Float(
        string="Time in Stage",
        readonly=True,
        aggregator="avg",
        help="Hours the lead stayed in the stage (average of the stays that ended).",
    )
    median_hours = fields.Float(
        string="Median Time (Stage)",
        readonly=True,
        aggregator="avg",
        help="Median of the hours spent in the stage, over the whole history of the "
        "stage (filters do not change it).",
    )
    median_hours_team = fields.Float(
        string="Median Time (Stage, Team)",
        readonly=True,
        aggregator="avg",
        help="Median of the hours spent in the stage by the team's leads, over the "
        "whole history. Exact where the rows are grouped by stage and team.",
    )
    median_hours_salesperson = fields.Float(
        string="Median Time (Stage, Salesperson)",
        readonly=True,
        aggregator="avg",
        help="Median of the hours spent in the stage by the salesperson's leads, "
        "over the whole history. Exact where the rows are grouped by stage and "
        "salesperson.",
    )
    conversion_rate = fields.Float(
        string="Moved Forward (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the stays that ended by moving to a later or won stage.",
    )
    lost_rate = fields.Float(
        string="Lost (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the stays that ended with the lead lost in the stage.",
    )

    def _query(self):
        # A stay starts with any history line but 'lost' (time spent lost is not
        # time in the stage) and ends with the next line recorded on the same
        # lead, whose duration is the stay's length. Medians are precomputed
        # (median_sql).
        return SQL(
            """
            WITH line AS (
                SELECT history.*,
                       LEAD(history.id) OVER (
                           PARTITION BY history.source_lead_ref
                           ORDER BY history.date, history.id
                       ) AS next_id
                  FROM crm_lead_stage_history history
            ), stay AS (
                SELECT line.id, line.lead_id, line.stage_id, line.team_id,
                       line.salesperson_id, line.company_id, line.date,
                       next.date AS date_left,
                       CASE WHEN next.event != 'lost' THEN next.stage_id END
                           AS next_stage_id,
                       next.event AS next_event, next.duration_hours
                  FROM line
             LEFT JOIN crm_lead_stage_history next ON next.id = line.next_id
                 WHERE line.event != 'lost' AND line.stage_id IS NOT NULL
            ), by_stage AS (%(by_stage)s
            ), by_team AS (%(by_team)s
            ), by_salesperson AS (%(by_salesperson)s
            ), outcome AS (
                SELECT stay.*,
                       CASE
                           WHEN stay.next_event IS NULL THEN 'open'
                           WHEN stay.next_event = 'lost' THEN 'lost'
                           WHEN next_stage.is_won
                                OR (next_stage.sequence, next_stage.id)
                                   > (stage.sequence, stage.id) THEN 'forward'
                           ELSE 'back'
                       END AS outcome
                  FROM stay
                  JOIN crm_stage stage ON stage.id = stay.stage_id
             LEFT JOIN crm_stage next_stage ON next_stage.id = stay.next_stage_id
            )
            SELECT outcome.id, outcome.lead_id, outcome.stage_id,
                   outcome.next_stage_id, outcome.team_id, outcome.salesperson_id,
                   outcome.company_id, outcome.date, outcome.date_left,
                   outcome.outcome, outcome.duration_hours,
                   by_stage.median AS median_hours,
                   by_team.median AS median_hours_team,
                   by_salesperson.median AS median_hours_salesperson,
                   CASE outcome.outcome
                       WHEN 'open' THEN NULL WHEN 'forward' THEN 100.0 ELSE 0.0
                   END AS conversion_rate,
                   CASE outcome.outcome
                       WHEN 'open' THEN NULL WHEN 'lost' THEN 100.0 ELSE 0.0
                   END AS lost_rate
              FROM outcome
         LEFT JOIN by_stage ON by_stage.stage_id = outcome.stage_id
         LEFT JOIN by_team ON by_team.stage_id = outcome.stage_id
                          AND by_team.team_id IS NOT DISTINCT FROM outcome.team_id
         LEFT JOIN by_salesperson
                ON by_salesperson.stage_id = outcome.stage_id
               AND by_salesperson.salesperson_id
                   IS NOT DISTINCT FROM outcome.salesperson_id
            """,
            by_stage=median_sql("stay", "duration_hours", ["stage_id"]),
            by_team=median_sql("stay", "duration_hours", ["stage_id", "team_id"]),
            by_salesperson=median_sql(
                "stay", "duration_hours", ["stage_id", "salesperson_id"]
            ),
        )

    def init(self):
        create_sql_view(self)
