"""Best fit's memory: how many leads each salesperson won and lost in each
team, per value of the lead (its country, source, tags, revenue band, ...),
kept like Odoo's ``crm.lead.scoring.frequency`` but per salesperson.

Rebuilt by the nightly scheduled action and for a team when one of its queues
starts to route by best fit; the rows of a salesperson are counted again when
one of their leads is won, lost or reopened (``crm_lead_fit.py``). Written in
SQL by the module alone (no one writes them through the API)."""

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

from .fit_score import REVENUE_BOUNDS, TOTAL, FitCounts, revenue_band


class CrmLeadFitFrequency(models.Model):
    _name = "crm.lead.fit.frequency"
    _description = "Best Fit: Won and Lost Leads per Salesperson"
    _log_access = False
    _order = "team_id, user_id, variable, value"

    team_id = fields.Many2one(
        "crm.team", string="Sales Team", required=True, ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", required=True, ondelete="cascade"
    )
    variable = fields.Char(
        required=True, help="The lead's field (empty: every closed lead)."
    )
    value = fields.Char(required=True, help="The field's value (an id, a band).")
    won_count = fields.Integer(string="Won")
    lost_count = fields.Integer(string="Lost")

    _sql_constraints = [
        (
            "fit_frequency_unique",
            "UNIQUE (team_id, user_id, variable, value)",
            "One count per salesperson, team and value.",
        )
    ]

    # ------------------------------------------------------------
    # VARIABLES: what "leads like this one" means
    # ------------------------------------------------------------

    @api.model
    def _fit_variables(self):
        """The lead's values best fit compares, as paths from ``crm.lead``: a
        stored field (many2one, many2many, selection) or a many2one then a
        stored field of its model; ``expected_revenue`` counts by band
        (:data:`fit_score.REVENUE_BOUNDS`). Another add-on adds a path here."""
        return [
            "country_id",
            "state_id",
            "lang_id",
            "source_id",
            "tag_ids",
            "priority",
            "expected_revenue",
            "partner_id.category_id",
        ]

    @api.model
    def _fit_lead_items(self, lead):
        """The (variable, value) pairs of ``lead`` (a record), as the SQL of
        :meth:`_fit_values_sql` counts them."""
        items = []
        for path in self._fit_variables():
            if path == "expected_revenue":
                band = revenue_band(lead.expected_revenue)
                values = [band] if band else []
            else:
                head, _dot, tail = path.partition(".")
                value = lead[head]
                if tail:
                    value = value[tail] if value else False
                if isinstance(value, models.BaseModel):
                    values = [str(record_id) for record_id in value.ids]
                else:
                    values = [str(value)] if value else []
            items.extend((path, value) for value in values)
        return items

    @api.model
    def _fit_values_sql(self, path):
        """Rows (lead id, variable, value) of the closed leads (``closed``) for
        the variable ``path`` of :meth:`_fit_variables`."""
        if path == "expected_revenue":
            return SQL(
                """SELECT l.id, %s, width_bucket(l.expected_revenue, %s)::text
                     FROM closed c JOIN crm_lead l ON l.id = c.id
                    WHERE l.expected_revenue > 0""",
                path,
                list(REVENUE_BOUNDS),
            )
        head, _dot, tail = path.partition(".")
        field = self.env["crm.lead"]._fields[head]
        if not tail:
            return self._fit_field_sql(path, field, "l")
        comodel = self.env[field.comodel_name]
        join = SQL(
            "JOIN %s x ON x.id = l.%s",
            SQL.identifier(comodel._table),
            SQL.identifier(head),
        )
        return self._fit_field_sql(path, comodel._fields[tail], "x", join)

    @api.model
    def _fit_field_sql(self, path, field, alias, join=None):
        """Rows (lead id, variable, value) of the stored ``field`` of the
        records ``alias`` (the lead ``l``, or reached by ``join``)."""
        base = SQL("FROM closed c JOIN crm_lead l ON l.id = c.id %s", join or SQL())
        if field.type == "many2many":
            return SQL(
                """SELECT l.id, %(path)s, r.%(col2)s::text %(base)s
                     JOIN %(rel)s r ON r.%(col1)s = %(alias)s.id""",
                path=path,
                base=base,
                rel=SQL.identifier(field.relation),
                col1=SQL.identifier(field.column1),
                col2=SQL.identifier(field.column2),
                alias=SQL.identifier(alias),
            )
        column = SQL.identifier(alias, field.name)
        return SQL(
            "SELECT l.id, %s, %s::text %s WHERE %s IS NOT NULL",
            path,
            column,
            base,
            column,
        )

    # ------------------------------------------------------------
    # REFRESH
    # ------------------------------------------------------------

    @api.model
    def _fit_scope(self, team_ids=None, pairs=None):
        """The leads (SQL on ``l``) and rows (SQL) a refresh of the teams
        ``team_ids`` or of the (team id, user id) ``pairs`` counts again."""
        if pairs is not None:
            pairs = sorted(set(pairs))
            pair_ids = SQL(
                "(SELECT * FROM unnest(%s::int[], %s::int[]))",
                [team for team, _user in pairs],
                [user for _team, user in pairs],
            )
            return (
                SQL("(l.team_id, l.user_id) IN %s", pair_ids),
                SQL("(team_id, user_id) IN %s", pair_ids),
            )
        if team_ids is not None:
            return (
                SQL("l.team_id = ANY(%s)", list(team_ids)),
                SQL("team_id = ANY(%s)", list(team_ids)),
            )
        return SQL("TRUE"), SQL("TRUE")

    @api.model
    def _fit_closed_sql(self, scope):
        """The closed leads of ``scope`` (SQL on ``l``) that count: (id, team,
        salesperson, won). Won: active, in a won stage; lost: archived with
        probability 0 (as Odoo's predictive scoring). Left out:

        - a lead its own salesperson created: routing gives leads that come
          in, and a rep's own deals (or leads made up and marked won) say
          nothing of how they win those;
        - a lead whose last stage change (the close, in the stage history)
          was made by someone else than its salesperson then, the team's
          leader, a sales manager or the system: a colleague who may edit the
          team's leads cannot mark a rep's leads lost to send leads elsewhere.
        """
        return SQL(
            """SELECT l.id, l.team_id, l.user_id,
                      l.active AND COALESCE(s.is_won, FALSE) AS won
                 FROM crm_lead l
            LEFT JOIN crm_stage s ON s.id = l.stage_id
            LEFT JOIN crm_team t ON t.id = l.team_id
            LEFT JOIN LATERAL (
                      SELECT h.user_id, h.salesperson_id
                        FROM crm_lead_stage_history h
                       WHERE h.lead_id = l.id
                    ORDER BY h.id DESC LIMIT 1) closer ON TRUE
                WHERE l.team_id IS NOT NULL AND l.user_id IS NOT NULL
                  AND l.create_uid IS DISTINCT FROM l.user_id
                  AND ((l.active AND s.is_won)
                       OR (NOT l.active AND l.probability = 0))
                  AND (closer.user_id IS NULL
                       OR closer.user_id = closer.salesperson_id
                       OR closer.user_id = t.user_id
                       OR closer.user_id = %(root)s
                       OR EXISTS (SELECT 1 FROM res_groups_users_rel g
                                   WHERE g.uid = closer.user_id
                                     AND g.gid = %(managers)s))
                  AND %(scope)s""",
            scope=scope,
            root=SUPERUSER_ID,
            managers=self.env.ref("sales_team.group_sale_manager").id,
        )

    @api.model
    def _fit_flush(self):
        """Flush what the counts read."""
        self.env["crm.lead"].flush_model()
        self.env["crm.stage"].flush_model(["is_won"])
        self.env["res.partner"].flush_model(["category_id"])
        self.env["crm.lead.stage.history"].flush_model()

    @api.model
    def _fit_refresh(self, team_ids=None, pairs=None, log_exceptions=True):
        """Count again the closed leads (:meth:`_fit_closed_sql`) of the
        teams ``team_ids`` (None: every team), or only of the (team id, user
        id) ``pairs``, per salesperson and value, in one statement (JIT off:
        the join's estimates are far above its rows, and compiling cost more
        than counting)."""
        if pairs is not None and not pairs:
            return
        scope, where = self._fit_scope(team_ids, pairs)
        self._fit_flush()
        self.env.cr.execute(
            SQL(
                """SET LOCAL jit = off;
                   DELETE FROM crm_lead_fit_frequency WHERE %(where)s;
                   WITH closed AS (%(closed)s), items(lead_id, variable, value) AS (
                       SELECT c.id, %(total)s, %(total)s FROM closed c
                       %(values)s
                   )
                   INSERT INTO crm_lead_fit_frequency
                          (team_id, user_id, variable, value, won_count, lost_count)
                   SELECT c.team_id, c.user_id, i.variable, i.value,
                          COUNT(*) FILTER (WHERE c.won),
                          COUNT(*) FILTER (WHERE NOT c.won)
                     FROM closed c JOIN items i ON i.lead_id = c.id
                 GROUP BY c.team_id, c.user_id, i.variable, i.value
                       ON CONFLICT (team_id, user_id, variable, value) DO UPDATE
                      SET won_count = EXCLUDED.won_count,
                          lost_count = EXCLUDED.lost_count;
                   SET LOCAL jit TO DEFAULT""",
                where=where,
                closed=self._fit_closed_sql(scope),
                total=TOTAL[0],
                values=SQL("").join(
                    SQL(" UNION ALL %s", self._fit_values_sql(path))
                    for path in self._fit_variables()
                ),
            ),
            log_exceptions=log_exceptions,
        )
        self.invalidate_model()

    @api.model
    def _cron_fit_refresh(self):
        """The nightly scheduled action: count again the history of the teams
        routed by best fit, and drop the counts of the other teams."""
        team_ids = self.env["crm.team.queue"]._fit_team_ids()
        self.env.cr.execute(
            SQL(
                "DELETE FROM crm_lead_fit_frequency WHERE team_id <> ALL(%s)",
                team_ids,
            )
        )
        if team_ids:
            self._fit_refresh(team_ids)

    # ------------------------------------------------------------
    # READ (routing)
    # ------------------------------------------------------------

    @api.model
    def _fit_counts(self, team_ids, items):
        """The counts of the teams ``team_ids`` on the values ``items``
        ((variable, value) pairs) and in total, per salesperson and for the
        whole team, in one query. :return: a :class:`FitCounts`"""
        items = sorted(set(items) | {TOTAL})
        self.env.cr.execute(
            SQL(
                """SELECT team_id, user_id, variable, value,
                          SUM(won_count), SUM(lost_count)
                     FROM crm_lead_fit_frequency
                    WHERE team_id = ANY(%s)
                      AND (variable, value) IN (
                          SELECT * FROM unnest(%s::varchar[], %s::varchar[]))
                 GROUP BY GROUPING SETS ((team_id, user_id, variable, value),
                                         (team_id, variable, value))""",
                sorted(team_ids),
                [variable for variable, _value in items],
                [value for _variable, value in items],
            )
        )
        return FitCounts(
            (team, user, variable, value, int(won), int(lost))
            for team, user, variable, value, won, lost in self.env.cr.fetchall()
        )
