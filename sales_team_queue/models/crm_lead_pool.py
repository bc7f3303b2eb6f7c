"""The lead pool: reps claim the leads waiting in their queue's pool, under the
queue's claim rules, and release their own leads back to it. Every claim and
release goes through the assignment primitive (``crm.lead._queue_assign_batch``).

The claim rules are evaluated by one method, :meth:`CrmLead._queue_claim_refusals`,
which both the card (``claim_block_reason``) and the claim itself read, so
that what a rep sees before clicking is what the refusal says."""

from datetime import datetime, timedelta
from datetime import time as dt_time

import pytz
from babel.dates import get_day_names

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse, format_date

from .after_commit import RETRYABLE, run_read_committed
from .crm_team_queue_routing import HELD_TEAMS
from .duration import duration_words, hours_words
from .local_day import today_start_utc, tomorrow_start_utc
from .values import (
    ClaimMember,
    ClaimRefusal,
    Decision,
    Reason,
    clean_reason_text,
    missing_skills,
    over_cap,
)

# A claim in a transaction of its own (action_claim, see
# CrmLead._queue_claim_committed) waits this long for the locks of the queues
# and of the rep's member rows, and is tried this many times (after a deadlock
# or a lock timeout) before the rep is told the pool is busy.
CLAIM_LOCK_TIMEOUT = "2s"
CLAIM_TRIES = 3


class ClaimState:
    """What the claim rules know about one user, read once for a set of leads
    (after the queues' lock when claiming): their membership of each queue, the
    claims and leads they got from each queue today, their open leads in each
    team and when each lead last came back to the pool from them. A batch of
    claims adds each claim it makes (:meth:`record`)."""

    def __init__(self, user, now, is_manager):
        self.user = user
        self.now = now
        self.tz = pytz.timezone(user.tz or "UTC")
        self.local_now = pytz.utc.localize(now).astimezone(self.tz)
        self.is_manager = is_manager
        self.members = {}
        self.claims = {}
        self.received = {}
        self.open = {}
        self.came_back = {}
        self.locked_ids = None

    @property
    def day_start(self):
        """Midnight of the user's day, in UTC (naive)."""
        return today_start_utc(self.now, self.tz)

    @property
    def next_midnight(self):
        """The user's next midnight, in UTC (naive)."""
        return tomorrow_start_utc(self.now, self.tz)

    def add_queue(self, queue_id, member, counts):
        """Take in the user's line in the queue ``queue_id`` (``member``: a
        :class:`MemberState`, or None when they are not a member; ``counts``:
        the leads they received from it today, and claimed)."""
        self.members[queue_id] = member and ClaimMember(
            id=member.id,
            active=member.active,
            is_senior=member.is_senior,
            daily_cap=member.daily_cap,
            skills=member.skills,
        )
        self.received[queue_id], self.claims[queue_id] = counts

    def local(self, value):
        """``value`` (UTC, naive) in the user's time zone."""
        return pytz.utc.localize(value).astimezone(self.tz)

    def record(self, lead):
        """Count a claim of ``lead`` made in this batch."""
        queue = lead.queue_id
        self.claims[queue.id] = self.claims.get(queue.id, 0) + 1
        self.received[queue.id] = self.received.get(queue.id, 0) + 1
        team_id = queue.team_id.id
        self.open[team_id] = self.open.get(team_id, 0) + 1


