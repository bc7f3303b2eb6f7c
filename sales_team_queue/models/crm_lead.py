"""Queue fields on leads, instant routing, and the one door through which every
change of a lead's salesperson passes (:meth:`CrmLead._queue_assign_batch`)."""

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from datetime import time as dt_time

import pytz
from markupsafe import Markup
from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL

from .after_commit import run_read_committed
from .counts import set_related_counts
from .crm_team_queue_routing import STRATEGIES_ASSIGNING
from .values import DOOR_HINT, OPEN_LEAD_DOMAIN, Decision, DoorHint, Reason

_logger = logging.getLogger(__name__)

# Context keys of the one door. Their values are Python objects that no RPC
# client can send (a context arrives as JSON), so a client cannot pass the
# door or dictate the method and reason of a ledger line.
# - the writes made by the assignment primitive itself (the write override
#   must not see them twice) carry DOOR_PASSED: DOOR_TOKEN;
DOOR_PASSED = "sales_team_queue_assigning"
DOOR_TOKEN = object()
# - code that creates or moves leads without routing them (data loads,
#   benchmarks, tests) passes ROUTING_OFF in the context.
NO_ROUTE = "sales_team_queue_no_route"
NO_ROUTE_TOKEN = object()
ROUTING_OFF = {NO_ROUTE: NO_ROUTE_TOKEN}
# Post-commit data key: ids of the leads to route once the transaction commits.
ROUTE_LATER = "sales_team_queue.route_after_commit"
# Post-commit data key: {"id": the backlog trigger written for them}.
ROUTE_TRIGGER = "sales_team_queue.route_after_commit_trigger"
# A routing that waits for the queues' lock after the commit waits this long,
# this many times, then leaves the lead to the backlog cron (triggered at once).
ROUTE_LOCK_TIMEOUT = "2s"
ROUTE_TRIES = 3
BACKLOG_CRON = "sales_team_queue.ir_cron_route_backlog"
# The backlog trigger committed with leads left to their after-commit routing
# is due this long after: an after-commit routing takes less (it deletes the
# trigger when done), so the cron runs only for leads whose routing never ran.
TRIGGER_DELAY = timedelta(seconds=5)
# A digest notification lists this many leads at most (then "and N more").
DIGEST_LIST_MAX = 50


