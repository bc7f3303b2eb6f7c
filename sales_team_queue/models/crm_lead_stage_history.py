from odoo import _, api, fields, models
from odoo.tools import SQL

from .sql_rows import unnest_rows

HISTORY_EVENTS = [
    ("create", "Created"),
    ("stage", "Stage Change"),
    ("won", "Won"),
    ("lost", "Lost"),
    ("restore", "Restored"),
    ("merge", "Merge"),
]


class CrmLeadStageHistory(models.Model):
    _name = "crm.lead.stage.history"
    _inherit = ["crm.lead.log.mixin", "crm.lead.visibility.mixin"]
    _description = "Lead Stage History"
    _order = "date desc, id desc"
    _rec_name = "stage_name"

    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade")
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

    # ------------------------------------------------------------
    # APPEND-ONLY
    # ------------------------------------------------------------

    def _log_refusal(self, operation):
        if operation == "create":
            return _(
                "Stage history lines cannot be created by hand: they are "
                "written when a lead changes stage (move the lead instead)."
            )
        if operation == "write":
            return _(
                "Stage history lines cannot be changed: the history is a "
                "record of what happened. Move the lead to another stage "
                "instead."
            )
        return _(
            "Stage history lines cannot be deleted: the history is a "
            "record of what happened. Archive or delete the lead instead."
        )

    # ------------------------------------------------------------
    # Writing the history
    # ------------------------------------------------------------

    @api.model
    def _insert_lines(self, rows):
        """Write history lines in one query, whatever their number.

        ``rows``: list of dicts with the keys of :meth:`_insert_columns`
        (``crm.lead._prepare_stage_history_row`` makes them). Stage names are
        copied from the stages with all their translations. Date and author are
        the transaction's time and the current user.

        The history is a log written by the ORM's own write and create: one
        multi-row insert keeps a mass stage change at a constant number of queries
        (the ORM's create inserts by batches of 100).
        """
        if not rows:
            return
        self.env["crm.stage"].flush_model(["name"])
        self.env.cr.execute(self._insert_lines_sql(rows, self._insert_columns()))
        leads = self.env["crm.lead"].browse({row["lead_id"] for row in rows})
        leads.invalidate_recordset(["stage_history_ids"])

    @api.model
    def _insert_columns(self):
        """The columns a row of :meth:`_insert_lines` gives, with their
        PostgreSQL type; an add-on that adds a column to the history adds it
        here and to ``crm.lead._prepare_stage_history_row``."""
        return [
            ("lead_id", "int4"),
            ("event", "varchar"),
            ("stage_id", "int4"),
            ("previous_stage_id", "int4"),
            ("salesperson_id", "int4"),
            ("team_id", "int4"),
            ("company_id", "int4"),
            ("probability", "float8"),
            ("duration_hours", "float8"),
        ]

    @api.model
    def _insert_lines_sql(self, rows, columns):
        names = [name for name, _type in columns]
        return SQL(
            """
            INSERT INTO crm_lead_stage_history (
                %(names)s, source_lead_ref, stage_name, previous_stage_name,
                user_id, date, create_uid, create_date, write_uid, write_date)
            SELECT %(values)s, r.lead_id, stage.name, previous_stage.name,
                   %(uid)s, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM %(rows)s
         LEFT JOIN crm_stage stage ON stage.id = r.stage_id
         LEFT JOIN crm_stage previous_stage ON previous_stage.id = r.previous_stage_id
            """,
            names=SQL(", ").join(SQL.identifier(name) for name in names),
            values=SQL(", ").join(SQL.identifier("r", name) for name in names),
            rows=unnest_rows(rows, columns, "r"),
            uid=self.env.uid,
            now=self.env.cr.now(),
        )

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
