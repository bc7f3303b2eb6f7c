"""The assignment ledger (``crm.lead.assignment``): one line per change of
owner, written by ``crm.lead._queue_assign_batch`` from the decisions it
applies. The values it stores (:class:`Decision`, :class:`Reason`) are in
``values.py``.
"""

from odoo import _, api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .sql_rows import unnest_rows
from .values import ASSIGNMENT_METHODS, render_reason

# The columns of a ledger line the door writes, with their SQL types.
LINE_COLUMNS = (
    ("lead_id", "int4"),
    ("user_id", "int4"),
    ("previous_user_id", "int4"),
    ("queue_id", "int4"),
    ("team_id", "int4"),
    ("company_id", "int4"),
    ("method", "varchar"),
    ("reason_code", "varchar"),
    ("reason_args", "jsonb"),
    ("wait_minutes", "int4"),
)


class CrmLeadAssignment(models.Model):
    """The assignment ledger: one line per change of owner of a lead (and per
    routing decision that left it in a pool), saying who got it, from whom, by
    which method, from which queue and why. Append-only: lines are inserted by
    ``crm.lead._queue_assign_batch`` and never edited or deleted through the
    API; they follow a merged lead to the kept one."""

    _name = "crm.lead.assignment"
    _inherit = ["crm.lead.log.mixin"]
    _description = "Lead Assignment"
    _order = "create_date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Lead",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        index=True,
        ondelete="set null",
        readonly=True,
        help="Empty: the lead went to (or stayed in) its queue's pool.",
    )
    previous_user_id = fields.Many2one(
        "res.users",
        string="Previous Salesperson",
        ondelete="set null",
        readonly=True,
    )
    queue_id = fields.Many2one(
        "crm.team.queue",
        string="Queue",
        index=True,
        ondelete="set null",
        readonly=True,
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        ondelete="set null",
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", string="Company", index=True, readonly=True
    )
    method = fields.Selection(
        ASSIGNMENT_METHODS,
        required=True,
        default="manual",
        readonly=True,
        help="How the lead changed hands: automatic routing by a queue, claimed "
        "from a pool, set by hand, by the assignment wizard, in a handover, "
        "recycled to the pool, or dispatched from a hybrid pool.",
    )
    reason_code = fields.Char(readonly=True, help="Technical: the reason's code.")
    reason_args = fields.Json(readonly=True, help="Technical: the reason's values.")
    reason = fields.Char(
        compute="_compute_reason",
        help="Why this salesperson got the lead (or why nobody did), in plain "
        "words and in your language.",
    )
    wait_minutes = fields.Integer(
        string="Waited",
        readonly=True,
        aggregator="avg",
        help="How long the lead waited without salesperson before this line "
        "(since it entered its pool, or since it was created).",
    )
    create_date = fields.Datetime(string="Date", readonly=True, index=True)
    create_uid = fields.Many2one("res.users", string="By", readonly=True)

    def init(self):
        result = super().init()
        # What routing counts for each member: lines of a queue and user since
        # the start of their day, and the last line of a user in a team.
        create_index(
            self.env.cr,
            "crm_lead_assignment_queue_user_date_index",
            self._table,
            ["queue_id", "user_id", "create_date"],
        )
        create_index(
            self.env.cr,
            "crm_lead_assignment_team_user_id_index",
            self._table,
            ["team_id", "user_id", "id"],
        )
        return result

    @api.depends("reason_code", "reason_args")
    @api.depends_context("lang")
    def _compute_reason(self):
        for line in self:
            line.reason = render_reason(
                self.env, line.reason_code, line.reason_args or {}
            )

    # ------------------------------------------------------------
    # APPEND-ONLY
    # ------------------------------------------------------------

    def _log_refusal(self, operation):
        if operation == "create":
            return _(
                "Assignment history lines cannot be created by hand: they are "
                "written when a lead changes salesperson (assign, route, claim "
                "or release the lead instead)."
            )
        if operation == "write":
            return _(
                "Assignment history lines cannot be changed: the history is a "
                "record of what happened. Reassign the lead instead."
            )
        return _(
            "Assignment history lines cannot be deleted: the history is a "
            "record of what happened. Archive or delete the lead instead."
        )

    # ------------------------------------------------------------
    # WRITING (only by the assignment primitive)
    # ------------------------------------------------------------

    @api.model
    def _insert_lines(self, rows):
        """Insert ledger lines in one query, whatever their number: ``rows``
        are dicts of :data:`LINE_COLUMNS` (``reason``: a :class:`Reason` or
        None). :return: ids of the lines, in the order of ``rows``"""
        if not rows:
            return []
        args_field = self._fields["reason_args"]
        lines = []
        for row in rows:
            reason = row.get("reason")
            line = {name: row.get(name) or None for name, _type in LINE_COLUMNS}
            line["reason_code"] = reason.code if reason else None
            line["reason_args"] = args_field.convert_to_column(
                reason.args if reason else None, self
            )
            line["wait_minutes"] = row.get("wait_minutes") or 0
            lines.append(line)
        self.env.cr.execute(
            SQL(
                """INSERT INTO crm_lead_assignment
                       (%(names)s, create_uid, create_date, write_uid, write_date)
                   SELECT r.*, %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM %(rows)s
                   RETURNING id""",
                names=SQL(", ").join(SQL.identifier(name) for name, _t in LINE_COLUMNS),
                rows=unnest_rows(lines, LINE_COLUMNS),
                uid=self.env.uid,
                now=self.env.cr.now(),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.env["crm.lead"].invalidate_model(["assignment_ids"])
        return ids

    @api.model
    def _move_to_lead(self, from_leads, to_lead):
        """Lines of merged leads follow them to the lead they were merged into."""
        if not from_leads:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE crm_lead_assignment SET lead_id = %s WHERE lead_id IN %s",
                to_lead.id,
                tuple(from_leads.ids),
            )
        )
        self.invalidate_model(["lead_id"])
        self.env["crm.lead"].invalidate_model(["assignment_ids"])
