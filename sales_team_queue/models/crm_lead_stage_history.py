from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL

HISTORY_EVENTS = [
    ("create", "Created"),
    ("stage", "Stage Change"),
    ("won", "Won"),
    ("lost", "Lost"),
    ("restore", "Restored"),
    ("merge", "Merge"),
]


def search_visible_leads(model, operator, value):
    """Domain of ``model`` (which has a ``lead_id``) on the records whose lead the
    current user may read. Used by record rules: they evaluate their domain as
    superuser, so the lead's own record rules are applied here explicitly, for
    the real user. Archived (lost) leads count as well."""
    if operator not in ("=", "!=") or not isinstance(value, bool):
        raise NotImplementedError(f"Unsupported search: {operator} {value!r}")
    positive = (operator == "=") == value
    Lead = model.env["crm.lead"].with_env(model.env(su=False))
    if not Lead.has_access("read"):
        # No access to leads at all: no line is visible.
        return expression.FALSE_DOMAIN if positive else expression.TRUE_DOMAIN
    leads = Lead.with_context(active_test=False)._search([])
    return [("lead_id", "in" if positive else "not in", leads)]


def compute_visible_leads(records):
    """Set ``is_lead_visible`` on ``records`` (which have a ``lead_id``): whether the
    current user may read their lead."""
    visible = records.lead_id.with_env(records.env(su=False))._filtered_access("read")
    for record in records:
        record.is_lead_visible = record.lead_id in visible