class CrmLead(models.Model):
    _inherit = "crm.lead"

    is_vip = fields.Boolean(
        string="VIP",
        compute="_compute_is_vip",
        # not precomputed: it reads Odoo's prediction (automated_probability),
        # computed once the lead is saved
        store=True,
        help="The lead reaches the VIP tier of its queue (VIP From Priority, VIP "
        "From Revenue or VIP From Predicted Probability): senior members may claim "
        "it first, and a queue that assigns gives it to a senior member first.",
    )
    claim_block_reason = fields.Char(
        string="Cannot Claim Because",
        compute="_compute_claim_block_reason",
        help="Why you cannot claim this lead now, and when you will be able to "
        "(empty when you can).",
    )
    claim_block_rule = fields.Char(
        string="Cannot Claim: Rule",
        compute="_compute_claim_block_reason",
        help="Which claim rule refuses the lead now: one of the whole queue (claim "
        "window, pause, your limits) or one of this lead (VIP tier, skills, "
        "cooldown).",
    )
    pool_waiting = fields.Char(
        string="Waiting",
        compute="_compute_pool_waiting",
        help="How long the lead has been waiting in the pool.",
    )
    pool_return_user_id = fields.Many2one(
        "res.users",
        string="Came Back From",
        compute="_compute_pool_return",
        help="The salesperson the lead came back to the pool from (released or "
        "recycled), when it came back.",
    )
    pool_return_reason = fields.Char(
        string="Came Back Because",
        compute="_compute_pool_return",
        help="Why the lead came back to the pool: the words of the salesperson "
        "who released it, or the ledger's reason.",
    )

    @api.depends(
        "queue_id.vip_min_priority",
        "queue_id.vip_min_revenue",
        "queue_id.vip_min_probability",
        "queue_id.team_id.probability_mode",
        "priority",
        "expected_revenue",
        "automated_probability",
    )
    def _compute_is_vip(self):
        Queue = self.env["crm.team.queue"]
        for lead in self:
            queue = lead.queue_id
            lead.is_vip = Queue._vip_lead_for(queue, queue.team_id, lead)

    @api.depends("user_id", "queue_id", "team_id", "tag_ids", "is_vip", "pool_date")
    @api.depends_context("uid", "lang")
    def _compute_claim_block_reason(self):
        saved = self.filtered("id")
        refusals = saved._queue_claim_refusals() if saved else {}
        for lead in self:
            refusal = refusals.get(lead.id)
            lead.claim_block_reason = refusal.message if refusal else False
            lead.claim_block_rule = refusal.rule if refusal else False

    @api.depends("pool_date", "queue_state")
    @api.depends_context("lang")
    def _compute_pool_waiting(self):
        now = fields.Datetime.now()
        for lead in self:
            if lead.queue_state != "pool" or not lead.pool_date:
                lead.pool_waiting = False
                continue
            minutes = max(int((now - lead.pool_date).total_seconds() // 60), 0)
            lead.pool_waiting = self._pool_waiting_label(minutes)

    @api.depends("queue_state", "assignment_ids")
    @api.depends_context("lang")
    def _compute_pool_return(self):
        """The last ledger line of each pool lead, read for all the leads at
        once: when it is a release or a recycle (the lead came back), its
        previous owner and its reason."""
        pool = self.filtered(lambda lead: lead.id and lead.queue_state == "pool")
        last_lines = {}
        if pool:
            Line = self.env["crm.lead.assignment"].sudo()
            groups = Line._read_group(
                [("lead_id", "in", pool.ids)], ["lead_id"], ["id:max"]
            )
            lines = Line.browse([line_id for __, line_id in groups])
            last_lines = {line.lead_id.id: line for line in lines}
        for lead in self:
            line = last_lines.get(lead.id)
            if line and line.method == "recycle":
                lead.pool_return_user_id = line.previous_user_id
                lead.pool_return_reason = self._pool_return_reason_text(line)
            else:
                lead.pool_return_user_id = False
                lead.pool_return_reason = False

    @api.model
    def _pool_return_reason_text(self, line):
        """Why a lead came back, from its ledger ``line``: the words of the rep
        who released it, else the ledger's reason (a recycle by a rule)."""
        args = line.reason_args
        if line.reason_code == "released_because" and isinstance(args, dict):
            text = args.get("text")
            if text and isinstance(text, str):
                return text
        return line.reason

    @api.model
    def _pool_waiting_label(self, minutes):
        """A wait in minutes as short text: "12 min", "3 h 5 min", "2 d 4 h"
        (:func:`~.duration.duration_words`)."""
        return duration_words(self.env, minutes)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_claim(self):
        """Take the selected pool leads for the current user, under the claim
        rules of their queues (see :meth:`_queue_claim_refusals`). Callable by
        RPC.

        The leads still free and allowed are claimed, oldest in the pool first;
        the others are reported. When the calling transaction has written
        nothing, the claim runs and commits in a short transaction of its own
        that sees the latest claims (:meth:`_queue_claim_committed`): a claim
        that meets a concurrent one answers at once, without the serialization
        failure that would make Odoo retry the whole request.

        :return: a client notification: the leads claimed, with a link to
            each; or, when some were refused, the leads not claimed and why
        :raise UserError: when no lead could be claimed (saying why)
        """

        def claim(env):
            leads = self.with_env(env)
            result = leads._queue_claim(partial=True)
            if result is not True:
                return result
            return leads._queue_claimed_notification()

        return self._queue_claim_transaction(claim)

    def _queue_claimed_notification(self):
        """A notification that the leads of ``self`` are the current user's
        now, with a link to each (the links fill the ``%s`` of the message),
        then a reload of the screen behind."""
        if len(self) == 1:
            message = _("The lead is yours now: %s")
        else:
            message = _("%(count)s leads are yours now:", count=len(self))
            message += " %s" * len(self)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Lead claimed"),
                "message": message,
                "links": [
                    {"label": lead.display_name, "url": f"/odoo/crm/{lead.id}"}
                    for lead in self
                ],
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _queue_claim_transaction(self, claim):
        """Run ``claim`` (a function of an environment that claims the leads
        of ``self`` and returns the answer to the client) in a transaction of
        its own when :meth:`_queue_claim_in_own_transaction` allows it
        (:meth:`_queue_claim_committed`), else in the current one. What reads
        the claimed leads for the answer belongs in ``claim``: the caller's
        snapshot does not show the claim."""
        if self._queue_claim_in_own_transaction():
            return self._queue_claim_committed(claim)
        return claim(self.env)

    def _queue_claim_in_own_transaction(self):
        """Whether :meth:`action_claim` may claim in a transaction of its own:
        not in test mode (one cursor serves every request there), and only
        when the calling transaction has written nothing, pending ORM writes
        included (no transaction id: neither a write nor a row lock), so that
        committing the claim apart from it changes no outcome. A caller that
        has written (a plain write of the salesperson through the door, a
        script) claims inside its own transaction, and so does a READ
        COMMITTED one (already the claim's own, or one like it)."""
        if not self or self.env.registry.in_test_mode():
            return False
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT txid_current_if_assigned() IS NULL
                      AND current_setting('transaction_isolation')
                          <> 'read committed'"""
            )
        )
        return self.env.cr.fetchone()[0]

    def _queue_claim_committed(self, claim):
        """Run ``claim`` (see :meth:`_queue_claim_transaction`) with this
        environment's user and context on a READ COMMITTED transaction of its
        own, and commit (:func:`run_read_committed`).

        Each statement there sees the latest commits, so waiting for the locks
        of the queues and of the rep's member rows gives the latest state,
        never a serialization failure; the lock waits are bounded
        (``CLAIM_LOCK_TIMEOUT``) and tried again after a deadlock or a timeout
        (``CLAIM_TRIES``), then the rep is told the pool is busy. The caller's
        cache is invalidated; its own snapshot (REPEATABLE READ, begun before)
        does not show the claim.

        :return: what ``claim`` returns
        """
        answer = []
        error = run_read_committed(
            self.env.registry,
            lambda cr: answer.append(claim(self.env(cr=cr))),
            CLAIM_TRIES,
            CLAIM_LOCK_TIMEOUT,
        )
        self.env.invalidate_all()
        if error is None:
            return answer[-1]
        if error.pgcode not in RETRYABLE:
            raise error
        raise UserError(
            _(
                "The pool is busy: your claim did not get its turn within a few "
                "seconds, and nothing was claimed. Try again in a moment."
            )
        ) from error

    def _queue_claim(self, partial=True):
        """Claim ``self`` for the current user, in the current transaction.
        What the rules count is locked first (:meth:`_queue_claim_lock`), then
        the rules count and check, then the primitive assigns: two claims that
        would together break a limit are serialised, and the second one sees
        the first.

        :param bool partial: claim the allowed leads and report the others;
            False: all or nothing (a plain write of the salesperson)
        """
        if not self:
            return True
        # Leads already the user's (a request tried again after its claim
        # committed, a double click): nothing to claim, nothing to refuse.
        leads = self.sudo().filtered(lambda lead: lead.user_id != self.env.user)
        if not leads:
            return True
        locked_ids = leads._queue_claim_lock(self.env.user)
        # Claim rights are card visibility (even where pool privacy hides the
        # lead), checked on the leads locked, whose cards cannot vanish; the
        # others (no longer in a pool, being claimed) are refused below.
        self.env["crm.lead.pool.card"].browse(sorted(locked_ids)).check_access("read")
        leads = leads.sorted(
            lambda lead: (lead.pool_date or lead.create_date or datetime.min, lead.id)
        )
        refusals = leads._queue_claim_refusals(
            sequential=True, locked_ids=locked_ids, user=self.env.user
        )
        refused = leads.filtered(lambda lead: refusals[lead.id])
        claimable = leads - refused
        if refused and (not claimable or not partial):
            raise UserError(self._queue_claim_refusal_text(refused, refusals))
        claimable._queue_claim_assign(self.env.user)
        if not refused:
            return True
        return self._queue_claim_partial_notification(claimable, refused, refusals)

    def _queue_claim_assign(self, user):
        """Give the leads of ``self`` (claimable, locked) to ``user`` through
        the door, and tell the leaders who asked for it. For this door call
        only, the teams' queue rows count as held (``HELD_TEAMS``): the door
        does not take them again (FOR UPDATE after the claim's FOR SHARE: two
        claimers would deadlock); the member rows the claim wrote make
        concurrent routings wait or re-read. A later assignment of this
        transaction writes them (:meth:`_queue_touch_teams`)."""
        held = frozenset(self.queue_id.team_id.ids)
        self.with_context(**{HELD_TEAMS: held})._queue_assign_batch(
            [
                Decision(
                    lead, user, lead.queue_id, method="claim", reason=Reason("claimed")
                )
                for lead in self
            ],
            notify=False,
        )
        self._queue_notify_leaders_of_claim(user)

    def _queue_claim_partial_notification(self, claimed, refused, refusals):
        """What a batch claim answers when some leads were refused: how many
        were claimed and, for each one that was not, why."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "title": _("Leads Claimed"),
                "message": _(
                    "%(claimed)s of %(total)s leads claimed. Not claimed:\n%(leads)s",
                    claimed=len(claimed),
                    total=len(claimed) + len(refused),
                    leads=self._queue_claim_refusal_lines(refused, refusals),
                ),
                "sticky": True,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _queue_notify_leaders_of_claim(self, user):
        """Tell the team leaders of the queues that ask for it (Alert Team
        Leader on Claim) that ``user`` claimed the leads of ``self``: one
        notification per leader for the whole batch, listing the leads."""
        by_leader = {}
        for lead in self.sudo():
            queue = lead.queue_id
            leader = queue.team_id.user_id
            if not queue.notify_leader_on_claim or not leader or leader == user:
                continue
            by_leader.setdefault(leader, self.sudo().browse())
            by_leader[leader] |= lead
        for leader, leads in by_leader.items():
            leads._queue_notify_leader_of_claim(leader, user)

    def _queue_notify_leader_of_claim(self, leader, user):
        """One notification to ``leader``: ``user`` claimed the leads of
        ``self`` (sudo). Posted on the lead when there is one, on the team of
        the first lead otherwise."""
        leads = self.with_context(lang=leader.lang or self.env.lang)
        subject, body = leads._queue_claim_alert_content(user)
        record = leads if len(leads) == 1 else leads[0].team_id
        record.message_notify(
            partner_ids=leader.partner_id.ids,
            author_id=user.partner_id.id,
            subject=subject,
            body=body,
            subtype_xmlid="mail.mt_note",
        )

    def _queue_claim_alert_content(self, user):
        """Subject and body of the alert to a team leader: ``user`` claimed
        the leads of ``self``, in the language of ``self``'s context."""
        body = self._queue_lead_list_body(
            _("%(user)s claimed from the pool:", user=user.name),
            {lead.id: lead.queue_id.name for lead in self},
        )
        subject = _(
            "%(user)s claimed %(count)s lead(s)", user=user.name, count=len(self)
        )
        return subject, body

    def action_release(self, reason=False):
        """Give the selected leads of the current user back to their queue's pool
        (a manager or the team leader may release anyone's), with the reason
        typed by the user (plain text, see ``clean_reason_text``). Callable by
        RPC."""
        reason = clean_reason_text(self.env, reason)
        if not self:
            return True
        no_queue = self.sudo().filtered(lambda lead: not lead.queue_id)
        if no_queue:
            raise UserError(
                _(
                    "%(leads)s belongs to no queue, so it has no pool to go back to: "
                    "reassign it instead.",
                    leads=self._queue_names(no_queue),
                )
            )
        # Named while the user reads them: a private pool hides them once back.
        names = self._queue_names(self)
        self._queue_release(reason)
        return self._queue_released_notification(reason, names)

    def _queue_released_notification(self, reason, names):
        """A notification that the leads of ``self`` (``names``) are back in
        their queues' pools (with ``reason`` for the next salesperson, when
        given), then a reload of the screen behind."""
        args = {
            "leads": names,
            "queues": ", ".join(self.sudo().queue_id.mapped("name")),
        }
        if len(self) == 1:
            message = _("%(leads)s is back in the pool of %(queues)s.", **args)
        else:
            message = _("%(leads)s are back in the pool of %(queues)s.", **args)
        if reason:
            message = " ".join((message, _("The next salesperson reads your reason.")))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Released to the pool"),
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _queue_release(self, reason=False):
        reason = clean_reason_text(self.env, reason)
        user = self.env.user
        others = self.sudo().filtered(lambda lead: lead.user_id != user)
        if others and not others._queue_is_leader_or_manager():
            raise UserError(
                _(
                    "%(leads)s is not yours: only its salesperson, the team leader or "
                    "a sales manager can release it to the pool.",
                    leads=self._queue_names(others),
                )
            )
        self.check_access("write")
        args = {"user": Reason.ref(user)}
        if reason:
            why = Reason("released_because", dict(args, text=reason))
        else:
            why = Reason("released", args)
        leads = self.sudo()
        leads._queue_assign_batch(
            [
                Decision(
                    lead, user.browse(), lead.queue_id, method="recycle", reason=why
                )
                for lead in leads
            ],
            notify=False,
        )

    def _queue_names(self, leads):
        """Names of ``leads`` for a message: only those the user may read."""
        readable = leads.with_env(self.env)._filtered_access("read")
        names = readable.mapped("display_name")
        hidden = len(leads) - len(readable)
        if hidden:
            names.append(_("%s other lead(s)", hidden))
        return ", ".join(names)

    # ------------------------------------------------------------
    # CLAIM RULES
    # ------------------------------------------------------------

    def _queue_claim_lock(self, user):
        """Lock what the claim rules count for ``user`` (the queue rows of the
        leads' teams, shared, and ``user``'s member rows: see
        ``crm.team.queue._claim_lock_sql``; in id order, as routing locks
        queues then members), then the pool leads of ``self`` still without
        salesperson, skipping those another transaction is claiming or
        changing. The daily limit, the daily cap and the open lead limit, all
        counted per rep, hold: two claims of one rep take turns.

        Under REPEATABLE READ a row changed since the snapshot is refused
        (serialization failure: Odoo retries the request); under READ
        COMMITTED (:meth:`_queue_claim_committed`) a wait ends on the latest.

        :return: set of ids of the leads locked
        """
        self.env["crm.lead"].flush_model(["user_id", "queue_id"])
        pool = self.filtered(lambda lead: lead.queue_id and not lead.user_id)
        if not pool:
            return set()
        queues = pool.queue_id
        # Failures here are expected (serialization, lock timeout, deadlock),
        # not bad queries for the log. Three statements, one round trip.
        self.env.cr.execute(
            SQL(
                """%s;
                   SELECT id FROM crm_lead
                    WHERE id = ANY(%s) AND user_id IS NULL
                    ORDER BY id FOR UPDATE SKIP LOCKED""",
                self.env["crm.team.queue"]._claim_lock_sql(queues, user),
                pool.ids,
            ),
            log_exceptions=False,
        )
        locked_ids = {row[0] for row in self.env.cr.fetchall()}
        self.invalidate_recordset(["user_id", "queue_id", "queue_state", "pool_date"])
        return locked_ids

    def _queue_claim_refusals(self, user=None, sequential=False, locked_ids=None):
        """Evaluate the claim rules for ``user`` (the current user by default)
        on the leads of ``self``, in a bounded number of queries whatever
        their number.

        Sales managers may claim any pool lead: the rules do not apply to them
        (they may assign any lead anyway). For everybody else, in this order:
        membership of the lead's queue (not paused), the claim window, the
        daily claim limit, the member's daily cap, the open lead limit, skills,
        the VIP tier and the re-claim cooldown (see :meth:`_queue_claim_rules`).

        :param bool sequential: count each allowed lead as claimed for the
            next ones (a batch claim, in the order of ``self``)
        :param set locked_ids: ids of the leads this transaction locked (a
            lead left out is being claimed by someone else)
        :return: dict {lead id: :class:`ClaimRefusal` or None}
        """
        user = user or self.env.user
        leads = self.sudo()
        state = leads._queue_claim_state(user)
        state.locked_ids = locked_ids
        result = {}
        for lead in leads:
            refusal = lead._queue_claim_check(state)
            result[lead.id] = refusal
            if sequential and not refusal:
                state.record(lead)
        return result

    @api.model
    def _queue_claim_state_queues(self, state, queues):
        """Read into ``state`` the user's line in each of ``queues`` as routing
        reads it (``crm.team.queue._read_routing_rows``, one query): their
        membership and skills, the claims and leads they got from it today,
        their open leads in its team."""
        Queue = self.env["crm.team.queue"].sudo()
        # Routing leaves the stage pending (a lead being created); a claim
        # counts the leads won or lost earlier in the transaction too.
        self.env["crm.lead"].flush_model(["stage_id"])
        rows = Queue._read_routing_rows(queues.ids, state.now, user=state.user)
        teams = {queue.id: queue.team_id.id for queue in queues}
        for (
            queue_id,
            _rr,
            _lock,
            member,
            received,
            open_count,
            _last,
            claims,
            _window,
        ) in rows:
            state.add_queue(queue_id, member, (received, claims))
            state.open[teams[queue_id]] = open_count

    def _queue_claim_state(self, user):
        """Read what the rules need for ``user`` and the leads of ``self``
        (sudo): one query for the queues (membership, skills, claims and leads
        received today, open leads in the team), one for the cooldowns.

        :return: a :class:`ClaimState`
        """
        is_manager = self.env["crm.team"]._queue_is_manager(user)
        state = ClaimState(user, fields.Datetime.now(), is_manager)
        pool = self.filtered(lambda lead: lead.queue_state == "pool")
        queues = pool.queue_id
        if is_manager or not queues:
            return state
        self._queue_claim_state_queues(state, queues)
        cooldown = max(queues.mapped("claim_cooldown_hours"))
        if cooldown:
            self.env.cr.execute(
                SQL(
                    """SELECT lead_id, MAX(create_date) FROM crm_lead_assignment
                        WHERE lead_id = ANY(%s) AND previous_user_id = %s
                          AND user_id IS NULL AND create_date > %s
                     GROUP BY lead_id""",
                    pool.ids,
                    user.id,
                    state.now - timedelta(hours=cooldown),
                )
            )
            state.came_back = dict(self.env.cr.fetchall())
        return state

    def _queue_claim_check(self, state):
        """Why ``state.user`` may not claim this lead now, or None."""
        self.ensure_one()
        refusal = self._queue_claim_rule_pool(state)
        if refusal or state.is_manager:
            return refusal
        for rule in self._queue_claim_rules():
            refusal = getattr(self, rule)(state)
            if refusal:
                return refusal
        return None

    @api.model
    def _queue_claim_rules(self):
        """Names of the rule methods, in the order they are checked (the first
        refusal is the one given). Each takes a :class:`ClaimState` and returns
        a :class:`ClaimRefusal` or None; the lead is a pool lead, and from the
        second rule on, ``state.user`` is an available member of its queue."""
        return [
            "_queue_claim_rule_member",
            "_queue_claim_rule_window",
            "_queue_claim_rule_daily_limit",
            "_queue_claim_rule_daily_cap",
            "_queue_claim_rule_max_open",
            "_queue_claim_rule_skills",
            "_queue_claim_rule_vip",
            "_queue_claim_rule_cooldown",
        ]

    def _queue_claim_rule_pool(self, state):
        if self.queue_state != "pool":
            return ClaimRefusal(
                "not_in_pool",
                _(
                    "This lead is not waiting in a pool: only unassigned leads of a "
                    "queue's pool can be claimed (someone may have just claimed it: "
                    "refresh the pool)."
                ),
            )
        if state.locked_ids is not None and self.id not in state.locked_ids:
            return ClaimRefusal(
                "taken",
                _(
                    "This lead was just claimed, or is being changed, by someone "
                    "else: refresh the pool and try again or pick another lead."
                ),
            )
        return None

    def _queue_claim_rule_member(self, state):
        queue = self.queue_id
        member = state.members.get(queue.id)
        if not member:
            return ClaimRefusal(
                "not_member",
                _(
                    "You are not an available member of the queue %(queue)s: ask "
                    "your team leader to add you, or to un-pause you.",
                    queue=queue.name,
                ),
            )
        if not member.active:
            return ClaimRefusal(
                "paused",
                _(
                    "You are paused in the queue %(queue)s: ask your team leader to "
                    "make you available again.",
                    queue=queue.name,
                ),
            )
        return None

    def _queue_claim_rule_window(self, state):
        queue = self.queue_id
        start, end = queue.claim_window_start, queue.claim_window_end
        days = self._queue_claim_weekdays(queue.claim_weekdays)
        all_day = not start and not end
        if not days and all_day:
            return None
        if all_day or self._queue_claim_window_open(state, start, end):
            if not days or self._queue_claim_window_day(state, start, end) in days:
                return None
        opening = self._queue_claim_next_opening(state, start, days)
        next_opening = self._queue_claim_when_label(state, opening, today=True)
        if all_day:
            message = _(
                "Claiming is open on %(days)s (%(tz)s): next opening %(next)s.",
                days=self._queue_claim_days_label(days),
                tz=state.tz.zone,
                next=next_opening,
            )
        elif not days:
            message = _(
                "Claiming is open from %(start)s to %(end)s (%(tz)s): next opening "
                "%(next)s.",
                start=self._queue_claim_hour_label(start),
                end=self._queue_claim_hour_label(end),
                tz=state.tz.zone,
                next=next_opening,
            )
        else:
            message = _(
                "Claiming is open from %(start)s to %(end)s (%(tz)s), %(days)s: next "
                "opening %(next)s.",
                start=self._queue_claim_hour_label(start),
                end=self._queue_claim_hour_label(end),
                tz=state.tz.zone,
                days=self._queue_claim_days_label(days),
                next=next_opening,
            )
        return ClaimRefusal("window", message, until=opening)

    def _queue_claim_rule_daily_limit(self, state):
        queue = self.queue_id
        limit = queue.claim_daily_limit
        count = state.claims.get(queue.id, 0)
        if not limit or count < limit:
            return None
        return ClaimRefusal(
            "daily_limit",
            _(
                "Daily claim limit reached (%(count)s of %(limit)s). It resets at "
                "00:00 %(tz)s.",
                count=count,
                limit=limit,
                tz=state.tz.zone,
            ),
            until=state.next_midnight,
        )

    def _queue_claim_rule_daily_cap(self, state):
        queue = self.queue_id
        cap = state.members[queue.id].daily_cap
        count = state.received.get(queue.id, 0)
        if not over_cap(count, cap):
            return None
        return ClaimRefusal(
            "daily_cap",
            _(
                "Daily cap reached: you received %(count)s of %(cap)s leads from "
                "%(queue)s today (given or claimed). It resets at 00:00 %(tz)s.",
                count=count,
                cap=cap,
                queue=queue.name,
                tz=state.tz.zone,
            ),
            until=state.next_midnight,
        )

    def _queue_claim_rule_max_open(self, state):
        queue = self.queue_id
        limit = queue.claim_max_open
        count = state.open.get(queue.team_id.id, 0)
        if not over_cap(count, limit):
            return None
        return ClaimRefusal(
            "max_open",
            _(
                "Open lead limit reached (%(count)s of %(limit)s in %(team)s): win, "
                "lose or hand over one of your leads before claiming another.",
                count=count,
                limit=limit,
                team=queue.team_id.name,
            ),
        )

    def _queue_claim_rule_skills(self, state):
        queue = self.queue_id
        required = queue.required_skill_tag_ids & self.tag_ids
        missing = missing_skills(required.ids, state.members[queue.id].skills)
        if not missing:
            return None
        return ClaimRefusal(
            "skills",
            _(
                "This lead needs a skill you do not have in %(queue)s: %(tags)s. Ask "
                "your team leader to add it to your skills.",
                queue=queue.name,
                tags=", ".join(
                    required.filtered(lambda tag: tag.id in missing).mapped("name")
                ),
            ),
        )

    def _queue_claim_rule_vip(self, state):
        queue = self.queue_id
        minutes = queue.vip_release_minutes
        if not self.is_vip or not minutes or state.members[queue.id].is_senior:
            return None
        entered = self.pool_date or self.create_date or state.now
        until = entered + timedelta(minutes=minutes)
        if state.now >= until:
            return None
        return ClaimRefusal(
            "vip",
            _(
                "VIP lead: senior members only until %(time)s.",
                time=self._queue_claim_when_label(state, until),
            ),
            until=until,
        )

    def _queue_claim_rule_cooldown(self, state):
        hours = self.queue_id.claim_cooldown_hours
        came_back = state.came_back.get(self.id)
        if not hours or not came_back:
            return None
        until = came_back + timedelta(hours=hours)
        if state.now >= until:
            return None
        return ClaimRefusal(
            "cooldown",
            _(
                "Re-claim cooldown: this lead came back to the pool from you less "
                "than %(duration)s ago. You can claim it again at %(time)s.",
                duration=hours_words(self.env, hours),
                time=self._queue_claim_when_label(state, until),
            ),
            until=until,
        )

    # ------------------------------------------------------------
    # CLAIM RULES: helpers
    # ------------------------------------------------------------

    @api.model
    def _queue_claim_weekdays(self, value):
        """The week days of a queue's ``claim_weekdays`` (1 = Monday), as a
        set; empty: every day."""
        return {int(day) for day in (value or "").split(",") if day.strip()}

    @api.model
    def _queue_claim_window_open(self, state, start, end):
        """Whether the user's time of day is within the window ``start`` -
        ``end`` (hours); a window that ends before it starts runs over
        midnight."""
        now = state.local_now
        hour = now.hour + now.minute / 60 + now.second / 3600
        if start < end:
            return start <= hour < end
        return hour >= start or hour < end

    @api.model
    def _queue_claim_window_day(self, state, start, end):
        """The week day (1 = Monday) of the window the user is in: the day it
        opened, the day before after midnight in a window over midnight."""
        now = state.local_now
        hour = now.hour + now.minute / 60 + now.second / 3600
        if end < start and hour < end:
            return (now - timedelta(days=1)).isoweekday()
        return now.isoweekday()

    @api.model
    def _queue_claim_next_opening(self, state, start, days):
        """When the claim window opens next (UTC, naive): the next allowed day,
        today included, whose opening hour is still to come."""
        now = state.local_now
        # At most 23:59 (a start of 23.995 h rounds to 24:00, no time of day).
        hours, minutes = divmod(min(round(start * 60), 24 * 60 - 1), 60)
        for offset in range(8):
            day = now.date() + timedelta(days=offset)
            if days and day.isoweekday() not in days:
                continue
            opening = state.tz.localize(datetime.combine(day, dt_time(hours, minutes)))
            if opening > now:
                return opening.astimezone(pytz.utc).replace(tzinfo=None)
        return None

    @api.model
    def _queue_claim_hour_label(self, value):
        """A float hour as HH:MM (9.5 -> 09:30)."""
        hours, minutes = divmod(round(value * 60), 60)
        return f"{hours:02d}:{minutes:02d}"

    @api.model
    def _queue_claim_day_names(self):
        """Week day names in the user's language, by ISO number (1 = Monday)."""
        names = get_day_names("wide", locale=babel_locale_parse(self.env.lang))
        return {number + 1: names[number] for number in range(7)}

    @api.model
    def _queue_claim_days_label(self, days):
        """Week days as text: runs of three days or more read "Monday to
        Friday", others are listed."""
        names = self._queue_claim_day_names()
        runs = []
        for day in sorted(days):
            if runs and runs[-1][-1] == day - 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        parts = []
        for run in runs:
            if len(run) >= 3:
                parts.append(
                    _("%(first)s to %(last)s", first=names[run[0]], last=names[run[-1]])
                )
            else:
                parts.extend(names[day] for day in run)
        return ", ".join(parts)

    @api.model
    def _queue_claim_when_label(self, state, value, today=False):
        """A moment (UTC, naive) for a refusal, in the user's time zone: the
        time alone on the same day ("today 09:00" with ``today``), the week day
        and time within a week, else the date and time."""
        when = state.local(value)
        clock = when.strftime("%H:%M")
        days = (when.date() - state.local_now.date()).days
        if days == 0:
            return _("today %(time)s", time=clock) if today else clock
        if days < 7:
            return f"{self._queue_claim_day_names()[when.isoweekday()]} {clock}"
        return f"{format_date(self.env, when.date())} {clock}"

    def _queue_claim_refusal_lines(self, refused, refusals):
        """One line per refused lead: its name (its number when the user may
        not read it) and the refusal."""
        readable = refused.with_env(self.env)._filtered_access("read")
        lines = []
        for lead in refused:
            if lead in readable:
                name = lead.with_env(self.env).display_name
            else:
                name = _("Lead #%(id)s", id=lead.id)
            lines.append(f"- {name}: {refusals[lead.id].message}")
        return "\n".join(lines)

    def _queue_claim_refusal_text(self, refused, refusals):
        """The message of a refused claim: the refusal itself for one lead,
        one line per refused lead for several."""
        if len(self) == 1:
            return refusals[refused.id].message
        return _(
            "No lead was claimed. These leads cannot be claimed:\n%(leads)s",
            leads=self._queue_claim_refusal_lines(refused, refusals),
        )
