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
    def _fit_scope(self, team, user, team_ids=None, pairs=None):
        """SQL: the columns ``team`` and ``user`` (SQL) are of the teams
        ``team_ids`` (None: every team) or of the (team id, user id)
        ``pairs``."""
        if pairs is not None:
            pairs = sorted(set(pairs))
            return SQL(
                "(%s, %s) IN (SELECT * FROM unnest(%s::int[], %s::int[]))",
                team,
                user,
                [team_id for team_id, _user in pairs],
                [user_id for _team, user_id in pairs],
            )
        if team_ids is not None:
            return SQL("%s = ANY(%s)", team, list(team_ids))
        return SQL("TRUE")

    @api.model
    def _fit_closed_sql(self, team_ids=None, pairs=None):
        """The closed leads that count, of the teams ``team_ids`` or the
        (team id, user id) ``pairs`` (:meth:`_fit_scope`): (id, team,
        salesperson, won).

        A lead's state is its last stage change made by someone trusted with
        it (the stage history: its salesperson then, the team's leader, a
        sales manager or the system): won (a won stage) or lost, counted for
        the team and salesperson of that change (the lines a merge brought
        from another lead are that lead's). What a colleague did to it
        (marked lost, archived, reopened) does not count, nor does handing a
        closed lead to someone else, or changing its probability. A lead its
        own salesperson created is left out: routing gives leads that come in,
        and a rep's own deals (or made-up ones) say nothing of how they win
        those. A lead closed before the module kept its stage history counts
        as it is (Odoo's predictive scoring: won, active in a won stage;
        lost, archived with probability 0)."""
        return SQL(
            "%s UNION ALL %s",
            self._fit_closed_by_history_sql(team_ids, pairs),
            self._fit_closed_before_history_sql(team_ids, pairs),
        )

    @api.model
    def _fit_closed_by_history_sql(self, team_ids=None, pairs=None):
        """The closed leads of :meth:`_fit_closed_sql` that have a stage
        history: each by its last change made by someone trusted with it."""
        return SQL(
            """SELECT c.id, c.team_id, c.user_id, c.won FROM (
                      SELECT DISTINCT ON (h.lead_id) h.lead_id AS id, h.team_id,
                             h.salesperson_id AS user_id, h.event <> 'lost' AS won,
                             h.event = 'lost' OR COALESCE(s.is_won, FALSE) AS closed
                        FROM crm_lead_stage_history h
                   LEFT JOIN crm_team t ON t.id = h.team_id
                   LEFT JOIN crm_stage s ON s.id = h.stage_id
                       WHERE h.lead_id IN (SELECT h.lead_id
                                             FROM crm_lead_stage_history h
                                            WHERE %(line_scope)s)
                         AND h.source_lead_ref = h.lead_id
                         AND (h.user_id = h.salesperson_id
                              OR h.user_id = t.user_id
                              OR h.user_id = %(root)s
                              OR EXISTS (SELECT 1 FROM res_groups_users_rel g
                                          WHERE g.uid = h.user_id
                                            AND g.gid = %(managers)s))
                    ORDER BY h.lead_id, h.id DESC) c
                 JOIN crm_lead l ON l.id = c.id
                WHERE c.closed AND c.team_id IS NOT NULL AND c.user_id IS NOT NULL
                  AND l.create_uid IS DISTINCT FROM c.user_id
                  AND %(closed_scope)s""",
            line_scope=self._fit_scope(
                SQL("h.team_id"), SQL("h.salesperson_id"), team_ids, pairs
            ),
            closed_scope=self._fit_scope(
                SQL("c.team_id"), SQL("c.user_id"), team_ids, pairs
            ),
            root=SUPERUSER_ID,
            managers=self.env.ref("sales_team.group_sale_manager").id,
        )

    @api.model
    def _fit_closed_before_history_sql(self, team_ids=None, pairs=None):
        """The closed leads of :meth:`_fit_closed_sql` without stage history
        (closed before the module was installed): by their state."""
        return SQL(
            """SELECT l.id, l.team_id, l.user_id,
                      l.active AND COALESCE(s.is_won, FALSE)
                 FROM crm_lead l
            LEFT JOIN crm_stage s ON s.id = l.stage_id
                WHERE NOT EXISTS (SELECT 1 FROM crm_lead_stage_history h
                                   WHERE h.lead_id = l.id)
                  AND l.team_id IS NOT NULL AND l.user_id IS NOT NULL
                  AND l.create_uid IS DISTINCT FROM l.user_id
                  AND ((l.active AND s.is_won)
                       OR (NOT l.active AND l.probability = 0))
                  AND %s""",
            self._fit_scope(SQL("l.team_id"), SQL("l.user_id"), team_ids, pairs),
        )

    @api.model
    def _fit_history_pairs(self, leads, team_ids):
        """The (team id, user id) whose history ``leads`` may be in: their
        team and salesperson now, and those of their stage history, in the
        teams ``team_ids``."""
        pairs = {
            (lead.team_id.id, lead.user_id.id)
            for lead in leads
            if lead.team_id.id in team_ids and lead.user_id
        }
        if leads:
            self.env["crm.lead.stage.history"].flush_model()
            self.env.cr.execute(
                SQL(
                    """SELECT DISTINCT team_id, salesperson_id
                         FROM crm_lead_stage_history
                        WHERE lead_id = ANY(%s) AND team_id = ANY(%s)
                          AND salesperson_id IS NOT NULL""",
                    leads.ids,
                    list(team_ids),
                )
            )
            pairs.update(self.env.cr.fetchall())
        return pairs

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
        id) ``pairs``, per salesperson and value, in one statement (JIT and
        nested loops off: right after an import, before PostgreSQL analyzed
        the new rows, its estimates are far off, and compiling or looping
        cost more than counting)."""
        if pairs is not None and not pairs:
            return
        where = self._fit_scope(SQL("team_id"), SQL("user_id"), team_ids, pairs)
        self._fit_flush()
        self.env.cr.execute(
            SQL(
                """SET LOCAL jit = off;
                   SET LOCAL enable_nestloop = off;
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
                   SET LOCAL jit TO DEFAULT;
                   SET LOCAL enable_nestloop TO DEFAULT""",
                where=where,
                closed=self._fit_closed_sql(team_ids, pairs),
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
