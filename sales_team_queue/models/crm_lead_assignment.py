"""The assignment ledger, and the values every change of owner is made of.

A :class:`Decision` says what happens to one lead (who gets it, by which
method, from which queue, and why); the routing engine, the dry run, the pool,
the wizards and the timers all produce decisions, and
``crm.lead._queue_assign_batch`` applies them and writes one ledger line each.
A :class:`Reason` is stored as a code with arguments and rendered when read, in
the reader's language.
"""

from dataclasses import dataclass, field

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index
from odoo.tools.translate import LazyTranslate

from .duration import duration_words

_lt = LazyTranslate(__name__)

ASSIGNMENT_METHODS = [
    ("auto", "Automatic"),
    ("claim", "Claimed"),
    ("manual", "Manual"),
    ("wizard", "Assignment Wizard"),
    ("handover", "Handover"),
    ("recycle", "Recycled"),
    ("dispatch", "Dispatched"),
]

# A reason typed by a person (release, wizards) is plain text of at most this
# many characters.
REASON_MAX_LENGTH = 500
# Record references in reasons are rendered (as superuser: the names of users,
# queues and tags are not secrets) only for the models the module itself stores
# there (Reason.ref, the routing engine's refusals): a line is data, and never
# names a record to render.
RENDERED_MODELS = frozenset({"res.users", "crm.team", "crm.team.queue", "crm.tag"})
# Reasons nest (overflow of a refusal of members): deeper than this is not data
# the module writes.
RENDER_MAX_DEPTH = 6
# Record ids are PostgreSQL integers.
MAX_ID = 2**31 - 1
# Arguments that are durations, with their unit in minutes: rendered in words
# (lines written before them hold the number as text, e.g. "0.3").
DURATION_ARGS = {"hours": 60, "minutes": 1}

# Reason templates, by code. Arguments are rendered by Reason.render: a record
# reference ({"model": ..., "id": ...}) of RENDERED_MODELS becomes its name, a
# nested reason its text, a list its items joined by commas; "text" arguments
# (typed by a person) are plain text; the durations of DURATION_ARGS are words
# ("18 min", "2 h 5 min").
REASONS = {
    "text": _lt("%(text)s"),
    "rr_first": _lt("round robin: first turn"),
    "rr_after": _lt("round robin: next after %(user)s"),
    "weighted": _lt("weighted: weight %(weight)s of %(total)s"),
    "load_balanced": _lt("load balanced: %(mine)s open vs %(other)s"),
    "load_balanced_alone": _lt("load balanced: %(mine)s open, only eligible member"),
    "overflow_from": _lt("overflow from %(queue)s: %(reason)s"),
    "overflow_leader": _lt("overflow: team leader (%(reason)s)"),
    "pool": _lt("pool: waits to be claimed"),
    "no_eligible": _lt("no eligible member: %(members)s"),
    "no_member": _lt("no eligible member: the queue has no members"),
    "claimed": _lt("claimed from the pool"),
    "released": _lt("released to the pool by %(user)s"),
    "released_because": _lt("released to the pool by %(user)s: %(text)s"),
    "manual": _lt("set by %(user)s"),
    "created": _lt("salesperson given when the lead was created"),
    "merge": _lt("merge of leads"),
    "odoo_assignment": _lt("Odoo's lead assignment"),
    "no_queue": _lt("matches no queue"),
    "queue_fault": _lt("queue %(queue)s could not be evaluated: %(error)s"),
    "waits_routing": _lt("waits for the next routing pass (queue %(queue)s)"),
    "waits_routing_unnamed": _lt("waits for the next routing pass"),
    "queue_fault_then": _lt(
        "queue %(queue)s could not be evaluated (%(error)s); %(reason)s"
    ),
    # timers (models/crm_lead_sla.py)
    "sla_recycled": _lt("SLA missed: no follow-up within %(hours)s"),
    "sla_reassigned": _lt("SLA missed: no follow-up within %(hours)s; %(reason)s"),
    "sla_reassign_nobody": _lt(
        "SLA missed: no follow-up within %(hours)s; back to the pool, %(reason)s"
    ),
    "dispatched": _lt("dispatched after %(minutes)s unclaimed; %(reason)s"),
    # why a member was left out (items of "no_eligible")
    "member_paused": _lt("%(user)s paused"),
    "member_inactive": _lt("%(user)s archived or not an internal user"),
    "member_not_in_team": _lt("%(user)s not in the sales team"),
    "member_other_company": _lt("%(user)s not allowed in the company"),
    "member_daily_cap": _lt("%(user)s at daily cap (%(count)s of %(cap)s)"),
    "member_max_open": _lt("%(user)s at max open leads (%(count)s of %(cap)s)"),
    "member_skill": _lt("%(user)s lacks a skill (%(tags)s)"),
    "member_unavailable": _lt("%(user)s outside working hours"),
    "member_excluded": _lt("%(user)s hands over their leads"),
    # assignment wizard and handover
    "wizard": _lt("assigned by %(user)s: %(text)s"),
    "wizard_plain": _lt("assigned by %(user)s"),
    "wizard_route": _lt("routed by %(user)s (%(reason)s): %(text)s"),
    "wizard_route_plain": _lt("routed by %(user)s (%(reason)s)"),
    "wizard_pool": _lt("put back in the pool by %(user)s: %(text)s"),
    "wizard_pool_plain": _lt("put back in the pool by %(user)s"),
    "handover": _lt("handover from %(user)s"),
    "handover_route": _lt("handover from %(user)s (%(reason)s)"),
    "handover_leader": _lt("handover from %(user)s: to the team leader (%(reason)s)"),
    "member_current_owner": _lt("%(user)s is the current salesperson"),
    "member_returned_it": _lt("%(user)s sent it back to the pool"),
}


