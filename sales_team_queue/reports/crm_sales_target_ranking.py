from odoo import fields, models
from odoo.tools import SQL

from .sql_view import create_sql_view


class CrmSalesTargetRanking(models.Model):
    """The leaderboard as reps read it: each rep's target of a period ranked
    among the reps of the same team, company and period, by progress.

    It carries only what a rep may see of their teammates: names, rank and
    progress. The amounts (revenue and deals, target and achieved) are in the
    view only when the company shows them (``leaderboard_show_amounts``);
    otherwise its columns are empty in the database, so no path (read, search,
    group, export) can reach them. The targets themselves stay readable as
    before (a rep their own, leaders their teams', managers all)."""

    _name = "crm.sales.target.ranking"
    _description = "Leaderboard"
    _auto = False
    _order = "date_from desc, team_id, rank, id"
    _rec_name = "user_id"
    _depends = {
        "crm.sales.target": [
            "user_id",
            "team_id",
            "company_id",
            "date_from",
            "date_to",
            "progress",
            "revenue_target",
            "revenue_achieved",
            "won_count_target",
            "won_count_achieved",
        ],
        "res.company": ["leaderboard_show_amounts", "currency_id"],
    }

    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_from = fields.Date(string="From", readonly=True)
    date_to = fields.Date(string="To", readonly=True)
    progress = fields.Float(string="Progress (%)", readonly=True, aggregator="avg")
    rank = fields.Integer(
        readonly=True,
        aggregator="min",
        help="Place of the rep among the reps of the same team and period, by "
        "progress.",
    )
    is_top = fields.Boolean(
        string="Top Performer",
        readonly=True,
        help="First of the team in the period, or reached their target.",
    )
    show_amounts = fields.Boolean(
        readonly=True,
        help="The company shows the amounts on the leaderboard (Settings).",
    )
    revenue_target = fields.Monetary(readonly=True)
    revenue_achieved = fields.Monetary(string="Revenue Won", readonly=True)
    won_count_target = fields.Integer(string="Won Deals Target", readonly=True)
    won_count_achieved = fields.Integer(string="Deals Won", readonly=True)

    def _query(self):
        # The ranking is crm.sales.target's (_compute_rank): progress, then id.
        return SQL(
            """
            SELECT target.id, target.user_id, target.team_id, target.company_id,
                   company.currency_id, target.date_from, target.date_to,
                   target.progress, ranked.rank,
                   target.progress > 0
                       AND (ranked.rank = 1 OR target.progress >= 100) AS is_top,
                   COALESCE(company.leaderboard_show_amounts, FALSE)
                       AS show_amounts,
                   CASE WHEN company.leaderboard_show_amounts
                        THEN target.revenue_target END AS revenue_target,
                   CASE WHEN company.leaderboard_show_amounts
                        THEN target.revenue_achieved END AS revenue_achieved,
                   CASE WHEN company.leaderboard_show_amounts
                        THEN target.won_count_target END AS won_count_target,
                   CASE WHEN company.leaderboard_show_amounts
                        THEN target.won_count_achieved END AS won_count_achieved
              FROM crm_sales_target target
              JOIN res_company company ON company.id = target.company_id
              JOIN (
                    SELECT id, ROW_NUMBER() OVER (
                               PARTITION BY company_id, team_id, date_from, date_to
                               ORDER BY progress DESC NULLS LAST, id
                           ) AS rank
                      FROM crm_sales_target
                     WHERE user_id IS NOT NULL
                   ) ranked ON ranked.id = target.id
            """
        )

    def init(self):
        create_sql_view(self)
