from datetime import timedelta

import pytz

from odoo import _, fields, models
from odoo.tools import SQL

from ..models.local_day import day_start_utc
from .sql_view import create_sql_view

# The queue's own distribution: what its weights are meant to spread.
FAIRNESS_METHODS = ("auto", "dispatch")
# Measures that are ratios of sums over a group, not sums or averages of rows.
RATIO_MEASURES = ("share", "weight_share", "gap", "band_share")


class CrmTeamQueueFairnessReport(models.Model):
    """How fairly a queue spread its leads: each person's share of the leads it
    gave (by automatic routing or dispatch) against their share of the active
    members' weights.

    One row per queue, person and day on which the queue gave leads; the
    people of a queue are its active members and whoever received its leads,
    so a member who got nothing still shows, with 0 leads. Days are cut in the
    time zone of the queue's company (UTC when it has none).

    ``share``, ``weight_share`` and ``gap`` are ratios of sums
    (:meth:`_read_group_select`): exact for any group inside one queue (a rep,
    a rep and a week, the queue's total of 100 %) whatever the filters.
    """

    _name = "crm.team.queue.fairness.report"
    _description = "Queue Fairness"
    _auto = False
    _order = "date desc, queue_id, gap desc"
    _rec_name = "user_id"
    _depends = {
        "crm.lead.assignment": ["create_date", "queue_id", "user_id", "method"],
        "crm.team.queue": ["team_id", "company_id", "strategy", "fairness_band"],
        "crm.team.queue.member": ["queue_id", "user_id", "weight", "active"],
    }

    date = fields.Date(string="Day", readonly=True)
    queue_id = fields.Many2one("crm.team.queue", string="Queue", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    user_id = fields.Many2one("res.users", string="Member", readonly=True)
    weight = fields.Integer(
        readonly=True,
        aggregator="max",
        help="The member's weight in the queue today (0: paused, or not a member).",
    )
    assigned_count = fields.Integer(
        string="Leads",
        readonly=True,
        help="Leads the queue gave them by automatic routing or dispatch (claims, "
        "handovers, the assignment wizard and manual changes are not counted).",
    )
    queue_count = fields.Integer(
        string="Leads of the Queue",
        readonly=True,
        aggregator="max",
        help="Leads the queue gave to anyone that day.",
    )
    queue_weight = fields.Integer(
        string="Weights of the Queue",
        readonly=True,
        aggregator="max",
        help="Sum of the weights of the queue's active members today.",
    )
    share = fields.Float(
        string="Share (%)",
        readonly=True,
        aggregator="avg",
        help="Their leads against all the leads the queue gave, in the period.",
    )
    weight_share = fields.Float(
        string="Weight Share (%)",
        readonly=True,
        aggregator="avg",
        help="Their weight against the weights of the queue's active members.",
    )
    gap = fields.Float(
        string="Gap (points)",
        readonly=True,
        aggregator="avg",
        help="Share of the leads minus share of the weights, in percentage points. "
        "0: they got exactly their weight's share; above: more than their "
        "share.",
    )

    fairness_band = fields.Integer(
        string="Band (%)",
        readonly=True,
        aggregator="max",
        help="Best-fit queues: how far above their weight's share a member may "
        "go (empty for the other strategies).",
    )
    band_share = fields.Float(
        string="Band Limit (%)",
        readonly=True,
        aggregator="avg",
        help="Best-fit queues: the most a member's share of the leads may reach, "
        "their weight share plus the band (empty for the other strategies).",
    )

    def _query(self):
        return SQL(
            """
            WITH given AS (
                SELECT line.queue_id, line.user_id,
                       (line.create_date AT TIME ZONE 'UTC'
                            AT TIME ZONE COALESCE(partner.tz, calendar.tz, 'UTC')
                       )::date AS day
                  FROM crm_lead_assignment line
                  JOIN crm_team_queue queue ON queue.id = line.queue_id
             LEFT JOIN res_company company ON company.id = queue.company_id
             LEFT JOIN res_partner partner ON partner.id = company.partner_id
             LEFT JOIN resource_calendar calendar
                    ON calendar.id = company.resource_calendar_id
                 WHERE line.method IN %(methods)s
                   AND line.user_id IS NOT NULL
            ), per_day AS (
                SELECT queue_id, user_id, day, COUNT(*) AS assigned_count
                  FROM given
              GROUP BY queue_id, user_id, day
            ), days AS (
                SELECT queue_id, day, SUM(assigned_count) AS queue_count
                  FROM per_day
              GROUP BY queue_id, day
            ), member AS (
                SELECT queue_id, user_id, weight
                  FROM crm_team_queue_member
                 WHERE active
            ), weights AS (
                SELECT queue_id, SUM(weight) AS total FROM member GROUP BY queue_id
            ), people AS (
                SELECT queue_id, user_id FROM member
                 UNION
                SELECT queue_id, user_id FROM per_day
            )
            SELECT ROW_NUMBER() OVER (
                       ORDER BY days.day, days.queue_id, people.user_id
                   ) AS id,
                   days.day AS date, days.queue_id, queue.team_id, queue.company_id,
                   people.user_id,
                   COALESCE(member.weight, 0) AS weight,
                   COALESCE(per_day.assigned_count, 0) AS assigned_count,
                   days.queue_count,
                   COALESCE(weights.total, 0) AS queue_weight,
                   100.0 * COALESCE(per_day.assigned_count, 0) / days.queue_count
                       AS share,
                   COALESCE(100.0 * member.weight / NULLIF(weights.total, 0), 0)
                       AS weight_share,
                   100.0 * COALESCE(per_day.assigned_count, 0) / days.queue_count
                   - COALESCE(100.0 * member.weight / NULLIF(weights.total, 0), 0)
                       AS gap,
                   %(band)s AS fairness_band,
                   COALESCE(100.0 * member.weight / NULLIF(weights.total, 0), 0)
                   * (1 + %(band)s / 100.0) AS band_share
              FROM days
              JOIN people ON people.queue_id = days.queue_id
              JOIN crm_team_queue queue ON queue.id = days.queue_id
         LEFT JOIN member ON member.queue_id = days.queue_id
                         AND member.user_id = people.user_id
         LEFT JOIN weights ON weights.queue_id = days.queue_id
         LEFT JOIN per_day ON per_day.queue_id = days.queue_id
                          AND per_day.user_id = people.user_id
                          AND per_day.day = days.day
            """,
            methods=FAIRNESS_METHODS,
            # NULL for the other strategies: no band, no limit
            band=SQL(
                "(CASE WHEN queue.strategy = 'best_fit' THEN queue.fairness_band END)"
            ),
        )

    def init(self):
        create_sql_view(self)

    def _read_group_select(self, aggregate_spec, query):
        """Shares of a group are ratios of its sums: the group's leads against
        the leads its queue gave on the group's days (each person of a queue
        has a row each day, so ``SUM(queue_count) / COUNT(DISTINCT user_id)``
        is the queue's total), likewise for the weights; empty for a group
        of several queues, where no such total holds."""
        fname = aggregate_spec.split(":")[0]
        if fname not in RATIO_MEASURES:
            return super()._read_group_select(aggregate_spec, query)

        def column(name):
            return self._field_to_sql(self._table, name, query)

        def ratio(part, queue_total):
            return SQL(
                "COALESCE(100.0 * SUM(%s) / NULLIF(SUM(%s)::numeric"
                " / COUNT(DISTINCT %s), 0), 0)",
                column(part),
                column(queue_total),
                column("user_id"),
            )

        share = ratio("assigned_count", "queue_count")
        weight_share = ratio("weight", "queue_weight")
        band = SQL("(1 + MAX(%s) / 100.0)", column("fairness_band"))
        measure = {
            "share": share,
            "weight_share": weight_share,
            "band_share": SQL("%s * %s", weight_share, band),
        }.get(fname)
        if measure is None:
            measure = SQL("(%s - %s)", share, weight_share)
        # A share is of one queue's leads: none for a group of several queues
        # (a total over queues, a member of several).
        return SQL(
            "CASE WHEN COUNT(DISTINCT %s) = 1 THEN %s END",
            column("queue_id"),
            measure,
        )

    def action_open_ledger(self):
        """The ledger lines (with their reasons) behind this row: the leads the
        queue gave this person on this day."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "%(queue)s: leads of %(user)s on %(day)s",
                queue=self.queue_id.display_name,
                user=self.user_id.display_name,
                day=fields.Date.to_string(self.date),
            ),
            "res_model": "crm.lead.assignment",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": self._ledger_domain(),
        }

    def _ledger_domain(self):
        """Ledger lines of the queue's own distribution (methods in
        :data:`FAIRNESS_METHODS`) that gave this row's person a lead on its
        day (in the time zone of the queue's company)."""
        self.ensure_one()
        tz = pytz.timezone(self.company_id._sales_tz())

        def utc(day):
            return day_start_utc(day, tz)

        return [
            ("queue_id", "=", self.queue_id.id),
            ("method", "in", FAIRNESS_METHODS),
            ("user_id", "=", self.user_id.id),
            ("create_date", ">=", utc(self.date)),
            ("create_date", "<", utc(self.date + timedelta(days=1))),
        ]