def clean_reason_text(env, value):
    """A reason typed by a person, as a client sent it (release, wizards): plain
    text, stripped, of at most :data:`REASON_MAX_LENGTH` characters; nothing
    (False, None, blanks) gives "". Anything else is refused.

    :raise UserError: ``value`` is not text, or is too long
    """
    if value is None or value is False:
        return ""
    if not isinstance(value, str):
        raise UserError(env._("A reason is plain text: type it in words."))
    text = value.strip()
    if len(text) > REASON_MAX_LENGTH:
        raise UserError(
            env._(
                "A reason is at most %(limit)s characters long (this one has "
                "%(length)s): shorten it.",
                limit=REASON_MAX_LENGTH,
                length=len(text),
            )
        )
    return text


def check_reason_vals(env, vals, name="reason"):
    """Refuse ``vals`` of a create or write whose typed reason ``name`` is not
    what a client may send (see :func:`clean_reason_text`); return ``vals``."""
    if name in vals:
        clean_reason_text(env, vals[name])
    return vals


@dataclass(frozen=True)
class Reason:
    """Why a decision was taken: a code of :data:`REASONS` and its arguments
    (JSON values; see :meth:`ref` for records)."""

    code: str
    args: dict = field(default_factory=dict)

    @staticmethod
    def ref(record):
        """An argument that names ``record`` (rendered as its current name);
        only records of :data:`RENDERED_MODELS` are rendered."""
        if record._name not in RENDERED_MODELS:
            raise ValueError(f"Reasons do not name records of {record._name}")
        return {"model": record._name, "id": record.id}

    @classmethod
    def text(cls, text):
        """A reason typed by a person (kept as typed; see
        :func:`clean_reason_text` for what a client may send)."""
        if text is None or text is False:
            text = ""
        if not isinstance(text, str):
            raise TypeError(f"A typed reason is text, not {type(text).__name__}")
        return cls("text", {"text": text})

    def to_json(self):
        return {"code": self.code, "args": self.args}

    def render(self, env):
        """The reason in ``env``'s language."""
        return render_reason(env, self.code, self.args)


def render_reason(env, code, args, depth=0):
    """The reason ``code`` with ``args`` in ``env``'s language. Never raises:
    a stored line is data, and an unknown code, a malformed argument or a
    template whose placeholders do not match its arguments renders as safe
    text (the code, "?")."""
    if not code:
        return ""
    if not isinstance(code, str):
        return "?"
    template = REASONS.get(code)
    if template is None:
        return code
    text = env._(template)
    if not isinstance(args, dict):
        args = {}
    values = {
        key: _render_arg(env, value, depth)
        if key != "text" or isinstance(value, str)
        else "?"
        for key, value in args.items()
    }
    for key, unit in DURATION_ARGS.items():
        if isinstance(args.get(key), int | float | str) and not isinstance(
            args[key], bool
        ):
            values[key] = _render_duration(env, args[key], unit)
    # The translation first, then the English template (a translation whose
    # placeholders are wrong), then the code (arguments that do not fit).
    for candidate in (text, template._source):
        try:
            return candidate % values
        except (KeyError, TypeError, ValueError):
            continue
    return code


def _render_arg(env, value, depth=0):
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if depth >= RENDER_MAX_DEPTH:
        return "?"
    if isinstance(value, list):
        return ", ".join(_render_arg(env, item, depth + 1) for item in value)
    if isinstance(value, dict):
        if "code" in value:
            return render_reason(env, value["code"], value.get("args"), depth + 1)
        if "model" in value:
            return _render_ref(env, value.get("model"), value.get("id"))
    return "?"


def _render_duration(env, value, unit):
    try:
        return duration_words(env, float(value) * unit)
    except (TypeError, ValueError, OverflowError):
        return "?"


def _render_ref(env, model, res_id):
    """The name of a record a reason names, for the models of
    :data:`RENDERED_MODELS` only; "?" for anything else."""
    if (
        not isinstance(model, str)
        or model not in RENDERED_MODELS
        or model not in env
        or not isinstance(res_id, int)
        or isinstance(res_id, bool)
        or not 0 < res_id <= MAX_ID
    ):
        return "?"
    record = env[model].sudo().browse(res_id).exists()
    return record.display_name if record else "?"