class CrmLeadStageHistory(models.Model):
    _name = "crm.lead.stage.history"
    _description = "Lead Stage History"
    _order = "date desc, id desc"
    _rec_name = "stage_name"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Lead/Opportunity",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    source_lead_ref = fields.Integer(
        string="Recorded On",
        readonly=True,
        help="Id of the lead the change happened on. It differs from the lead when "
        "the line came with a merged opportunity; durations are measured per "
        "recorded lead.",
    )
    merged_from = fields.Char(
        string="Merged From",
        readonly=True,
        help="Name of the opportunity this line belonged to before it was merged "
        "into this one.",
    )
    event = fields.Selection(
        HISTORY_EVENTS,
        required=True,
        readonly=True,
        help="What moved the lead: its creation, a stage change (kanban, form, "
        "import, API), won, lost, restored, or a merge.",
    )
    stage_id = fields.Many2one(
        "crm.stage", string="Stage", index=True, ondelete="set null", readonly=True
    )
    stage_name = fields.Char(
        string="Stage Name",
        translate=True,
        readonly=True,
        help="Name of the stage when the change happened (kept when the stage is "
        "deleted).",
    )
    previous_stage_id = fields.Many2one(
        "crm.stage", string="Previous Stage", ondelete="set null", readonly=True
    )
    previous_stage_name = fields.Char(
        string="Previous Stage Name",
        translate=True,
        readonly=True,
        help="Name of the previous stage when the change happened (kept when the "
        "stage is deleted).",
    )
    user_id = fields.Many2one(
        "res.users", string="Changed By", ondelete="set null", readonly=True
    )
    salesperson_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        ondelete="set null",
        readonly=True,
        help="Salesperson of the lead after the change.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        ondelete="set null",
        readonly=True,
        help="Sales team of the lead after the change.",
    )
    company_id = fields.Many2one(
        "res.company", string="Company", index=True, readonly=True
    )
    date = fields.Datetime(
        string="Date",
        required=True,
        index=True,
        readonly=True,
        default=fields.Datetime.now,
    )
    probability = fields.Float(
        string="Probability (%)",
        readonly=True,
        aggregator="avg",
        help="Win probability of the lead after the change.",
    )
    duration_hours = fields.Float(
        string="Time in Previous Stage",
        readonly=True,
        aggregator="avg",
        help="Hours the lead spent in its previous stage (or, for a restored lead, "
        "lost) before this change.",
    )
    is_lead_visible = fields.Boolean(
        string="Lead Visible",
        compute="_compute_is_lead_visible",
        search="_search_is_lead_visible",
        help="Technical: the current user may read the lead of this line. The "
        "record rules of the history follow the lead's.",
    )

    @api.depends("lead_id")
    @api.depends_context("uid")
    def _compute_is_lead_visible(self):
        compute_visible_leads(self)

    def _search_is_lead_visible(self, operator, value):
        return search_visible_leads(self, operator, value)

    # ------------------------------------------------------------
    # APPEND-ONLY
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                _(
                    "Stage history lines cannot be created by hand: they are "
                    "written when a lead changes stage (move the lead instead)."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                _(
                    "Stage history lines cannot be changed: the history is a "
                    "record of what happened. Move the lead to another stage "
                    "instead."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not self.env.su:
            raise AccessError(
                _(
                    "Stage history lines cannot be deleted: the history is a "
                    "record of what happened. Archive or delete the lead instead."
                )
            )

    # ------------------------------------------------------------
    # Writing the history
    # ------------------------------------------------------------

    @api.model
    def _insert_lines(self, rows):
        """Write history lines in one query, whatever their number.

        ``rows``: list of dicts with the keys ``lead_id``, ``event``, ``stage_id``,
        ``previous_stage_id``, ``salesperson_id``, ``team_id``, ``company_id``,
        ``probability`` and ``duration_hours``. Stage names are copied from the
        stages with all their translations. Date and author are the transaction's
        time and the current user.

        The history is a log written by the ORM's own write and create: one
        multi-row insert keeps a mass stage change at a constant number of queries
        (the ORM's create inserts by batches of 100).
        """
        if not rows:
            return
        self.env["crm.stage"].flush_model(["name"])
        columns = (
            ("lead_id", "int4"),
            ("event", "varchar"),
            ("stage_id", "int4"),
            ("previous_stage_id", "int4"),
            ("salesperson_id", "int4"),
            ("team_id", "int4"),
            ("company_id", "int4"),
            ("probability", "float8"),
            ("duration_hours", "float8"),
        )
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO crm_lead_stage_history (
                lead_id, source_lead_ref, event, stage_id, stage_name,
                previous_stage_id, previous_stage_name, user_id, salesperson_id,
                team_id, company_id, date, probability, duration_hours,
                create_uid, create_date, write_uid, write_date)
            SELECT r.lead_id, r.lead_id, r.event, r.stage_id, stage.name,
                   r.previous_stage_id, previous_stage.name, %(uid)s,
                   r.salesperson_id, r.team_id, r.company_id, %(now)s,
                   r.probability, r.duration_hours, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(arrays)s) AS r(%(names)s)
         LEFT JOIN crm_stage stage ON stage.id = r.stage_id
         LEFT JOIN crm_stage previous_stage ON previous_stage.id = r.previous_stage_id
            """,
                uid=self.env.uid,
                now=now,
                arrays=SQL(", ").join(
                    SQL(
                        "%s::%s[]",
                        [row[name] for row in rows],
                        SQL.identifier(sql_type),
                    )
                    for name, sql_type in columns
                ),
                names=SQL(", ").join(SQL.identifier(name) for name, _t in columns),
            )
        )
        leads = self.env["crm.lead"].browse({row["lead_id"] for row in rows})
        leads.invalidate_recordset(["stage_history_ids"])

    @api.model
    def _get_last_entry_dates(self, leads):
        """When each lead entered its current state: ``{lead id: datetime}``, from
        the last line recorded on the lead itself (lines that came with a merge do
        not count). Leads without history are left out."""
        if not leads.ids:
            return {}
        self.flush_model(["lead_id", "source_lead_ref", "date"])
        self.env.cr.execute(
            SQL(
                """
            SELECT DISTINCT ON (lead_id) lead_id, date
              FROM crm_lead_stage_history
             WHERE lead_id = ANY(%s) AND source_lead_ref = lead_id
          ORDER BY lead_id, date DESC, id DESC
            """,
                list(leads.ids),
            )
        )
        return dict(self.env.cr.fetchall())
