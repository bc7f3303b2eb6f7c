"""Time rules of the queues: the SLA of an assigned lead (deadline in the
owner's working hours, met on the first follow-up, warning, breach with its
action), the hybrid dispatch of leads left unclaimed, and the alerts to team
leaders about leads waiting in a pool. One scheduled action runs them all
(:meth:`CrmLead._cron_lead_timers`); see docs/design-notes.md, "Timers"."""

import logging
import time
from collections import defaultdict
from datetime import timedelta

import pytz
from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.tools import SQL, format_datetime
from odoo.tools.sql import create_index

from .after_commit import RETRYABLE
from .crm_lead import DOOR_PASSED, DOOR_TOKEN
from .crm_team_queue_routing import STRATEGIES_ASSIGNING
from .duration import duration_words
from .local_day import local_date
from .values import Decision, Reason, render_reason, yes_no_domain

_logger = logging.getLogger(__name__)

TIMERS_CRON = "sales_team_queue.ir_cron_lead_timers"
# Leads handled per batch (one batch = a bounded number of queries per owner),
# and the time a run may take before it leaves the rest to the next call.
TIMERS_BATCH = 1000
TIMERS_BUDGET_SECONDS = 120
# Fields only the timers and the assignment primitive write (and managers).
TIMER_FIELDS = {"sla_state", "sla_deadline", "sla_warned", "pool_alerted"}
# Ledger methods of a first take-up: the SLA starts whatever the lead's state
# ("recycle" with a receiver is the SLA's reassign). Other methods (wizard,
# handover, manual) restart it only when it runs (see CrmLead._sla_values).
SLA_START_METHODS = {"auto", "claim", "dispatch", "recycle", "accepted"}
# Message types that are a follow-up when the owner wrote them.
SLA_MESSAGE_TYPES = {"comment", "email", "email_outgoing"}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sla_warned = fields.Boolean(
        string="SLA Warned",
        copy=False,
        readonly=True,
        help="The salesperson was warned that the SLA deadline is near.",
    )
    sla_at_risk = fields.Boolean(
        string="SLA at Risk",
        compute="_compute_sla_at_risk",
        search="_search_sla_at_risk",
        help="The SLA runs and its deadline is within the queue's warning time "
        "(or passed).",
    )
    pool_alerted = fields.Boolean(
        string="Pool Alert Sent",
        copy=False,
        readonly=True,
        help="The team leader was told that this lead waits in the pool.",
    )

    def init(self):
        result = super().init()
        # What the timers look for: running SLAs by deadline, pool leads by date.
        create_index(
            self.env.cr,
            "crm_lead_sla_running_deadline_index",
            self._table,
            ["sla_deadline"],
            where="sla_state = 'running'",
        )
        create_index(
            self.env.cr,
            "crm_lead_pool_waiting_index",
            self._table,
            ["queue_id", "pool_date"],
            where="user_id IS NULL AND queue_id IS NOT NULL",
        )
        return result

    @api.depends("sla_state", "sla_deadline", "queue_id.sla_warning_hours")
    def _compute_sla_at_risk(self):
        now = fields.Datetime.now()
        for lead in self:
            lead.sla_at_risk = bool(
                lead.sla_state == "running"
                and lead.sla_deadline
                and lead.sla_deadline
                <= now + timedelta(hours=lead.queue_id.sla_warning_hours)
            )

    def _search_sla_at_risk(self, operator, value):
        return yes_no_domain(
            self, "sla_at_risk", operator, value, self._sla_at_risk_domain
        )

    @api.model
    def _sla_at_risk_domain(self, positive):
        self.env["crm.lead"].flush_model(["sla_state", "sla_deadline", "queue_id"])
        self.env["crm.team.queue"].flush_model(["sla_warning_hours"])
        self.env.cr.execute(
            SQL(
                """SELECT l.id FROM crm_lead l
                LEFT JOIN crm_team_queue q ON q.id = l.queue_id
                    WHERE l.sla_state = 'running'
                      AND l.sla_deadline <= %s + make_interval(
                          secs => COALESCE(q.sla_warning_hours, 0) * 3600)""",
                fields.Datetime.now(),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        return [("id", "in" if positive else "not in", ids)]

    # ------------------------------------------------------------
    # SLA START (a step of the door: _queue_decision_values)
    # ------------------------------------------------------------
    @api.model
    def _queue_decision_values(self, decision, now, cache):
        # The SLA of the new owner, written with them by the door.
        vals = super()._queue_decision_values(decision, now, cache)
        vals.update(self._sla_values(decision, now, cache.setdefault("sla", {})))
        return vals

    @api.model
    def _sla_values(self, decision, now, cache):
        """The SLA values a lead gets from ``decision`` (written by
        ``_queue_write_decisions`` with the owner): a first take-up from a
        queue with an SLA starts it (``running``, deadline in their working
        hours): routing, claim, dispatch, the SLA's reassign, or any
        assignment of a lead without salesperson; a lead that changes hands
        (wizard, handover, manual) restarts it for the receiver only when it
        was running and keeps its state otherwise; a queue without SLA clears
        it; entering a pool resets the pool alert.

        :param dict cache: {(queue id, user id): deadline} for one batch
        """
        queue = decision.queue
        if not decision.user or decision.method == "offer":
            # an offer's SLA starts when it is accepted
            return {
                "sla_state": "none",
                "sla_deadline": False,
                "sla_warned": False,
                "pool_alerted": False,
            }
        if not queue.sla_hours:
            return {"sla_state": "none", "sla_deadline": False, "sla_warned": False}
        lead = decision.lead
        if (
            decision.method not in SLA_START_METHODS
            and self._sla_taken_up(lead)
            and lead.sla_state != "running"
        ):
            # A book changing hands (wizard, handover, manual) keeps its SLA:
            # leads already followed up (met), without SLA or breached are not
            # due again; only a running SLA restarts for the receiver.
            return {}
        key = (queue.id, decision.user.id)
        if key not in cache:
            cache[key] = self._sla_deadline(decision.user, queue.sla_hours, now)
        return {"sla_state": "running", "sla_deadline": cache[key], "sla_warned": False}

    @api.model
    def _sla_taken_up(self, lead):
        """Whether ``lead`` is held by an owner who took it up: a change of
        hands then keeps its SLA (see :meth:`_sla_values`); a lead nobody took
        up starts the receiver's."""
        return bool(lead.user_id)

    @api.model
    def _sla_deadline(self, user, hours, start):
        """``hours`` after ``start`` (naive UTC) counted in the working hours of
        ``user``'s working schedule (skipping nights, days off and time off)
        when they have one, in wall-clock hours otherwise.

        :return: naive UTC datetime
        """
        user = user.sudo()
        calendar = user.resource_calendar_id
        if calendar:
            resource = user.resource_ids.filtered(lambda r: r.calendar_id == calendar)
            deadline = calendar.plan_hours(
                hours, start, compute_leaves=True, resource=resource[:1] or None
            )
            if deadline:
                return deadline.replace(tzinfo=None)
        return start + timedelta(hours=hours)

    # ------------------------------------------------------------
    # SLA MET: the follow-ups
    # ------------------------------------------------------------

    def _sla_prepare_write(self, vals, internal):
        """Write step, before the values are written: the leads whose running
        SLA the write follows up (a change of stage, won included, or lost),
        with their owner; None when none (the module's own writes never are)."""
        if internal or not (
            "stage_id" in vals or ("active" in vals and not vals["active"])
        ):
            return None
        followed = self.filtered(
            lambda lead: lead._sla_awaits_follow_up()
            and ("stage_id" not in vals or lead.stage_id.id != vals["stage_id"])
        )
        return {lead.id: lead.user_id for lead in followed} or None

    def _sla_after_write(self, owners):
        """Write step, after the values are written: the SLAs followed up are
        met. A lead that changed hands in the same write has the new owner's
        SLA (started by the door): the stage change was not their follow-up.
        Only the owner's own change (or an automation's, as superuser) is."""
        if not owners:
            return
        followed = self.browse(list(owners)).filtered(
            lambda lead: lead.user_id == owners[lead.id]
            and (self.env.su or self._sla_is_owner_acting(lead.user_id))
        )
        if followed:
            followed._sla_mark_met()

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if self._sla_awaits_follow_up() and self._sla_is_owner_message(message):
            self._sla_mark_met()
        return message

    def _sla_awaits_follow_up(self):
        """Whether the lead ``self`` waits for its salesperson's follow-up
        (its SLA runs; an offer, ``crm_lead_offer.py``, also waits)."""
        return self.sla_state == "running"

    def _sla_is_owner_message(self, message):
        """Whether ``message`` posted on the lead ``self`` is a follow-up: a
        note, a message or an email (incoming through the mail gateway, which
        runs as superuser, or outgoing) whose author is the lead's salesperson.
        A note of the team leader, a message posted by someone else in the
        salesperson's name, the tracking, the assignment notifications and the
        queues' own alerts (by OdooBot) are not."""
        owner = self.sudo().user_id
        return bool(
            message.message_type in SLA_MESSAGE_TYPES
            and owner
            and message.author_id
            and message.author_id == owner.partner_id
            and message.author_id != self.env.ref("base.partner_root")
            and self._sla_is_owner_acting(owner, email=message.message_type == "email")
        )

    @api.model
    def _sla_is_owner_acting(self, owner, email=False):
        """Whether the current user is ``owner`` themselves: an author, a stage
        or an activity given by someone else (``author_id`` is a client value)
        is not the owner's follow-up. The mail gateway posts as superuser: an
        e-mail it receives counts by its author."""
        return self.env.uid == owner.id or (email and self.env.su)

    def _sla_mark_met(self):
        """The leads of ``self`` were followed up: their running SLA is met."""
        running = self.sudo().filtered(lambda lead: lead.sla_state == "running")
        if running:
            running.with_context(**{DOOR_PASSED: DOOR_TOKEN}).write(
                {"sla_state": "met"}
            )

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_lead_timers(self, batch_size=TIMERS_BATCH, budget=TIMERS_BUDGET_SECONDS):
        """The queues' timers, in batches of ``batch_size`` leads until done or
        ``budget`` seconds are spent (then Odoo calls again at once, see
        ``ir.cron._notify_progress``): SLA breaches, SLA warnings, hybrid
        dispatch, pool alerts. Idempotent: each lead is handled once (its state
        or flag changes with the action, in the same transaction); safe with
        several cron workers: each batch locks its leads ``FOR UPDATE SKIP
        LOCKED`` and a lead locked elsewhere is left to that transaction.

        :return: number of leads handled
        """
        started = time.monotonic()
        done = 0
        out_of_time = False
        # Notifications of the whole run, sent once per user at the end (the
        # batches share the cron's transaction).
        outbox = {}
        for phase in self._timers_phases():
            while True:
                if time.monotonic() - started > budget:
                    out_of_time = True
                    break
                selected, handled = phase(batch_size, outbox)
                done += handled
                # A partial batch, or leads that could not be handled now
                # (nobody eligible, queues busy): the next run comes back.
                if selected < batch_size or handled < selected:
                    break
            if out_of_time:
                break
        self._timers_send(outbox)
        remaining = self._timers_due_count() if out_of_time else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _timers_phases(self):
        """The timers, in the order they run (overridable)."""
        return [
            self._timers_breach,
            self._timers_warn,
            self._timers_dispatch,
            self._timers_pool_alert,
        ]

    @api.model
    def _timers_select(self, condition, order, limit):
        """Lock and return at most ``limit`` leads that meet ``condition`` (SQL
        on the lead ``l`` and its queue ``q``), in ``order``; leads another
        worker holds are skipped (see :meth:`_timers_lock`)."""
        return self._timers_lock(
            SQL(
                """SELECT l.id FROM crm_lead l
                LEFT JOIN crm_team_queue q ON q.id = l.queue_id
                    WHERE %s ORDER BY %s LIMIT %s
                      FOR UPDATE OF l SKIP LOCKED""",
                condition,
                order,
                limit,
            )
        )

    @api.model
    def _timers_lock(self, query):
        """Run ``query`` (SELECT ... FOR UPDATE SKIP LOCKED of lead ids) and
        return the leads it locked. A lead changed by a transaction that
        committed after this one began cannot be locked under REPEATABLE READ:
        then nothing is locked and the next run handles it."""
        self.env["crm.lead"].flush_model()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                ids = [row[0] for row in self.env.cr.fetchall()]
        except OperationalError as error:
            if error.pgcode not in RETRYABLE:
                raise
            _logger.info("Lead timers: leads changed meanwhile, next run: %s", error)
            return self.sudo().browse()
        leads = self.sudo().browse(ids)
        leads.invalidate_recordset()
        return leads

    @api.model
    def _timers_due_count(self):
        """How many leads the timers still have to handle now (approximate:
        the SLA and dispatch work, for the cron's progress)."""
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """SELECT (SELECT COUNT(*) FROM crm_lead
                            WHERE sla_state = 'running' AND sla_deadline <= %(now)s)
                        + (SELECT COUNT(*) FROM crm_lead l
                             JOIN crm_team_queue q ON q.id = l.queue_id
                            WHERE l.user_id IS NULL AND l.active AND q.active
                              AND q.strategy = 'hybrid'
                              AND l.pool_date <= %(now)s - make_interval(
                                  mins => COALESCE(q.dispatch_after_minutes, 0)))""",
                now=now,
            )
        )
        return self.env.cr.fetchone()[0]

    # --- breach -------------------------------------------------

    @api.model
    def _timers_breach(self, limit, outbox):
        """Running SLAs past their deadline: breached, then the queue's action
        (back to the pool, to another member, or kept with the leader told);
        the owner is told. :return: (leads selected, leads handled)"""
        now = fields.Datetime.now()
        leads = self._timers_select(
            SQL("l.sla_state = 'running' AND l.sla_deadline <= %s", now),
            SQL("l.sla_deadline, l.id"),
            limit,
        )
        if not leads:
            return 0, 0
        owners = {lead.id: lead.user_id for lead in leads}
        by_action = defaultdict(lambda: self.sudo().browse())
        for lead in leads:
            action = lead.queue_id.sla_action if lead.user_id else "none"
            by_action[action or "none"] |= lead
        # lead id: ('recycle' | 'reassign' | 'kept', new user)
        outcome = {}
        decisions = by_action["recycle"]._timers_breach_recycle(outcome)
        more, state, busy = by_action["reassign"]._timers_breach_reassign(outcome)
        decisions += more
        for lead in leads.filtered(lambda lead: lead.id not in outcome) - busy:
            outcome[lead.id] = ("kept", lead.user_id)
        handled = leads - busy
        # Breached first: the leads recycled keep that state in the pool; those
        # given to another member start a new SLA (written by the door).
        breached = {"sla_state": "breached"}
        handled.with_context(**{DOOR_PASSED: DOOR_TOKEN}).write(breached)
        if decisions:
            self.env["crm.team.queue"]._apply_plan(decisions, state)
            recycled = self.browse([d.lead.id for d in decisions if not d.user]).sudo()
            if recycled:
                recycled.with_context(**{DOOR_PASSED: DOOR_TOKEN}).write(breached)
        self._timers_tell_breach(handled, owners, outcome, outbox)
        return len(leads), len(handled)

    def _timers_breach_recycle(self, outcome):
        """The decisions that put the leads of ``self`` back in their pool
        (the queue's SLA action "Back to the pool")."""
        nobody = self.env["res.users"]
        for lead in self:
            outcome[lead.id] = ("recycle", nobody)
        return [
            Decision(
                lead,
                nobody,
                lead.queue_id,
                method="recycle",
                reason=Reason("sla_recycled", {"hours": lead.queue_id.sla_hours}),
            )
            for lead in self
        ]

    def _timers_breach_reassign(self, outcome):
        """The decisions that give the leads of ``self`` to another eligible
        member of their queue (the SLA action "Reassign"), planned by routing.

        :return: (decisions, the routing state they were planned on, the
            leads left for the next run because the queues were busy)
        """
        if not self:
            return [], None, self
        plan = (
            self.env["crm.team.queue"]
            .sudo()
            ._plan_routing(
                self,
                lock="nowait",
                requeue={lead.id: lead.user_id.id for lead in self},
            )
        )
        if plan.busy:
            return [], None, self.filtered(lambda lead: lead.id in plan.decisions)
        decisions = []
        # A lead without plan (its queue is archived) is kept.
        for lead in self.filtered(lambda lead: lead.id in plan.decisions):
            planned = plan.decisions[lead.id]
            args = {
                "hours": lead.queue_id.sla_hours,
                "reason": planned.reason.to_json(),
            }
            code = "sla_reassigned" if planned.user else "sla_reassign_nobody"
            decisions.append(
                Decision(
                    lead,
                    planned.user,
                    lead.queue_id,
                    method="recycle",
                    reason=Reason(code, args),
                )
            )
            outcome[lead.id] = ("reassign" if planned.user else "recycle", planned.user)
        return decisions, plan.state, self.browse()

    @api.model
    def _timers_tell_breach(self, leads, owners, outcome, outbox):
        """One notification per owner (what happened to each of their leads)
        and one per team leader of the leads kept (action: nothing)."""
        by_owner = defaultdict(list)
        by_leader = defaultdict(list)
        for lead in leads:
            owner = owners[lead.id]
            what, user = outcome.get(lead.id, ("kept", owner))
            by_owner[owner].append((lead, what, user))
            leader = lead.team_id.user_id
            if what == "kept" and leader and leader != owner:
                by_leader[leader].append((lead, owner))
        for owner, items in by_owner.items():
            if not owner.active:
                continue
            env = self.with_context(lang=owner.lang or self.env.lang).env

            def line(item, env=env):
                lead, what, user = item
                if what == "recycle":
                    return env._("back to the pool of %s", lead.queue_id.name)
                if what == "reassign":
                    return env._("given to %s", user.name)
                return env._("stays with you; your team leader is told")

            self._timers_post(
                outbox,
                "breach_owner",
                owner,
                [item[0] for item in items],
                [line(item) for item in items],
            )
        for leader, items in by_leader.items():
            self._timers_post(
                outbox,
                "breach_leader",
                leader,
                [lead for lead, _owner in items],
                [owner.name for _lead, owner in items],
            )

    # --- warning ------------------------------------------------

    @api.model
    def _timers_warn(self, limit, outbox):
        """Running SLAs whose deadline is within the queue's warning time: one
        activity per lead and one notification per owner, once.
        :return: (leads selected, leads handled)"""
        now = fields.Datetime.now()
        leads = self._timers_select(
            SQL(
                """l.sla_state = 'running' AND NOT COALESCE(l.sla_warned, FALSE)
                   AND q.sla_warning_hours > 0 AND l.sla_deadline > %(now)s
                   AND l.sla_deadline <= %(now)s + make_interval(
                       secs => q.sla_warning_hours * 3600)""",
                now=now,
            ),
            SQL("l.sla_deadline, l.id"),
            limit,
        )
        if not leads:
            return 0, 0
        leads.with_context(**{DOOR_PASSED: DOOR_TOKEN}).write({"sla_warned": True})
        by_owner = defaultdict(lambda: self.sudo().browse())
        for lead in leads:
            by_owner[lead.user_id] |= lead
        activities = []
        for owner, owned in by_owner.items():
            if owner.active:
                activities += self._timers_warn_owner(owner, owned, outbox)
        if activities:
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=True
            ).create(activities)
        return len(leads), len(leads)

    @api.model
    def _timers_warn_owner(self, owner, owned, outbox):
        """Tell ``owner`` their leads ``owned`` are due soon (one line each in
        their notification of the run); :return: the values of one to-do
        activity per lead, due on the deadline's day."""
        env = self.with_context(lang=owner.lang or self.env.lang).env
        deadlines = [
            format_datetime(env, lead.sla_deadline, tz=owner.tz, dt_format="short")
            for lead in owned
        ]
        self._timers_post(
            outbox,
            "warn",
            owner,
            owned,
            [env._("before %s", deadline) for deadline in deadlines],
        )
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        if not todo:
            return []
        model_id = self.env["ir.model"]._get_id("crm.lead")
        return [
            {
                "activity_type_id": todo.id,
                "summary": env._("SLA: follow up before %s", deadline),
                "automated": True,
                "date_deadline": self._timers_local_date(owner, lead.sla_deadline),
                "res_model_id": model_id,
                "res_id": lead.id,
                "user_id": owner.id,
            }
            for lead, deadline in zip(owned, deadlines, strict=True)
        ]

    # --- dispatch -----------------------------------------------

    @api.model
    def _timers_dispatch(self, limit, outbox):
        """Leads of hybrid pools unclaimed ``dispatch_after_minutes`` after
        they entered it go to an eligible member (method ``dispatch``); with
        nobody eligible they stay, the leader told once. :return: (selected,
        handled)"""
        now = fields.Datetime.now()
        leads = self._timers_select(
            SQL(
                """l.user_id IS NULL AND l.active AND q.active
                   AND q.strategy = 'hybrid'
                   AND l.pool_date <= %s - make_interval(
                       mins => COALESCE(q.dispatch_after_minutes, 0))""",
                now,
            ),
            SQL("l.pool_date, l.id"),
            limit,
        )
        if not leads:
            return 0, 0
        Queue = self.env["crm.team.queue"].sudo()
        requeue = dict.fromkeys(leads.ids, False)
        plan = Queue._plan_routing(leads, lock="nowait", requeue=requeue)
        if plan.busy or not plan.decisions:
            return len(leads), 0
        decisions, nobody = leads._timers_dispatch_decisions(plan, now)
        if decisions:
            Queue._apply_plan(decisions, plan.state)
        unalerted = (
            self.sudo().browse(nobody).filtered(lambda lead: not lead.pool_alerted)
        )
        if unalerted:
            self._timers_alert_leaders(
                outbox,
                unalerted,
                {lead_id: reason.to_json() for lead_id, reason in nobody.items()},
            )
        return len(leads), len(decisions)

    def _timers_dispatch_decisions(self, plan, now):
        """The decisions of ``plan`` that give the leads of ``self`` to a
        member (ledger method ``dispatch``, with the time they waited).

        :return: (decisions, {lead id: why nobody is eligible})
        """
        decisions = []
        nobody = {}
        for lead in self.filtered(lambda lead: lead.id in plan.decisions):
            planned = plan.decisions[lead.id]
            if not planned.user:
                nobody[lead.id] = planned.reason
                continue
            minutes = self._queue_waited_minutes(lead, now)
            reason = {"minutes": minutes, "reason": planned.reason.to_json()}
            decisions.append(
                Decision(
                    lead,
                    planned.user,
                    lead.queue_id,
                    method="dispatch",
                    reason=Reason("dispatched", reason),
                )
            )
        return decisions, nobody

    # --- pool alerts --------------------------------------------

    @api.model
    def _timers_pool_alert(self, limit, outbox):
        """Leads waiting in a pool longer than the queue's ``pool_alert_hours``,
        and leads that an assigning queue left in its pool because nobody was
        eligible (not those that wait for a skill: they are reported once the
        skills are relaxed, see ``crm_lead_skills_relax.py``): the team
        leader is told once, with the reason.
        :return: (leads selected, leads handled)"""
        now = fields.Datetime.now()
        leads = self._timers_select(
            SQL(
                """l.user_id IS NULL AND l.active AND q.active
                   AND NOT COALESCE(l.pool_alerted, FALSE)
                   AND ((q.strategy = ANY(%(assigning)s)
                         AND NOT COALESCE(l.skills_wait, FALSE))
                        OR (q.pool_alert_hours > 0
                            AND l.pool_date <= %(now)s - make_interval(
                                secs => q.pool_alert_hours * 3600)))""",
                assigning=list(STRATEGIES_ASSIGNING),
                now=now,
            ),
            SQL("l.pool_date, l.id"),
            limit,
        )
        if not leads:
            return 0, 0
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT ON (lead_id) lead_id, reason_code, reason_args
                     FROM crm_lead_assignment WHERE lead_id = ANY(%s)
                    ORDER BY lead_id, id DESC""",
                leads.ids,
            )
        )
        reasons = {
            lead_id: {"code": code, "args": args or {}}
            for lead_id, code, args in self.env.cr.fetchall()
            if code
        }
        self._timers_alert_leaders(outbox, leads, reasons)
        return len(leads), len(leads)

    @api.model
    def _timers_alert_leaders(self, outbox, leads, reasons):
        """Tell each team leader once which of ``leads`` wait in a pool, how
        long and why (``reasons``: {lead id: reason as JSON}); flags the leads
        (``pool_alerted``)."""
        leads.with_context(**{DOOR_PASSED: DOOR_TOKEN}).write({"pool_alerted": True})
        now = fields.Datetime.now()
        by_leader = defaultdict(lambda: self.sudo().browse())
        leaderless = self.sudo().browse()
        for lead in leads:
            leader = lead.queue_id.team_id.user_id
            if leader and leader.active:
                by_leader[leader] |= lead
            else:
                leaderless |= lead
        if leaderless:
            _logger.info(
                "%s lead(s) wait in the pool of queues whose team has no leader to "
                "alert: %s",
                len(leaderless),
                ", ".join(leaderless.queue_id.mapped("name")),
            )
        for leader, waiting in by_leader.items():
            env = self.with_context(lang=leader.lang or self.env.lang).env
            lines = []
            for lead in waiting:
                line = env._(
                    "%(queue)s, waiting %(duration)s",
                    queue=lead.queue_id.name,
                    duration=duration_words(env, self._queue_waited_minutes(lead, now)),
                )
                reason = reasons.get(lead.id)
                if reason:
                    text = render_reason(env, reason["code"], reason.get("args") or {})
                    line = f"{line}: {text}"
                lines.append(line)
            self._timers_post(outbox, "pool", leader, waiting, lines)

    # --- notifications ------------------------------------------

    @api.model
    def _timers_local_date(self, user, value):
        """The date of ``value`` (naive UTC) in ``user``'s time zone."""
        return local_date(value, pytz.timezone(user.tz or "UTC"))

    @api.model
    def _timers_post(self, outbox, kind, user, leads, lines):
        """Add ``leads`` (one line each) to the notification of ``kind`` that
        ``user`` gets at the end of the run (:meth:`_timers_send`)."""
        key = (kind, user.id)
        if key not in outbox:
            outbox[key] = (user, [], [])
        outbox[key][1].extend(leads)
        outbox[key][2].extend(lines)

    @api.model
    def _timers_send(self, outbox):
        """Send the notifications of the run: one per user and kind."""
        for (kind, _user_id), (user, leads, lines) in outbox.items():
            env = self.with_context(lang=user.lang or self.env.lang).env
            subject, intro = self._timers_texts(env, kind, len(leads))
            self._timers_notify(
                user, self.browse([lead.id for lead in leads]), subject, intro, lines
            )

    @api.model
    def _timers_texts(self, env, kind, count):
        """Subject and introduction of a notification of ``kind`` about
        ``count`` leads, in ``env``'s language."""
        if kind == "warn":
            return (
                env._("SLA: %s lead(s) to follow up soon", count),
                env._(
                    "Follow these leads up (change the stage, log a note, send a "
                    "message or mark an activity done) before their SLA deadline:"
                ),
            )
        if kind == "breach_owner":
            return (
                env._("SLA missed on %s lead(s)", count),
                env._("These leads were not followed up before their SLA deadline:"),
            )
        if kind == "breach_leader":
            return (
                env._("SLA missed on %s lead(s) of your team", count),
                env._(
                    "These leads were not followed up before their SLA deadline; "
                    "they stay with their salesperson:"
                ),
            )
        return (
            env._("%s lead(s) waiting in a pool", count),
            env._("These leads wait in a pool without salesperson:"),
        )

    @api.model
    def _timers_notify(self, user, leads, subject, intro, lines):
        """One notification to ``user`` listing ``leads`` with their ``lines``
        (see ``crm.lead._queue_lead_list_body``); posted on the lead when there
        is one, on the team of the first lead otherwise."""
        lang = user.lang or self.env.lang
        notes = dict(zip(leads.ids, lines, strict=True))
        body = leads.with_context(lang=lang)._queue_lead_list_body(intro, notes)
        record = leads[0] if len(leads) == 1 or not leads[0].team_id else None
        record = record or leads[0].team_id
        record.with_context(lang=user.lang or self.env.lang).sudo().message_notify(
            partner_ids=user.partner_id.ids,
            author_id=self.env.ref("base.partner_root").id,
            subject=subject,
            body=body,
            subtype_xmlid="mail.mt_note",
        )
