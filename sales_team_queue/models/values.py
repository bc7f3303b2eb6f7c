"""The values the parts of the engine exchange, defined once.

- :class:`Decision`: what happens to one lead (who gets it, by which method,
  from which queue, and why); routing, the pool, the wizards, the handover and
  the timers produce decisions, ``crm.lead._queue_assign_batch`` applies them.
- :class:`Reason`: why, stored in the ledger as a code with arguments and
  rendered when read, in the reader's language (:data:`REASONS`).
- :class:`DoorHint`, :class:`StageEvent`: context values (Python objects no RPC
  client can send) telling the door how a plain write happens.
- :class:`QueueConfig`, :class:`MemberState`, :class:`RoutingPlan`,
  :class:`AccountMatch`: what routing reads and plans
  (``crm_team_queue_routing.py``, ``crm_team_queue_account.py``).
- :class:`ClaimRefusal`, :class:`ClaimMember`: what the claim rules see and
  answer (``crm_lead_pool.py``).
- :class:`HandoverScope`, :class:`HandoverPlan`: what a handover moves and where
  (``res_users_handover.py``).
"""

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from odoo import models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.misc import format_date
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
    ("offer", "Offered"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("expired", "Offer Expired"),
]


# A reason typed by a person (release, wizards) is plain text of at most this
# many characters.
REASON_MAX_LENGTH = 500


# Record references in reasons are rendered (as superuser: the names of users,
# queues and tags are not secrets) only for the models the module itself stores
# there (Reason.ref, the routing engine's refusals): a line is data, and never
# names a record to render.
RENDERED_MODELS = frozenset(
    {
        "res.users",
        "crm.team",
        "crm.team.queue",
        "crm.tag",
        "res.partner",
        # the values of a lead best fit names (crm_team_queue_best_fit.py)
        "res.country",
        "res.country.state",
        "res.lang",
        "utm.source",
        "res.partner.category",
    }
)


# Reasons nest (overflow of a refusal of members): deeper than this is not data
# the module writes.
RENDER_MAX_DEPTH = 6


# Record ids are PostgreSQL integers.
MAX_ID = 2**31 - 1


# Arguments that are durations, with their unit in minutes: rendered in words
# (lines written before them hold the number as text, e.g. "0.3").
DURATION_ARGS = {"hours": 60, "minutes": 1}

# Arguments that are dates (ISO text, "2025-03-14"): rendered as a month and year
# in the reader's language ("Mar 2025").
MONTH_ARGS = ("since",)


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
    # skills relax (models/crm_lead_skills_relax.py)
    "skills_wait": _lt(
        "waits for a member with skill %(tags)s (%(members)s); open to the other "
        "members in %(minutes)s"
    ),
    "skills_wait_nobody": _lt(
        "waits for a member with skill %(tags)s (no member has it); open to the "
        "other members in %(minutes)s"
    ),
    "skills_relaxed": _lt("skills relaxed after %(minutes)s: %(reason)s"),
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
    # returning customers (models/crm_team_queue_account.py)
    "account_owner": _lt(
        "returning customer: %(account)s is %(user)s's account since %(since)s"
    ),
    "account_owner_new": _lt("returning customer: %(account)s is %(user)s's account"),
    "account_skipped": _lt("returning customer (%(refusal)s); %(reason)s"),
    "member_not_in_queue": _lt("%(user)s not a member of this queue"),
    # offers (models/crm_lead_offer.py)
    "offer_accepted": _lt("offer accepted after %(minutes)s"),
    "offer_declined": _lt("offer declined by %(user)s: %(text)s"),
    "offer_expired": _lt("offer to %(user)s expired after %(minutes)s"),
    "member_let_offer_go": _lt("%(user)s let this lead's offer go"),
    # best fit (models/crm_team_queue_best_fit.py)
    "best_fit": _lt(
        "best fit: %(user)s wins %(rate)s %% of leads like this one (%(values)s), "
        "team %(team)s %%; %(share)s"
    ),
    "best_fit_plain": _lt(
        "best fit: %(user)s wins %(rate)s %% of leads like this one, team "
        "%(team)s %%; %(share)s"
    ),
    "fit_share_today": _lt(
        "within fair share: %(count)s of %(total)s today (share %(share)s, band "
        "%(band)s %%)"
    ),
    "fit_share_days": _lt(
        "within fair share: %(count)s of %(total)s in %(days)s days (share "
        "%(share)s, band %(band)s %%)"
    ),
    "best_fit_above": _lt(
        "%(user)s would win more but would be above fair share (%(count)s of "
        "%(total)s, share %(share)s, band %(band)s %%); %(reason)s"
    ),
    "best_fit_fairest": _lt(
        "best fit: every eligible member would go above their fair share; "
        "%(user)s the least (%(count)s of %(total)s, share %(share)s)"
    ),
    "best_fit_no_history": _lt(
        "best fit: not enough history yet (%(count)s closed leads in the team, "
        "%(needed)s needed); %(reason)s"
    ),
    "fit_revenue_0": _lt("revenue under 1k"),
    "fit_revenue_1": _lt("revenue 1k-10k"),
    "fit_revenue_2": _lt("revenue 10k-100k"),
    "fit_revenue_3": _lt("revenue 100k-1M"),
    "fit_revenue_4": _lt("revenue 1M and more"),
    # hot leads to seniors (models/crm_team_queue_vip.py)
    "vip_senior": _lt("VIP lead: senior members first: %(reason)s"),
    "vip_no_senior": _lt(
        "VIP lead, no senior member eligible (%(members)s): %(reason)s"
    ),
}