class _GivenHint:
    __slots__ = ("given", "method", "reason")

    def __init__(self, method, reason, given):
        self.method, self.reason, self.given = method, reason, given


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # Odoo's default owner is the creating user; while the lead's team has queues
    # the default is nobody, so that the queue picks the owner.
    user_id = fields.Many2one(default=lambda self: self._default_queue_user_id())
    queue_id = fields.Many2one(
        "crm.team.queue",
        string="Queue",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        copy=False,
        help="The queue that routed this lead (or whose pool it waits in).",
    )
    queue_state = fields.Selection(
        [
            ("unrouted", "Unrouted"),
            ("pool", "In Pool"),
            ("assigned", "Assigned"),
        ],
        string="Queue State",
        compute="_compute_queue_state",
        store=True,
        precompute=True,
        index=True,
        help="Unrouted: no queue has placed the lead yet.\n"
        "In Pool: the lead waits, without salesperson, in its queue's pool.\n"
        "Assigned: the lead has a salesperson.",
    )
    pool_date = fields.Datetime(
        string="In Pool Since",
        copy=False,
        readonly=True,
        help="When the lead entered the pool it waits in (empty once assigned).",
    )
    assignment_ids = fields.One2many(
        "crm.lead.assignment",
        "lead_id",
        string="Assignment History",
        help="Every change of salesperson of this lead, with the reason.",
    )
    assignment_count = fields.Integer(
        string="Assignments", compute="_compute_assignment_count"
    )
    sla_deadline = fields.Datetime(
        string="SLA Deadline",
        copy=False,
        help="When the salesperson must have taken up the lead, from the SLA of "
        "its queue.",
    )
    sla_state = fields.Selection(
        [
            ("none", "No SLA"),
            ("running", "Running"),
            ("met", "Met"),
            ("breached", "Breached"),
        ],
        string="SLA State",
        default="none",
        copy=False,
        index=True,
        help="Running: the salesperson must follow the lead up before the SLA "
        "deadline.\nMet: they did.\nBreached: the deadline passed without a "
        "follow-up.",
    )
    product_interest_ids = fields.Many2many(
        "product.template",
        "crm_lead_product_interest_rel",
        "lead_id",
        "product_id",
        string="Product Interest",
        help="Products the customer asked about; queues can route on them.",
    )

    @api.depends("user_id", "queue_id")
    def _compute_queue_state(self):
        for lead in self:
            if lead.user_id:
                lead.queue_state = "assigned"
            elif lead.queue_id:
                lead.queue_state = "pool"
            else:
                lead.queue_state = "unrouted"

    def _compute_assignment_count(self):
        set_related_counts(self, "assignment_count", "crm.lead.assignment", "lead_id")

    # ------------------------------------------------------------
    # DEFAULTS
    # ------------------------------------------------------------

    @api.model
    def _queue_default_owner(self, team_id=False):
        """Default (owner, team) of a new lead: Odoo's (the current user) unless
        the lead's team - given, from the context, or the user's default team -
        has active queues; then nobody, so that the queue routes it.

        :return: tuple (user id or False, team id or False)
        """
        queue_team_ids = self.env["crm.team.queue"]._get_queue_team_ids()
        if not queue_team_ids:
            return self.env.uid, False
        team_id = team_id or self.env.context.get("default_team_id")
        if not team_id:
            team_id = (
                self.env["crm.team"]
                ._get_default_team_id(
                    user_id=self.env.uid,
                    domain=[("use_leads", "=", True)]
                    if self.env.context.get("default_type", "lead") == "lead"
                    else [("use_opportunities", "=", True)],
                )
                .id
            )
        if team_id in queue_team_ids and self._queue_routes_own_creations(team_id):
            return False, team_id
        return self.env.uid, False

    @api.model
    def _queue_routes_own_creations(self, team_id):
        """Whether the queues route the leads the current user creates: yes for
        users who see all leads and are not a member of the team (managers,
        receptionists, integrations); a salesperson keeps the leads they create
        themselves, as in Odoo (and could not see them once routed to another)."""
        user = self.env.user
        if not user.has_group("sales_team.group_sale_salesman_all_leads"):
            return False
        team = self.env["crm.team"].browse(team_id)
        return user not in team.sudo().member_ids

    def _default_queue_user_id(self):
        return self.env["res.users"].browse(self._queue_default_owner()[0])

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            "user_id" in fields_list
            and not values.get("user_id")
            and "team_id" in fields_list
            and not values.get("team_id")
            and "default_user_id" not in self.env.context
        ):
            user_id, team_id = self._queue_default_owner()
            if not user_id and team_id:
                values["team_id"] = team_id
        return values

    # ------------------------------------------------------------
    # PIPELINE STEPS (called in order by crm_lead_pipeline.py)
    # ------------------------------------------------------------

    @api.model
    def _queue_prepare_create(self, vals_list, queue_team_ids):
        """Create step: a lead created without salesperson in a team with
        queues gets nobody as default owner, so that a queue picks it (see
        :meth:`_queue_default_owner`); one default per team for the batch."""
        if not queue_team_ids or "default_user_id" in self.env.context:
            return
        defaults = {}
        for vals in vals_list:
            if "user_id" in vals:
                continue
            team_key = vals.get("team_id") or False
            if team_key not in defaults:
                defaults[team_key] = self._queue_default_owner(team_key)
            user_id, team_id = defaults[team_key]
            vals["user_id"] = user_id
            if team_id and not vals.get("team_id"):
                vals["team_id"] = team_id

    def _queue_on_create(self, queue_team_ids):
        """Create step, after the insert: a salesperson given at creation is a
        change of owner too (a ledger line; Odoo has notified them already);
        the leads without salesperson are routed."""
        if not queue_team_ids:
            return
        owned = self.filtered(
            lambda lead: lead.user_id and lead.team_id.id in queue_team_ids
        )
        if owned:
            hint = self._door_hint()
            self._queue_record_given(
                [
                    Decision(
                        lead,
                        lead.user_id,
                        lead.queue_id,
                        method=hint.method,
                        reason=hint.reason or Reason("created"),
                        keep_team=True,
                    )
                    for lead in owned
                ]
            )
        if not self._queue_routing_off():
            self._queue_route_unrouted(queue_team_ids)

    def _queue_write(self, vals):
        """Write step: the values of ``vals`` on ``self``, a change of
        salesperson of a lead that a queue concerns through the door (rules,
        ledger line, alert), a change of team out of the leads' queue. A
        change of team that Odoo's crm makes by itself counts as one
        (:meth:`_queue_explicit_team`)."""
        if not ({"user_id", "team_id", "type"} & set(vals)):
            return self._write_values(vals)
        queue_team_ids = self.env["crm.team.queue"]._get_queue_team_ids()
        if not queue_team_ids:
            return self._write_values(vals)
        if "user_id" in vals:
            return self._queue_write_owner(vals, queue_team_ids)
        self._queue_write_groups(self._queue_explicit_team(vals), queue_team_ids)
        return True

    @api.model
    def _queue_write_groups(self, groups, queue_team_ids):
        """Write each ``(leads, vals)`` of ``groups`` (``_queue_explicit_team``):
        a group whose values name a team as a change of team."""
        for leads, vals in groups:
            if leads and "team_id" in vals:
                leads._queue_write_team(vals, queue_team_ids)
            elif leads:
                leads._write_values(vals)

    def _queue_write_owner(self, vals, queue_team_ids):
        """A write of the salesperson (``vals``) on ``self``: through the door
        for the leads a queue concerns (of a queue, of a team with queues, or
        going into one: the team written or the one Odoo gives them), with
        Odoo's own write of the team, in the same write as the salesperson."""
        new_user = self.env["res.users"].browse(vals["user_id"] or False)
        groups = self._queue_explicit_team(vals)
        going = {
            lead.id: group_vals.get("team_id")
            for leads, group_vals in groups
            for lead in leads
        }
        concerned = self.filtered(
            lambda lead: lead.user_id != new_user
            and (
                lead.queue_id
                or lead.team_id.id in queue_team_ids
                or going[lead.id] in queue_team_ids
            )
        )
        self._queue_write_groups(
            [(leads - concerned, group_vals) for leads, group_vals in groups],
            queue_team_ids,
        )
        if not concerned:
            return True
        rest = {key: value for key, value in vals.items() if key != "user_id"}
        if rest:
            concerned._write_values(rest)
        concerned._queue_change_owner(new_user, vals.get("team_id"))
        return True

    def _queue_explicit_team(self, vals):
        """``[(leads, vals)]``: the leads of ``self`` with the values to write
        on them, where a write of ``vals`` without team would move some to
        another team: Odoo's crm gives a lead whose salesperson (new, or kept
        when the type changes) is not in its team their default team
        (``_compute_team_id``), computed as superuser, whose context Odoo
        cleans of its ``default_`` keys. For those leads the team is named in
        their values: the perimeter's rules see the move a form would send,
        and the door goes through for them."""
        if "team_id" in vals or not {"user_id", "type"} & set(vals):
            return [(self, vals)]
        leads = self.sudo()
        moves, defaults = {}, {}
        # a claim by a plain write is the claim's (its rules), not a move
        claim = vals == {"user_id": self.env.uid}
        for lead in leads:
            if claim and lead.queue_state == "pool":
                continue
            team = lead._queue_team_of(vals, defaults)
            if team != lead.team_id:
                moves.setdefault(team, []).append(lead.id)
        if not moves:
            return [(self, vals)]
        groups = [
            (self.browse(ids), dict(vals, team_id=team.id))
            for team, ids in moves.items()
        ]
        rest = self - self.browse([i for ids in moves.values() for i in ids])
        return groups + ([(rest, vals)] if rest else [])

    def _convert_opportunity_data(self, customer, team_id=False):
        """While queues exist, a conversion names the team (the one asked
        for, else the lead's own) with the type: Odoo would otherwise give a
        lead whose salesperson is not in its team their default team on the
        change of type alone (``_queue_explicit_team``), a move the wizard
        then undoes by writing the team it shows. A team the wizard changes
        is its own, checked write."""
        values = super()._convert_opportunity_data(customer, team_id=team_id)
        if self.env["crm.team.queue"]._get_queue_team_ids():
            values["team_id"] = team_id or self.team_id.id
        return values

    def _queue_team_of(self, vals, defaults):
        """The team Odoo's crm gives the lead (one, sudo) after a write of
        ``vals`` without team (``_compute_team_id``); ``defaults`` caches the
        default teams by salesperson and type."""
        user = (
            self.env["res.users"].browse(vals["user_id"] or False)
            if "user_id" in vals
            else self.user_id
        )
        if not user or user in self.team_id.member_ids | self.team_id.user_id:
            return self.team_id
        kind = vals.get("type", self.type)
        if (user, kind) not in defaults:
            use = "use_leads" if kind == "lead" else "use_opportunities"
            defaults[user, kind] = self.env["crm.team"]._get_default_team_id(
                user_id=user.id, domain=[(use, "=", True)]
            )
        return defaults[user, kind]

    @api.model
    def _queue_routing_off(self):
        """Whether the module's own code asked not to route (``ROUTING_OFF``:
        data loads, benchmarks); a client cannot ask it."""
        return self.env.context.get(NO_ROUTE) is NO_ROUTE_TOKEN

    def _queue_merge_dependences(self, opportunities):
        """Merge step: the ledger lines of the merged leads follow them."""
        self.env["crm.lead.assignment"]._move_to_lead(opportunities, self)

    def _queue_write_team(self, vals, queue_team_ids):
        """A change of team takes the leads out of the queue of their old team;
        unassigned leads moved into a team with queues are routed there."""
        new_team = self.env["crm.team"].browse(vals["team_id"] or False)
        leaving = self.filtered(
            lambda lead: lead.queue_id and lead.queue_id.team_id != new_team
        )
        result = self._write_values(vals)
        if leaving:
            # Out of the queue: out of its pool and its SLA.
            leaving.with_context(**{DOOR_PASSED: DOOR_TOKEN}).write(
                {
                    "queue_id": False,
                    "pool_date": False,
                    "sla_state": "none",
                    "sla_deadline": False,
                    "sla_warned": False,
                    "pool_alerted": False,
                }
            )
        if new_team.id in queue_team_ids and not self._queue_routing_off():
            self._queue_route_unrouted(queue_team_ids)
        return result

    def _queue_change_owner(self, new_user, new_team_id=None):
        """Decisions for a plain write of ``user_id`` (form, list, import, RPC):
        a salesperson who takes a pool lead for themselves claims it (same rules
        as the Claim button); emptying the salesperson of a queue's lead releases
        it to the pool; anything else is a manual assignment. The leads' other
        values (a new team among them) are written already."""
        user = self.env.user
        hint = self._door_hint()
        # A lead moved to another team in the same write left its queue.
        moved = self.filtered(
            lambda lead: lead.queue_id and lead.queue_id.team_id != lead.team_id
        )
        staying = self - moved
        if (
            not hint.given
            and new_user == user
            and not self._queue_is_leader_or_manager()
        ):
            pool_leads = staying.filtered(lambda lead: lead.queue_state == "pool")
            if pool_leads:
                pool_leads._queue_claim(partial=False)
                staying -= pool_leads
        if not new_user and not hint.given:
            released = staying.filtered("queue_id")
            if released:
                released._queue_release(reason=False)
                staying -= released
        leads = staying | moved
        if not leads:
            return
        new_team = self.env["crm.team"].browse(new_team_id or False)
        leads._queue_assign_manually(new_user, new_team, hint)
        if not new_user and not self._queue_routing_off():
            queue_team_ids = self.env["crm.team.queue"]._get_queue_team_ids()
            leads._queue_route_unrouted(queue_team_ids)

    def _queue_assign_manually(self, new_user, new_team, hint):
        """Give the leads of ``self`` to ``new_user`` (a plain write: the
        method and reason of ``hint``, a manual assignment by default), in
        ``new_team`` when one was written (else Odoo's team rules)."""
        reason = hint.reason or Reason("manual", {"user": Reason.ref(self.env.user)})
        self._queue_assign_batch(
            [
                Decision(
                    lead,
                    new_user,
                    lead.queue_id
                    if lead.queue_id.team_id == lead.team_id
                    else lead.queue_id.browse(),
                    method=hint.method,
                    reason=reason,
                    team=new_team or None,
                    keep_team=not new_team,
                )
                for lead in self
            ]
        )

    @api.model
    def _door_hint(self):
        """The :class:`DoorHint` of the context, or the default one (manual);
        ``given`` tells whether a caller gave one."""
        hint = self.env.context.get(DOOR_HINT)
        if isinstance(hint, DoorHint):
            return _GivenHint(hint.method, hint.reason, True)
        return _GivenHint("manual", None, False)

    def _queue_is_leader_or_manager(self):
        """Whether the current user is a sales manager or leads the team of
        every lead of ``self``."""
        if self.env["crm.team"]._queue_is_manager():
            return True
        # "steers" is defined once, by the perimeter (crm_lead_perimeter.py)
        return bool(self) and not self.sudo()._perimeter_unsteered()

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_route(self):
        """Route the selected leads that have no salesperson through the queues
        of their team (or of every team when they have none). Callable by RPC:
        for sales managers and for the leaders of the leads' teams.

        :return: a client notification saying what happened
        """
        self.check_access("write")
        if not self._queue_is_leader_or_manager():
            raise AccessError(
                _(
                    "Only a sales manager or the team leader can route leads: ask "
                    "the leader of the team to route them, or claim them from the "
                    "pool."
                )
            )
        leads = self.filtered(lambda lead: not lead.user_id)
        return self._queue_routed_notification(leads, leads._queue_route())

    def _queue_routed_notification(self, leads, result):
        """What the Route button answers: how many of ``leads`` (those of
        ``self`` without salesperson) were assigned, placed in a pool, left
        (no queue, busy queue): ``result`` is :meth:`_queue_route`'s."""
        assigned = sum(1 for outcome in result.values() if outcome == "assigned")
        pooled = sum(1 for outcome in result.values() if outcome == "pool")
        busy = sum(1 for outcome in result.values() if outcome == "busy")
        unmatched = len(leads) - assigned - pooled - busy
        message = _(
            "%(assigned)s assigned, %(pooled)s placed in a pool, %(left)s "
            "matched no queue, %(owned)s already had a salesperson.",
            assigned=assigned,
            pooled=pooled,
            left=unmatched,
            owned=len(self) - len(leads),
        )
        if busy:
            message = _(
                "%(message)s %(busy)s will be routed in a moment (their queue "
                "was busy routing other leads).",
                message=message,
                busy=busy,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if not unmatched else "warning",
                "title": _("Leads Routed"),
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_assignments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Assignment History"),
            "res_model": "crm.lead.assignment",
            "view_mode": "list,form",
            "domain": [("lead_id", "=", self.id)],
            "context": {"default_lead_id": self.id},
        }

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_route_backlog(self, limit=1000):
        """Safety net of instant routing: route the open leads left without
        salesperson or queue, and try again the leads that overflowed into a
        pool when nobody was eligible. Newest first, so that leads nobody can
        take never starve the new ones; see :meth:`_get_backlog_domain`."""
        domain = self._get_backlog_domain()
        if domain is None:
            return True
        leads = self.search(domain, order="id desc", limit=limit).sorted("id")
        try:
            with self.env.cr.savepoint():
                leads._queue_route()
        except OperationalError:
            raise
        except Exception:
            # One lead that breaks routing must not hold back the others.
            _logger.exception("Backlog routing failed; routing lead by lead")
            leads._queue_route_one_by_one()
        return True

    def _queue_route_one_by_one(self):
        """Route each lead of ``self`` in a savepoint of its own; a lead whose
        routing fails stays unrouted (see *Waiting for Routing*)."""
        for lead in self:
            try:
                with self.env.cr.savepoint():
                    lead._queue_route()
            except OperationalError:
                raise
            except Exception as error:
                _logger.warning("Routing of lead %s fails: %s", lead.id, error)

    @api.model
    def _get_backlog_domain(self):
        """Open leads (active, not won) without salesperson, unrouted or waiting
        in the pool of a queue that assigns (overflow), of the teams with queues
        (or without team), created since their team's first queue exists and
        within the backlog window of the team's company: creating a first
        queue does not flood its members with every old unassigned lead (route
        those explicitly with the Route button).

        :return: a domain, or None when no queue exists
        """
        groups = (
            self.env["crm.team.queue"]
            .sudo()
            ._read_group([], ["team_id"], ["create_date:min"])
        )
        if not groups:
            return None
        first_queue = [(team, first) for team, first in groups]
        first_queue.append((self.env["crm.team"], min(first for _t, first in groups)))
        windows = [
            [
                ("team_id", "=", team.id),
                ("create_date", ">=", self._backlog_since(first, team)),
            ]
            for team, first in first_queue
        ]
        return expression.AND(
            [
                [
                    ("user_id", "=", False),
                    *OPEN_LEAD_DOMAIN,
                    "|",
                    ("queue_id", "=", False),
                    ("queue_id.strategy", "in", STRATEGIES_ASSIGNING),
                ],
                expression.OR(windows),
            ]
        )

    @api.model
    def _backlog_since(self, first, team):
        """Since when the backlog routes the leads of ``team`` (none: leads
        without team), whose first queue was created at ``first``: within the
        backlog window of the team's company."""
        days = (team.company_id or self.env.company).queue_backlog_days
        if not days:
            return first
        return max(first, fields.Datetime.now() - timedelta(days=days))

    # ------------------------------------------------------------
    # ROUTING (see docs/design-notes.md, "Queue engine")
    # ------------------------------------------------------------

    def _queue_route_unrouted(self, queue_team_ids):
        """Route the leads of ``self`` that have neither salesperson nor queue
        and whose team has queues (or that have no team)."""
        to_route = self.filtered(
            lambda lead: not lead.user_id
            and not lead.queue_id
            and lead.active
            and (not lead.team_id or lead.team_id.id in queue_team_ids)
        )
        if not to_route:
            return
        # The caller's own pending writes first, outside the guard: their
        # errors are theirs (and a serialization failure is Odoo's to retry).
        self.env.flush_all()
        try:
            # No setting and no crash of routing may stop the leads from being
            # saved: a routing that fails is undone, and tried again after
            # the commit, then by the backlog.
            with self.env.cr.savepoint():
                to_route._queue_route()
        except Exception:
            _logger.exception(
                "Routing of leads %s failed; tried again after the commit",
                to_route.ids,
            )
            to_route.invalidate_recordset()
            to_route._queue_route_after_commit()

    def _queue_route(self):
        """Route ``self`` through the queues: each lead without salesperson goes to
        the first active queue of its team (of every team, in team order, when it
        has none) that matches it, whose strategy picks a member or places it in
        the pool. Set-based: the plan is computed in memory and written per owner.

        Routing never makes the calling transaction fail or wait: when another
        transaction is routing leads of the same teams, the leads are routed
        right after this transaction commits, in a short transaction of their
        own (:meth:`_queue_route_after_commit`).

        :return: dict {lead id: 'assigned' | 'pool' | 'busy'}
        """
        leads = self.sudo().filtered(lambda lead: not lead.user_id and lead.active)
        if not leads:
            return {}
        result = self.env["crm.team.queue"].sudo()._route_leads(leads)
        busy = [lead_id for lead_id, outcome in result.items() if outcome == "busy"]
        if busy:
            self.browse(busy)._queue_route_after_commit()
        return result

    def _queue_route_after_commit(self):
        """Route ``self`` once the current transaction has committed (the leads
        then exist for everybody), in transactions of their own. Several calls
        in one transaction are routed together.

        The transaction also writes one trigger of the backlog cron
        (:meth:`_queue_backlog_trigger`): it commits with the leads, so that
        whatever stops the routing after the commit (the worker killed, its
        connection cut), the cron routes them at its first wake-up once the
        trigger is due instead of at its next interval. The after-commit
        routing deletes it once it has routed them."""
        postcommit = self.env.cr.postcommit
        pending = postcommit.data.get(ROUTE_LATER)
        if pending is None:
            pending = postcommit.data[ROUTE_LATER] = set()
            trigger = postcommit.data[ROUTE_TRIGGER] = {}
            registry = self.env.registry
            uid = self.env.uid
            postcommit.add(
                lambda: _route_after_commit(registry, uid, pending, trigger.get("id"))
            )
        # The trigger row is gone when a savepoint that wrote it was rolled
        # back (an import's bad row): write it again.
        trigger = postcommit.data[ROUTE_TRIGGER]
        Trigger = self.env["ir.cron.trigger"].sudo()
        if not trigger.get("id") or not Trigger.browse(trigger["id"]).exists():
            trigger["id"] = self._queue_backlog_trigger()
        pending.update(self.ids)

    @api.model
    def _queue_backlog_trigger(self):
        """Write a trigger of the backlog cron, due in ``TRIGGER_DELAY``, in
        the current transaction (no notification: the after-commit routing
        comes first).

        :return: the trigger's id, or None when the backlog cron is off
        """
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
            BACKLOG_CRON, raise_if_not_found=False
        )
        if not cron_id:
            return None
        # One statement (a busy create writes it): the ORM would read the cron
        # twice first.
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO ir_cron_trigger
                          (cron_id, call_at, create_uid, write_uid,
                           create_date, write_date)
                   SELECT id, %(at)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM ir_cron WHERE id = %(cron)s AND active
                RETURNING id""",
                at=now + TRIGGER_DELAY,
                uid=self.env.uid,
                now=now,
                cron=cron_id,
            )
        )
        row = self.env.cr.fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------
    # THE ONE DOOR: the assignment primitive
    # ------------------------------------------------------------

    @api.model
    def _queue_assign_batch(self, decisions, notify=None, activity=True, digest=False):
        """THE ONE DOOR. Apply ``decisions`` (list of :class:`Decision`; those
        that change nothing are skipped), set-based, in steps: the queue rows
        of the teams that get leads (:meth:`_queue_touch_teams`), the leads
        (:meth:`_queue_write_decisions`, one write per group of equal values,
        :meth:`_queue_decision_values`), the chatter (``crm_lead_tracking.py``),
        the ledger (:meth:`_queue_record`) and the alerts. A routing plan is
        applied by ``crm.team.queue._apply_plan``.

        :param bool notify: force (True/False) the notification; None follows the
            queue's ``notify_assignee`` (or the company default without queue)
        :param activity: schedule the activity (True: the queue's or the company
            default; False: none; a ``mail.activity.type``: that type)
        :param bool digest: one notification per new owner listing all their
            leads of the batch (wizards, handover) instead of one per lead
        :return: ids of the ledger lines written
        """
        decisions = [
            decision
            for decision in decisions
            if decision.user != decision.lead.user_id
            or decision.queue != decision.lead.queue_id
            or (decision.team and decision.team != decision.lead.team_id)
            or decision.method == "accepted"
        ]
        if not decisions:
            return []
        now = fields.Datetime.now()
        previous = {decision.lead.id: decision.lead.user_id for decision in decisions}
        waited = {
            decision.lead.id: self._queue_waited_minutes(decision.lead, now)
            for decision in decisions
        }
        self._queue_touch_teams(decisions)
        before = self._queue_before_door(decisions)
        self._queue_write_decisions(decisions, now)
        self._queue_track_owners(decisions, before)
        ids, alerts = self._queue_record(decisions, previous, waited)
        self._queue_alert_batch(alerts, notify=notify, activity=activity, digest=digest)
        return ids

    @api.model
    def _queue_before_door(self, decisions):
        """Step of the door, before the leads are written: what the later
        steps need of the leads as they were (``crm_lead_tracking.py`` keeps
        the tracked values). :return: {lead id: {field name: value}}"""
        return {}

    @api.model
    def _queue_track_owners(self, decisions, before):
        """Step of the door, once the leads are written: show the changes in
        the chatter (``crm_lead_tracking.py``); ``before`` is what
        :meth:`_queue_before_door` returned."""

    @api.model
    def _queue_record_given(self, decisions):
        """The owners given when the leads were created (already written, and
        notified by Odoo): a ledger line each and the queue's activity, no
        alert to the creator."""
        ids, alerts = self._queue_record(decisions, {}, {})
        mine = [key for key in alerts if key[0] == self.env.user]
        for key in mine:
            del alerts[key]
        self._queue_alert_batch(alerts, notify=False, activity=True)
        return ids

    @api.model
    def _queue_record(self, decisions, previous, waited):
        """Write the ledger lines of ``decisions`` (applied).

        :param dict previous: {lead id: previous owner} (none: no owner)
        :param dict waited: {lead id: minutes the lead waited without owner}
        :return: (ids of the lines, {(new owner, queue or company): lead ids}
            the alerts to send)
        """
        no_user = self.env["res.users"]
        rows = []
        # Ids, not recordsets: "records |= lead" per lead is quadratic.
        alerts = defaultdict(list)
        for decision in decisions:
            lead = decision.lead
            prev = previous.get(lead.id, no_user)
            rows.append(
                {
                    "lead_id": lead.id,
                    "user_id": decision.user.id,
                    "previous_user_id": prev.id,
                    "queue_id": decision.queue.id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                    "method": decision.method,
                    "reason": decision.reason,
                    "wait_minutes": 0 if prev else waited.get(lead.id, 0),
                }
            )
            if self._queue_alerts_owner(decision, prev):
                source = decision.queue or self.env.company
                alerts[(decision.user, source)].append(lead.id)
        return self.env["crm.lead.assignment"]._insert_lines(rows), alerts

    @api.model
    def _queue_alerts_owner(self, decision, previous):
        """Whether the owner of ``decision`` (applied; ``previous``: the owner
        before it) gets the alert and the activity: when the lead is new to
        them (an offer: when they accept it, ``crm_lead_offer.py``)."""
        return bool(decision.user) and decision.user != previous

    @api.model
    def _queue_alert_batch(self, alerts, notify, activity, digest=False):
        """Alert each new owner of their leads (:meth:`_queue_alert`); with
        ``digest``, one notification per owner listing all their leads.

        :param dict alerts: {(user, queue or company): lead ids}
        """
        Lead = self.env["crm.lead"]
        digests = defaultdict(lambda: Lead)
        for (user, source), lead_ids in alerts.items():
            leads = Lead.browse(lead_ids)
            if digest:
                settings = self._queue_alert_settings(source)
                if settings["notify"] if notify is None else notify:
                    digests[user] |= leads
                self._queue_alert(leads, user, source, notify=False, activity=activity)
            else:
                self._queue_alert(leads, user, source, notify=notify, activity=activity)
        for user, leads in digests.items():
            self._queue_alert_digest(leads, user)

    @api.model
    def _queue_touch_teams(self, decisions):
        """Write the queue rows of the teams that these decisions give leads
        to (``crm.team.queue._hold_team_rows``)."""
        Queue = self.env["crm.team.queue"]
        queue_team_ids = Queue._get_queue_team_ids()
        Queue._hold_team_rows(
            decision.target_team.id
            for decision in decisions
            if decision.user and decision.target_team.id in queue_team_ids
        )

    @api.model
    def _queue_waited_minutes(self, lead, now):
        """Minutes ``lead`` has waited without salesperson (0 when it has one)."""
        if lead.user_id:
            return 0
        since = lead.pool_date or lead.create_date or now
        return max(int((now - since).total_seconds() // 60), 0)

    @api.model
    def _queue_write_decisions(self, decisions, now):
        """Write the leads of ``decisions``: one write per group of leads that
        get the same values (:meth:`_queue_decision_values`)."""
        cache = {}
        groups = defaultdict(list)
        for decision in decisions:
            vals = self._queue_decision_values(decision, now, cache)
            groups[tuple(sorted(vals.items()))].append(decision.lead.id)
        keep_team_ids = {
            decision.lead.id for decision in decisions if decision.keep_team
        }
        # The ledger line explains each change, and one batch of tracking
        # messages shows it in the chatter (_queue_track_owners); Odoo's
        # automatic assignment notification is replaced by our alert.
        writer = self._queue_door_writer()
        for key, lead_ids in groups.items():
            leads = writer.browse(lead_ids)
            vals = dict(key)
            if (
                "team_id" not in vals
                and "stage_id" not in vals
                and keep_team_ids.isdisjoint(lead_ids)
            ):
                # The team is decided and stays (the new owner is in it): Odoo
                # must not recompute it from the owner, nor what depends on it
                # (stage, probability, properties).
                with self.env.protecting(self._queue_team_bound_fields(), leads):
                    leads.write(vals)
            else:
                leads.write(vals)
        self._queue_after_write_decisions(decisions)

    @api.model
    def _queue_door_writer(self):
        """``crm.lead`` as the door writes leads: past the door's guard, with
        no tracking and no automatic assignment notification."""
        return self.env["crm.lead"].with_context(
            mail_auto_subscribe_no_notify=True,
            mail_notrack=True,
            **{DOOR_PASSED: DOOR_TOKEN},
        )

    @api.model
    def _queue_decision_values(self, decision, now, cache):
        """The values the lead of ``decision`` is written with: owner, queue,
        team (only when it changes: writing it recomputes the stage, the
        probability and the team's followers), a stage of the new team when the
        current one belongs to another team, the pool date. Other files add
        their values by overriding this (the SLA, the lead type).

        :param dict cache: shared by the decisions of one batch (a key per
            contributor)
        """
        lead = decision.lead
        team = decision.target_team
        vals = {"user_id": decision.user.id, "queue_id": decision.queue.id}
        if not decision.keep_team and team != lead.team_id:
            vals["team_id"] = team.id
        stage = lead.stage_id
        if stage.team_id and team and stage.team_id != team:
            stages = cache.setdefault("stage", {})
            if team.id not in stages:
                stages[team.id] = self._stage_find(
                    team_id=team.id, domain=[("fold", "=", False)]
                ).id
            vals["stage_id"] = stages[team.id]
        if decision.user:
            vals["pool_date"] = False
        elif decision.queue:
            vals["pool_date"] = now
        return vals

    @api.model
    def _queue_after_write_decisions(self, decisions):
        """After the leads of ``decisions`` are written: a lead whose team Odoo
        moved to its new salesperson's (``keep_team``) leaves a queue of the
        old team. Other files add their step by overriding this."""
        fix = [
            decision.lead.id
            for decision in decisions
            if decision.keep_team
            and decision.lead.queue_id
            and decision.lead.queue_id.team_id != decision.lead.team_id
        ]
        if fix:
            self._queue_door_writer().browse(fix).write(
                {"queue_id": False, "pool_date": False}
            )

    @api.model
    def _queue_team_bound_fields(self):
        """The team and the stored fields computed from it (except the company,
        which also follows the owner)."""
        team_field = self._fields["team_id"]
        tree = self.env.registry.get_trigger_tree(
            [team_field], select=lambda field: field.compute and field.store
        )
        return [team_field] + [
            field
            for field in tree.root
            if field.model_name == self._name and field.name != "company_id"
        ]

    @api.model
    def _queue_alert(self, leads, user, source, notify=None, activity=True):
        """Schedule ``source``'s activities (a queue, or the company defaults)
        for ``user`` on ``leads``, all in one create, and send them one
        notification per lead.

        :param activity: True for ``source``'s activity plan, else its activity
            type; False for none; or the ``mail.activity.type`` to schedule
            instead (the assign wizard's choice)"""
        settings = self._queue_alert_settings(source)
        vals_list = self._queue_alert_activity_values(leads, user, activity, settings)
        if vals_list:
            model_id = self.env["ir.model"]._get_id("crm.lead")
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=True
            ).create(
                [
                    dict(vals, automated=True, res_model_id=model_id, res_id=lead.id)
                    for lead, vals in vals_list
                ]
            )
        do_notify = settings["notify"] if notify is None else notify
        if do_notify and user != self.env.user and user.active:
            partner = user.partner_id
            leads.with_context(
                lang=partner.lang or self.env.context.get("lang")
            )._message_auto_subscribe_notify(partner.ids, "mail.message_user_assigned")

    @api.model
    def _queue_alert_activity_values(self, leads, user, activity, settings):
        """The activities to schedule for ``user``, new owner of ``leads``:
        the plan of ``settings`` when ``activity`` is True and there is one
        (:meth:`_queue_plan_activity_values`, on the leads of the plan's
        company), else one activity of the type
        :meth:`_queue_alert_activity_type` gives per lead.

        :return: list of (lead, values of its ``mail.activity``)"""
        plan = settings["plan"]
        result = []
        if plan and activity and not isinstance(activity, models.BaseModel):
            planned = leads.sudo().filtered(plan._queue_applies_to)
            result = self._queue_plan_activity_values(plan, planned, user)
            leads -= planned
        activity_type = self._queue_alert_activity_type(activity, settings)
        if not (activity_type and leads):
            return result
        vals = {
            "activity_type_id": activity_type.id,
            "summary": activity_type.summary,
            "note": activity_type.default_note,
            "date_deadline": self._queue_activity_deadline(
                user, settings["deadline_days"]
            ),
            "user_id": user.id,
        }
        return result + [(lead, vals) for lead in leads]

    @api.model
    def _queue_plan_activity_values(self, plan, leads, user):
        """The activities of ``plan`` (a cadence) on ``leads`` received by
        ``user``, as Odoo's "Launch Plan" would schedule them (the plan's
        templates decide the responsible and the deadline): a template "Ask at
        launch" goes to ``user``, one with a default user to that user (to
        ``user`` when that one is archived); the deadlines count from today in
        ``user``'s time zone.

        :return: list of (lead, values of its ``mail.activity``)"""
        today = self._queue_activity_deadline(user, 0)
        result = []
        for lead in leads:
            for template in plan.template_ids:
                responsible = template._determine_responsible(user, lead)
                if responsible["error"]:
                    continue
                # a fixed responsible who has left (archived): nobody would
                # see the step, the new owner does it
                responsible = responsible["responsible"].sudo()
                vals = {
                    "activity_type_id": template.activity_type_id.id,
                    "summary": template.summary,
                    "note": template.note,
                    "date_deadline": template._get_date_deadline(today),
                    "user_id": (responsible if responsible.active else user).id,
                }
                result.append((lead, vals))
        return result

    @api.model
    def _queue_alert_activity_type(self, activity, settings):
        """The activity type to schedule: ``activity`` itself when it is one,
        else the settings' when ``activity`` is true."""
        if isinstance(activity, models.BaseModel):
            return activity.sudo()
        if activity:
            return settings["activity_type"]
        return self.env["mail.activity.type"]

    @api.model
    def _queue_alert_digest(self, leads, user):
        """One notification to ``user`` listing all of ``leads`` they received
        (in their language); posted on the lead when there is one."""
        if user == self.env.user or not user.active or not leads:
            return
        partner = user.partner_id
        leads = leads.sudo().with_context(lang=partner.lang or self.env.lang)
        subject, body = leads._queue_alert_digest_content(self.env.user)
        thread = leads if len(leads) == 1 else self.env["mail.thread"]
        thread.sudo().message_notify(
            partner_ids=partner.ids,
            author_id=self.env.user.partner_id.id,
            subject=subject,
            body=body,
            subtype_xmlid="mail.mt_note",
            email_layout_xmlid="mail.mail_notification_light",
        )

    def _queue_alert_digest_content(self, author):
        """Subject and body of the digest of the leads of ``self``, given by
        ``author``, in the language of ``self``'s context."""
        subject = _("%(count)s lead(s) assigned to you", count=len(self))
        intro = _(
            "%(user)s assigned you %(count)s lead(s):",
            user=author.name,
            count=len(self),
        )
        return subject, self._queue_lead_list_body(intro)

    def _queue_lead_list_body(self, intro, notes=None):
        """The body of a notification that lists the leads of ``self``: the
        ``intro`` paragraph, then a link to each lead (at most
        ``DIGEST_LIST_MAX``, the rest counted), followed by its note in
        ``notes`` ({lead id: text}) when there is one (see
        :func:`lead_list_html`)."""
        notes = notes or {}
        rows = [
            (
                f"/odoo/crm/{lead.id}",
                lead.display_name,
                Markup(": %s") % notes[lead.id] if notes.get(lead.id) else "",
            )
            for lead in self[:DIGEST_LIST_MAX]
        ]
        more = len(self) - DIGEST_LIST_MAX
        more = _("and %(count)s more", count=more) if more > 0 else None
        return lead_list_html(intro, rows, more)

    @api.model
    def _queue_alert_settings(self, source):
        """Alert settings of a queue, or the company defaults (assignments made
        outside any queue). ``plan`` is the cadence that applies (it replaces
        the single ``activity_type``): the queue's plan; else, for a queue
        without activity type, the company's default plan."""
        source = source.sudo()
        if source._name == "res.company":
            return {
                "activity_type": source.queue_activity_type_id,
                "deadline_days": source.queue_activity_deadline_days,
                "notify": source.queue_notify_assignee,
                "plan": source.queue_activity_plan_id._queue_usable(),
            }
        plan = source.activity_plan_id._queue_usable()
        if not plan and not source.activity_type_id:
            company = source.company_id or self.env.company
            plan = company.sudo().queue_activity_plan_id._queue_usable()
        return {
            "activity_type": source.activity_type_id,
            "deadline_days": source.activity_deadline_days,
            "notify": source.notify_assignee,
            "plan": plan,
        }

    @api.model
    def _queue_activity_deadline(self, user, days):
        """The date ``days`` working days after today for ``user``: counted on
        their working schedule (skipping days off and time off) when they have
        one, in calendar days otherwise. 0 is today (in the user's time zone)."""
        tz = pytz.timezone(user.tz or "UTC")
        today = datetime.now(tz).date()
        calendar = user.resource_calendar_id
        if not days:
            return today
        if calendar:
            start = tz.localize(
                datetime.combine(today + timedelta(days=1), dt_time.min)
            )
            resource = user.resource_ids.filtered(lambda r: r.calendar_id == calendar)[
                :1
            ]
            found = set()
            for step in range(26):  # look one year ahead at most
                window_start = start + timedelta(days=14 * step)
                intervals = calendar._work_intervals_batch(
                    window_start,
                    window_start + timedelta(days=14),
                    resources=resource,
                    tz=tz,
                )[resource.id]
                for interval_start, _stop, _meta in intervals:
                    found.add(interval_start.astimezone(tz).date())
                    if len(found) == days:
                        return max(found)
        return today + timedelta(days=days)

    def _queue_assign(self, user, queue=False, method="manual", reason=False, **kw):
        """Give ``self`` (leads) to ``user`` (or to nobody: the pool of
        ``queue``) through the primitive. ``reason``: a :class:`Reason`, or a
        text typed by a person."""
        queue = queue or self.env["crm.team.queue"]
        if reason and not isinstance(reason, Reason):
            reason = Reason.text(reason)
        team = kw.pop("team", None)
        return self._queue_assign_batch(
            [
                Decision(lead, user, queue, method=method, reason=reason, team=team)
                for lead in self
            ],
            **kw,
        )


def _route_after_commit(registry, uid, lead_ids, trigger_id=None):
    """Post-commit hook: route the leads ``lead_ids`` in a READ COMMITTED
    transaction that waits for the queues' lock, so that it plans on the
    latest state; tried again on a deadlock or a lock timeout, then left to
    the backlog cron. Never raises: the lead is saved whatever happens here.
    ``trigger_id``: the backlog trigger committed with the leads, deleted once
    they are routed (see ``CrmLead._queue_route_after_commit``)."""
    try:
        error = run_read_committed(
            registry,
            lambda cr: _route_committed(
                api.Environment(cr, uid, {}), lead_ids, trigger_id
            ),
            ROUTE_TRIES,
            ROUTE_LOCK_TIMEOUT,
        )
    except Exception:
        _logger.exception(
            "Routing of leads %s failed; the backlog will try again",
            sorted(lead_ids),
        )
        _trigger_backlog(registry)
        return
    if error:
        _logger.info(
            "Routing of leads %s left to the backlog: %s", sorted(lead_ids), error
        )
        _trigger_backlog(registry)


def _route_committed(env, lead_ids, trigger_id):
    """Route the leads ``lead_ids`` still without salesperson or queue, then
    settle their backlog trigger."""
    leads = env["crm.lead"].sudo().browse(sorted(lead_ids)).exists()
    leads = leads.filtered(
        lambda lead: not lead.user_id and not lead.queue_id and lead.active
    )
    if leads:
        env["crm.team.queue"].sudo()._route_leads(leads, wait=True)
    if trigger_id:
        _settle_backlog_trigger(env, trigger_id)


def _settle_backlog_trigger(env, trigger_id):
    """The leads of the backlog trigger ``trigger_id`` are routed: delete it.
    Another trigger of the backlog cron already due was most likely committed
    by a transaction whose after-commit routing never ran (they take less
    than ``TRIGGER_DELAY``): its leads wait for the cron's next wake-up (up to
    a minute), so wake it now."""
    cr = env.cr
    cr.execute(
        SQL(
            """WITH gone AS (DELETE FROM ir_cron_trigger WHERE id = %(id)s
                             RETURNING cron_id)
               SELECT cron_id, EXISTS(SELECT 1 FROM ir_cron_trigger t
                                       WHERE t.cron_id = gone.cron_id
                                         AND t.call_at <= %(now)s
                                         AND t.id <> %(id)s)
                 FROM gone""",
            id=trigger_id,
            now=fields.Datetime.now(),
        )
    )
    row = cr.fetchone()
    if not row:
        return  # the cron ran meanwhile
    if row[1]:
        # The due trigger is there: only the notification is missing (what
        # ir.cron._trigger_list adds after the commit for a trigger due now).
        _logger.debug("Waking the backlog cron for leads whose routing never ran")
        cr.postcommit.add(env["ir.cron"].browse(row[0])._notifydb)


def _trigger_backlog(registry):
    """Ask the backlog cron to run now (the leads it must route are saved)."""
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cron = env.ref(BACKLOG_CRON, raise_if_not_found=False)
            if cron and cron.active:
                cron._trigger()
    except Exception:
        _logger.info("Could not trigger the backlog routing", exc_info=True)


def lead_list_html(intro, rows, more=None, footer=None):
    """The one body of the notifications that list leads (alerts, digests,
    refusals, the live pool): the ``intro`` paragraph, a list of links
    (``rows``: (href, label, suffix)), the line ``more`` (leads not listed)
    and a ``footer`` paragraph. Blocks are separated by white space, so
    that the inbox's one-line preview reads well."""
    items = [
        Markup('<li><a href="%s">%s</a>%s</li>') % (href, label, suffix)
        for href, label, suffix in rows
    ]
    if more:
        items.append(Markup("<li>%s</li>") % more)
    body = Markup("<p>%s</p> <ul>%s</ul>") % (intro, Markup(" ").join(items))
    if footer:
        body += Markup(" <p>%s</p>") % footer
    return body