@dataclass
class Decision:
    """What happens to one lead: ``user`` gets it (no user: it waits in the
    pool of ``queue``), by ``method``, for ``reason``.

    ``team`` is the lead's team afterwards: empty keeps the lead's team when
    ``queue`` is empty, else the queue's team. ``keep_team`` leaves the team to
    Odoo (a plain change of salesperson, where Odoo moves the lead to the new
    salesperson's team when they are not in the current one).
    """

    lead: models.BaseModel
    user: models.BaseModel
    queue: models.BaseModel
    method: str = "auto"
    reason: Reason | None = None
    team: models.BaseModel | None = None
    keep_team: bool = False

    @property
    def target_team(self):
        if self.team:
            return self.team
        if self.queue:
            return self.queue.team_id
        return self.lead.team_id


# Context key for code that changes salespeople with a plain write (Odoo's own
# lead assignment, merges): DoorHint(method, reason) says how. The value is a
# Python object, which no RPC client can send (a context arrives as JSON).
DOOR_HINT = "sales_team_queue_hint"


class DoorHint:
    """How a plain write of ``user_id`` happens (method and reason of its ledger
    lines), for code that does not call the primitive itself."""

    __slots__ = ("method", "reason")

    def __init__(self, method, reason):
        assert method in dict(ASSIGNMENT_METHODS), method
        self.method = method
        self.reason = reason


class CrmLeadAssignment(models.Model):
    """The assignment ledger: one line per change of owner of a lead (and per
    routing decision that left it in a pool), saying who got it, from whom, by
    which method, from which queue and why. Append-only: lines are inserted by
    ``crm.lead._queue_assign_batch`` and never edited or deleted through the
    API; they follow a merged lead to the kept one."""

    _name = "crm.lead.assignment"
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

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                _(
                    "Assignment history lines cannot be created by hand: they are "
                    "written when a lead changes salesperson (assign, route, claim "
                    "or release the lead instead)."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                _(
                    "Assignment history lines cannot be changed: the history is a "
                    "record of what happened. Reassign the lead instead."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not self.env.su:
            raise AccessError(
                _(
                    "Assignment history lines cannot be deleted: the history is a "
                    "record of what happened. Archive or delete the lead instead."
                )
            )

    # ------------------------------------------------------------
    # WRITING (only by the assignment primitive)
    # ------------------------------------------------------------

    @api.model
    def _insert_lines(self, rows, prelude=()):
        """Insert ledger lines in one query, whatever their number.

        :param rows: list of dicts with lead_id, user_id, previous_user_id,
            queue_id, team_id, company_id, method, reason (a :class:`Reason` or
            None), wait_minutes
        :param prelude: data-modifying SQL statements to run in the same query
            (as ``WITH`` clauses)
        :return: ids of the lines, in the order of ``rows``
        """
        if not rows:
            for statement in prelude:
                self.env.cr.execute(statement)
            return []
        now = self.env.cr.now()
        uid = self.env.uid
        columns = {
            "lead_id": [],
            "user_id": [],
            "previous_user_id": [],
            "queue_id": [],
            "team_id": [],
            "company_id": [],
            "method": [],
            "reason_code": [],
            "reason_args": [],
            "wait_minutes": [],
        }
        for row in rows:
            reason = row.get("reason")
            for name in columns:
                if name == "reason_code":
                    columns[name].append(reason.code if reason else None)
                elif name == "reason_args":
                    columns[name].append(
                        self._fields["reason_args"].convert_to_column(
                            reason.args if reason else None, self
                        )
                    )
                else:
                    value = row.get(name)
                    columns[name].append(None if value is False else value)
        with_clause = SQL()
        if prelude:
            with_clause = SQL(
                "WITH %s ",
                SQL(", ").join(
                    SQL("prelude_%s AS (%s)", SQL(str(index)), statement)
                    for index, statement in enumerate(prelude)
                ),
            )
        self.env.cr.execute(
            SQL(
                """%(with_clause)s
                   INSERT INTO crm_lead_assignment
                       (lead_id, user_id, previous_user_id, queue_id, team_id,
                        company_id, method, reason_code, reason_args, wait_minutes,
                        create_uid, create_date, write_uid, write_date)
                   SELECT t.*, %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM unnest(%(lead)s::int[], %(user)s::int[], %(prev)s::int[],
                                 %(queue)s::int[], %(team)s::int[], %(company)s::int[],
                                 %(method)s::varchar[], %(code)s::varchar[],
                                 %(args)s::jsonb[], %(wait)s::int[]) AS t
                   RETURNING id""",
                with_clause=with_clause,
                uid=uid,
                now=now,
                lead=columns["lead_id"],
                user=columns["user_id"],
                prev=columns["previous_user_id"],
                queue=columns["queue_id"],
                team=columns["team_id"],
                company=columns["company_id"],
                method=columns["method"],
                code=columns["reason_code"],
                args=columns["reason_args"],
                wait=columns["wait_minutes"],
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