# The reasons of a lead given to the salesperson of its account (returning
# customers): a queue where it does not count as a turn leaves them out of the
# daily counts.
ACCOUNT_REASONS = ("account_owner", "account_owner_new")
# The same reasons wrapped in another (an overflow, the SLA's reassign, a
# relax, a dispatch), as a JSON path on a ledger line's reason arguments.
ACCOUNT_REASONS_PATH = "$.**.code ? ({})".format(
    " || ".join(f'@ == "{code}"' for code in ACCOUNT_REASONS)
)


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
    for key in MONTH_ARGS:
        if isinstance(args.get(key), str):
            values[key] = _render_month(env, args[key])
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


def _render_month(env, value):
    try:
        return format_date(env, date.fromisoformat(value), date_format="MMM y")
    except (TypeError, ValueError):
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


# Context key naming the event of the stage changes written under it (a merge):
# its value is a StageEvent, a Python object no RPC client can send.
STAGE_EVENT_CONTEXT_KEY = "sales_team_queue_stage_event"


class StageEvent:
    """The event of the stage changes made by the module's own code."""

    __slots__ = ("event",)

    def __init__(self, event):
        assert event in ("merge",), event
        self.event = event


class QueueConfig:
    """What routing needs of a queue's settings, read-only: the values of
    ``crm.team.queue._routing_config_values`` (which other add-ons extend) as
    attributes. Cached per registry, so never changed once built."""

    def __init__(self, values):
        self.__dict__.update(values)

    def __setattr__(self, name, value):
        raise AttributeError(f"QueueConfig is read-only ({name})")

    def __repr__(self):
        return f"QueueConfig({self.__dict__!r})"

    def replace(self, **changes):
        """A copy with ``changes``."""
        return QueueConfig({**self.__dict__, **changes})


def over_cap(count, cap):
    """Whether ``count`` leads reach the limit ``cap`` (0: no limit); the
    daily cap and open lead limits of routing and of claims."""
    return bool(cap) and count >= cap


def missing_skills(required_ids, skill_ids):
    """The ids of ``required_ids`` (skill tags a lead needs) not among
    ``skill_ids`` (a member's skills), sorted; routing and claims."""
    return sorted(set(required_ids) - set(skill_ids))


def skills_relaxed(minutes, queue_id, lead, now):
    """Whether ``lead`` has waited ``minutes`` (a queue's
    ``relax_skills_minutes``; 0: never) in the pool of the queue ``queue_id``,
    so that members without the skills it needs may take it: routing's skills
    rule and the claims' read this one answer."""
    return bool(
        minutes
        and lead.queue_id.id == queue_id
        and not lead.user_id
        and lead.pool_date
        and lead.pool_date + timedelta(minutes=minutes) <= now
    )


def reason_codes(reason):
    """The codes of ``reason`` (a :class:`Reason`, or its JSON) and of the
    reasons nested in it as its ``reason`` argument (an overflow, a fault, the
    SLA's reassign, a wizard wrap the reason of routing), outermost first."""
    if isinstance(reason, Reason):
        reason = reason.to_json()
    depth = 0
    while isinstance(reason, dict) and depth < RENDER_MAX_DEPTH:
        yield reason.get("code")
        args = reason.get("args")
        reason = args.get("reason") if isinstance(args, dict) else None
        depth += 1


@dataclass
class MemberState:
    """A member as routing sees it right after the queues are locked."""

    id: int
    queue_id: int
    user_id: int
    sequence: int
    active: bool
    weight: int
    daily_cap: int
    max_open: int
    wrr: int
    user_ok: bool
    in_team: bool
    company_ok: bool
    skills: frozenset
    is_senior: bool = False


@dataclass(frozen=True)
class AccountMatch:
    """The known customer of a lead (``crm_team_queue_account.py``): the
    account (a commercial partner id), its salesperson (a user id) and since
    when they hold it (ISO date text, or "" when unknown)."""

    partner_id: int
    user_id: int
    since: str = ""


@dataclass
class RoutingPlan:
    """The outcome of :meth:`crm.team.queue._plan_routing`: the state it was
    planned on, a :class:`Decision` per matched lead id, whether the queues
    were busy (nothing planned, the decisions are None), and why the leads
    that only failing queues match wait."""

    state: object  # the RoutingState planned on, or None
    decisions: dict
    busy: bool
    # {lead id: Reason}: leads that only failing queues could take; they wait
    # for routing (the backlog tries them again)
    waiting: dict = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class ClaimRefusal:
    """Why a user may not claim a lead now.

    ``rule`` is the rule that refuses it (``taken``, ``not_in_pool``,
    ``not_member``, ``paused``, ``window``, ``daily_limit``, ``daily_cap``,
    ``max_open``, ``skills``, ``vip``, ``cooldown``), ``message`` the refusal
    in the user's language, ``until`` when it becomes possible (UTC, naive),
    when time decides."""

    rule: str
    message: str
    until: datetime | None = None

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class ClaimMember:
    """The user's line in a queue, as the claim rules see it."""

    id: int
    active: bool
    is_senior: bool
    daily_cap: int
    skills: frozenset


# An open lead: active and not won (a lead without stage is open). Said once,
# as a domain on crm.lead and as its SQL twin; the lost leads are archived.
OPEN_LEAD_DOMAIN = [
    ("active", "=", True),
    "|",
    ("stage_id", "=", False),
    ("stage_id.is_won", "=", False),
]


def open_lead_sql(lead, stage):
    """The SQL twin of :data:`OPEN_LEAD_DOMAIN`, for the lead table aliased
    ``lead`` LEFT JOINed to its stage aliased ``stage``:
    ``... LEFT JOIN crm_stage st ON st.id = l.stage_id WHERE %s``."""
    return SQL(
        "%s AND NOT COALESCE(%s, FALSE)",
        SQL.identifier(lead, "active"),
        SQL.identifier(stage, "is_won"),
    )


@dataclass(frozen=True)
class HandoverScope:
    """What a handover moves: open leads, open opportunities, customers
    (contacts whose salesperson is the user leaving) and the planned
    activities of the user leaving on those leads and customers."""

    leads: bool = True
    opportunities: bool = True
    customers: bool = True
    activities: bool = True

    def lead_types(self):
        return [
            lead_type
            for lead_type, included in (
                ("lead", self.leads),
                ("opportunity", self.opportunities),
            )
            if included
        ]


class HandoverPlan:
    """Where a handover puts each lead, customer and activity, computed in
    memory (:meth:`res.users._handover_plan`) and shown as the preview;
    applying (:meth:`res.users._handover_apply`) writes exactly this."""

    def __init__(self, leaving, receiver=None):
        self.leaving = leaving
        # one receiver, or None: by the queue rules
        self.receiver = receiver
        self.decisions = []
        # unplaced: note -> count of leads that stay with the leaving rep
        self.unplaced = Counter()
        # partner id -> receiving user (res.users record)
        self.partners = {}
        self.unplaced_partners = Counter()
        self.routing_state = None
        # receiving user id -> ids of the activities they get
        self.activities = {}

    def receivers(self):
        """Everyone who gets a lead or a customer."""
        return self.leaving.browse().union(
            *(decision.user for decision in self.decisions),
            *self.partners.values(),
        )


def yes_no_domain(model, fname, operator, value, domain):
    """The domain of a search on the computed yes/no field ``fname`` of
    ``model``: ``domain(True)`` gives the records where it is set,
    ``domain(False)`` the others; a condition (``operator``, ``value``) that
    asks for both or neither needs neither. A condition a yes/no field
    cannot answer (a client may send any) is refused, saying so, rather than
    failing."""
    values = value if isinstance(value, list | tuple) else [value]
    if operator not in ("=", "!=", "in", "not in") or not all(
        isinstance(item, bool) for item in values
    ):
        raise UserError(
            model.env._(
                "%(field)s is a yes/no filter: compare it with true or false "
                "(=, !=, in, not in).",
                field=model._fields[fname]._description_string(model.env),
            )
        )
    asked = set(values)
    if operator in ("!=", "not in"):
        asked = {True, False} - asked
    if len(asked) != 1:
        return expression.TRUE_DOMAIN if asked else expression.FALSE_DOMAIN
    return domain(True in asked)
