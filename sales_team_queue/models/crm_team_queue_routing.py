"""The routing engine: plan (matching, eligibility with a reason, strategies,
overflow) and apply; the routing state and how it is serialised between
workers. See docs/design-notes.md, "Queue engine"."""

import logging
from collections import Counter
from datetime import datetime, timedelta

import pytz
from psycopg2 import InterfaceError, OperationalError

from odoo import api, fields, models, tools
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .crm_team_queue import MATCHING_FIELDS
from .crm_team_queue_fault import fault_text
from .values import (
    ACCOUNT_REASONS,
    ACCOUNT_REASONS_PATH,
    Decision,
    MemberState,
    QueueConfig,
    Reason,
    RoutingPlan,
    missing_skills,
    open_lead_sql,
    over_cap,
)

_logger = logging.getLogger(__name__)

# The setting that tells whether the last try to lock the queues succeeded.
LOCK_SETTING = "sales_team_queue.locked"
STRATEGIES_ASSIGNING = ("round_robin", "load_balanced", "weighted", "best_fit")
# Context key of a door call: the ids of the teams whose queue rows its caller
# holds (a frozenset, which no RPC client can send; see _hold_team_rows).
HELD_TEAMS = "sales_team_queue_held_team_ids"


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    # ------------------------------------------------------------
    # CONFIGURATION SNAPSHOT
    # ------------------------------------------------------------

    @api.model
    @tools.ormcache()
    def _routing_config(self):
        """Settings of the active queues, in routing order (team sequence, team,
        queue sequence), as immutable values. Cached per registry and cleared
        whenever a queue changes (:meth:`_queues_changed`), so that routing a
        lead reads no queue setting from the database."""
        queues = self.sudo().with_context(active_test=True).search([])
        queues = queues.sorted(
            lambda q: (q.team_id.sequence, q.team_id.id, q.sequence, q.id)
        )
        return tuple(
            QueueConfig(self._routing_config_values(queue)) for queue in queues
        )

    @api.model
    def _queue_cached_fields(self):
        return super()._queue_cached_fields() | {
            *MATCHING_FIELDS,
            "strategy",
            "overflow",
            "required_skill_tag_ids",
            "check_availability",
            "route_to_account_owner",
            "account_owner_counts_as_turn",
        }

    @api.model
    def _routing_config_values(self, queue):
        """What routing keeps of the settings of ``queue`` (a dict of
        immutable values: ids as frozensets); another add-on adds its own
        settings here (and their fields to :meth:`_queue_cached_fields`), and
        reads them on the :class:`QueueConfig`."""
        normalize = self._normalize_zip
        return {
            "id": queue.id,
            "team_id": queue.team_id.id,
            "company_id": queue.company_id.id,
            "strategy": queue.strategy,
            "overflow": queue.overflow,
            "domain": queue.domain or "",
            "country_ids": frozenset(queue.country_ids.ids),
            "state_ids": frozenset(queue.state_ids.ids),
            "zip_prefixes": tuple(
                normalize(prefix)
                for prefix in (queue.zip_prefixes or "").split(",")
                if prefix.strip()
            ),
            "tag_ids": frozenset(queue.tag_ids.ids),
            "partner_category_ids": frozenset(queue.partner_category_ids.ids),
            "min_expected_revenue": queue.min_expected_revenue,
            "min_priority": queue.min_priority or "",
            "lang_ids": frozenset(queue.lang_ids.ids),
            "source_ids": frozenset(queue.source_ids.ids),
            "product_ids": frozenset(queue.product_ids.ids),
            "product_category_paths": tuple(
                queue.product_category_ids.mapped("parent_path")
            ),
            "required_skill_tag_ids": frozenset(queue.required_skill_tag_ids.ids),
            "check_availability": queue.check_availability,
            "route_to_account_owner": queue.route_to_account_owner,
            "account_owner_counts_as_turn": queue.account_owner_counts_as_turn,
        }

    @api.model
    def _normalize_zip(self, zip_code):
        return (zip_code or "").replace(" ", "").replace("-", "").upper()

    # ------------------------------------------------------------
    # APPLY
    # ------------------------------------------------------------

    @api.model
    def _route_leads(self, leads, wait=False):
        """Route ``leads`` (without salesperson) through the active queues.

        The whole batch is planned in memory - matching, member selection,
        overflow - with the queues of the teams involved locked, then written
        per owner by the assignment primitive: the number of queries grows
        with the number of queues and members, not with the number of leads.

        :param bool wait: wait for the queues' lock (in a READ COMMITTED
            transaction of its own, see ``crm.lead._queue_route_after_commit``);
            without it, when another transaction holds the lock or routed since
            this one started, nothing is done and the leads are returned as
            ``busy``, for the caller to route them after its commit.
        :return: dict {lead id: 'assigned' | 'pool' | 'busy'}; leads that
            match no queue are left out
        """
        plan = self._plan_routing(leads, lock="wait" if wait else "nowait")
        if plan.busy:
            return dict.fromkeys(plan.decisions, "busy")
        if not plan.decisions:
            return {}
        self._apply_plan(list(plan.decisions.values()), plan.state)
        return {
            lead_id: "assigned" if decision.user else "pool"
            for lead_id, decision in plan.decisions.items()
        }

    @api.model
    def _route_digest(self, decisions):
        """Whether routing ``decisions`` alerts each new owner once, listing
        their leads (the digest the wizards send), rather than once per lead:
        when it gives someone several leads at once (an import, a create of
        many leads, a backlog run, the timers' dispatch and reassign)."""
        owners = Counter(decision.user.id for decision in decisions if decision.user)
        return any(count > 1 for count in owners.values())

    # ------------------------------------------------------------
    # PLAN
    # ------------------------------------------------------------

    @api.model
    def _plan_routing(self, leads, lock=False, exclude_user_ids=(), requeue=None):
        """Decide in memory where each of ``leads`` goes (matching, member
        selection, overflow) on a snapshot of the routing state. Writes nothing:
        :meth:`_route_leads` applies the plan; the routing test (dry run) calls
        it with ``lock=False`` and drops it.

        :param lock: False (dry run: no lock), 'nowait' (lock or give up:
            ``plan.busy``) or 'wait'
        :param exclude_user_ids: ids of users who may receive none of these
            leads (a rep handing over their book): ineligible as members
            (reason ``member_excluded``) and as overflow leader
        :param requeue: None, or {lead id: id of a user to leave out (or
            False)}: plan each lead again within its own queue, whoever owns
            it (the SLA timers' reassign, the hybrid dispatch; see
            :meth:`_get_requeue_candidates`), never giving it to the user given
        :return: a :class:`RoutingPlan`
        """
        configs = self._routing_config()
        candidates, faults = self._plan_candidates(leads, configs, lock, requeue)
        if not candidates:
            return RoutingPlan(state=None, decisions={}, busy=False)
        team_ids = {config.team_id for found in candidates.values() for config in found}
        involved = [config for config in configs if config.team_id in team_ids]
        state = RoutingState(self.env, involved, exclude_user_ids, lock=lock)
        if lock == "wait" and requeue is None:
            candidates = self._plan_still_unrouted(leads, candidates)
        state.faults = faults
        state.left_out = requeue or {}
        if requeue is None:
            state.returned = self._get_returned_by(leads)
        state.passed = self._get_passed_offers(leads, involved)
        if lock == "nowait" and not state.locked:
            decisions = dict.fromkeys(candidates)
            return RoutingPlan(state=None, decisions=decisions, busy=True)
        return self._plan_decide(leads, candidates, state)

    @api.model
    def _plan_candidates(self, leads, configs, lock, requeue):
        """The queues (``configs``) that may take each of ``leads``: those
        that match it, or its own queue for a ``requeue``.
        :return: (candidates, faults), see :meth:`_get_candidates`"""
        if not (configs and leads):
            return {}, {}
        if requeue is not None:
            return self._get_requeue_candidates(leads, configs), {}
        return self._get_candidates(leads, configs, flag=bool(lock))

    @api.model
    def _plan_still_unrouted(self, leads, candidates):
        """``candidates`` of the ``leads`` still unrouted: under READ
        COMMITTED, while this transaction waited for the lock, another one may
        have routed some of them."""
        self.env.invalidate_all()
        still = leads.filtered(
            lambda lead: not lead.user_id and not lead.queue_id and lead.active
        )
        return {
            lead_id: found
            for lead_id, found in candidates.items()
            if lead_id in still.ids
        }

    @api.model
    def _plan_decide(self, leads, candidates, state):
        """The plan of ``leads`` on ``state``: each lead with candidate queues
        (``candidates``: {lead id: [QueueConfig]}) is decided in the order of
        ``leads``; a lead that only failing queues match waits."""
        decisions, waiting = {}, {}
        state.accounts = self._plan_accounts(leads, candidates)
        state.fit = self._plan_fit(leads, candidates)
        for lead in leads:
            found = candidates.get(lead.id)
            if not found:
                continue
            decision = self._route_lead(lead, found, state)
            if decision:
                decisions[lead.id] = decision
            else:
                waiting[lead.id] = self._fault_reason(found[0], state.faults)
        return RoutingPlan(
            state=state, decisions=decisions, busy=False, waiting=waiting
        )

    @api.model
    def _plan_accounts(self, leads, candidates):
        """The known customers (:meth:`_account_matches`) of the ``leads`` that
        a queue routing returning customers may take; none read otherwise."""
        routed = [
            lead_id
            for lead_id, found in candidates.items()
            if any(config.route_to_account_owner for config in found)
        ]
        if not routed:
            return {}
        return self._account_matches(leads.filtered(lambda lead: lead.id in routed))

    @api.model
    def _pooled_with_ledger(self, leads):
        """Ids of the ``leads`` waiting in a pool (whose ledger says who let
        them go there), the ledger flushed for reading."""
        pooled = [lead.id for lead in leads if lead.queue_id and not lead.user_id]
        if pooled:
            self.env["crm.lead.assignment"].flush_model()
        return pooled

    @api.model
    def _get_returned_by(self, leads):
        """The rep who sent each of ``leads`` back to its pool (missed SLA or
        release): its last ledger line is a ``recycle`` without receiver. The
        routing of a pool lead again never gives it back to them.

        :return: dict {lead id: user id}
        """
        pooled = self._pooled_with_ledger(leads)
        if not pooled:
            return {}
        self.env.cr.execute(
            SQL(
                """SELECT lead_id, previous_user_id FROM (
                       SELECT DISTINCT ON (lead_id) lead_id, method, user_id,
                              previous_user_id
                         FROM crm_lead_assignment WHERE lead_id = ANY(%s)
                        ORDER BY lead_id, id DESC) last
                    WHERE method = 'recycle' AND user_id IS NULL
                      AND previous_user_id IS NOT NULL""",
                pooled,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _get_candidates(self, leads, configs, flag=True):
        """For each lead, the queues (configs, in routing order) that match it:
        those of its team, or of every team when it has none. A queue whose
        lead filter fails when it runs is kept where its other criteria match,
        and listed in the faults: routing skips it and says so
        (:meth:`_route_lead`).

        :param bool flag: flag the failing queues (routing); a dry run only
            reports them
        :return: (dict {lead id: list of QueueConfig}, dict {queue id: error})
        """
        domain_matches = {}
        faults = {}
        for config in configs:
            if config.domain:
                matched, error = self._match_domain(config, leads, flag=flag)
                if error:
                    faults[config.id] = error
                else:
                    domain_matches[config.id] = matched
        result = {}
        rules = self._routing_match_rules()
        for lead in leads:
            found = [
                config
                for config in configs
                if (not lead.team_id or lead.team_id.id == config.team_id)
                and (
                    config.id not in domain_matches
                    or lead.id in domain_matches[config.id]
                )
                and all(rule(config, lead) for rule in rules)
            ]
            if found:
                result[lead.id] = found
        return result, faults

    @api.model
    def _match_domain(self, config, leads, flag=True):
        """The ids of ``leads`` that match the lead filter of ``config``. A
        filter that fails when it runs (saved before the check, or broken by a
        change of the database since) is a fault of the queue: the queue is
        skipped, flagged on its form and the dashboard once the transaction
        commits, and its leader and the sales managers are told once; routing
        never aborts the transaction that creates the leads. The filter runs
        as superuser, as on save (whoever creates the lead or tests routing).

        :return: (set of ids, None) or (empty set, the error as text)
        """
        try:
            with self.env.cr.savepoint():
                domain = expression.AND(
                    [[("id", "in", leads.ids)], self._eval_lead_domain(config.domain)]
                )
                Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
                query = Lead._search(domain)
                self.env.cr.execute(query.select(), log_exceptions=False)
                return {row[0] for row in self.env.cr.fetchall()}, None
        except (OperationalError, InterfaceError):
            # the transaction's trouble (a lock timeout, a cut connection),
            # not the filter's
            raise
        except Exception as error:
            # logged at WARNING once, when the queue is flagged
            _logger.info("Queue %s: its lead filter fails: %s", config.id, error)
            message = fault_text(error)
            if flag:
                self.browse(config.id)._queue_fault_after_commit(config.domain, message)
            return set(), message

    @api.model
    def _fault_reason(self, config, faults, then=None):
        """The reason of a lead for which the queue ``config`` was skipped
        because it failed (``faults``): alone, or before the reason ``then`` of
        the decision taken by the queues after it."""
        args = {
            "queue": Reason.ref(self.browse(config.id)),
            "error": faults[config.id],
        }
        if then is None:
            return Reason("queue_fault", args)
        return Reason("queue_fault_then", dict(args, reason=then.to_json()))

    @api.model
    def _get_requeue_candidates(self, leads, configs):
        """For each lead, its own queue (when active) as the only candidate,
        planned by workload (load balanced) when it is a pool or hybrid queue,
        and never overflowing: nobody eligible leaves the lead in the pool.

        :return: dict {lead id: [QueueConfig]}
        """
        by_id = {config.id: config for config in configs}
        result = {}
        for lead in leads:
            config = by_id.get(lead.queue_id.id)
            if not config:
                continue
            strategy = config.strategy
            if strategy not in STRATEGIES_ASSIGNING:
                strategy = "load_balanced"
            result[lead.id] = [config.replace(strategy=strategy, overflow="pool")]
        return result

    @api.model
    def _eval_lead_domain(self, domain):
        return safe_eval(domain, {"uid": self.env.uid}) if domain else []

    @api.model
    def _get_routing_match_rules(self):
        """Names of the matching criteria of a queue (all AND-ed, the
        ``domain`` aside: :meth:`_get_candidates` checks it in one search).
        Each takes a :class:`QueueConfig` and a lead and returns whether the
        lead meets it (True when the queue does not use the criterion);
        another add-on adds a criterion by adding its method here."""
        return [
            "_match_company",
            "_match_country",
            "_match_state",
            "_match_zip",
            "_match_tags",
            "_match_partner_category",
            "_match_min_revenue",
            "_match_min_priority",
            "_match_lang",
            "_match_source",
            "_match_products",
        ]

    def _routing_match_rules(self):
        """The matching criteria as methods, looked up once per routing."""
        return [getattr(self, name) for name in self._get_routing_match_rules()]

    @api.model
    def _match_company(self, config, lead):
        return not config.company_id or lead.company_id.id in (
            False,
            config.company_id,
        )

    @api.model
    def _match_country(self, config, lead):
        return not config.country_ids or lead.country_id.id in config.country_ids

    @api.model
    def _match_state(self, config, lead):
        return not config.state_ids or lead.state_id.id in config.state_ids

    @api.model
    def _match_zip(self, config, lead):
        if not config.zip_prefixes:
            return True
        zip_code = self._normalize_zip(lead.zip)
        return bool(zip_code) and any(
            zip_code.startswith(prefix) for prefix in config.zip_prefixes
        )

    @api.model
    def _match_tags(self, config, lead):
        return not config.tag_ids or bool(config.tag_ids.intersection(lead.tag_ids.ids))

    @api.model
    def _match_partner_category(self, config, lead):
        return not config.partner_category_ids or bool(
            config.partner_category_ids.intersection(lead.partner_id.category_id.ids)
        )

    @api.model
    def _match_min_revenue(self, config, lead):
        minimum = config.min_expected_revenue
        return not minimum or lead.expected_revenue >= minimum

    @api.model
    def _match_min_priority(self, config, lead):
        return (lead.priority or "0") >= config.min_priority

    @api.model
    def _match_lang(self, config, lead):
        return not config.lang_ids or lead.lang_id.id in config.lang_ids

    @api.model
    def _match_source(self, config, lead):
        return not config.source_ids or lead.source_id.id in config.source_ids

    @api.model
    def _match_products(self, config, lead):
        if not (config.product_ids or config.product_category_paths):
            return True
        products = lead.product_interest_ids
        if config.product_ids.intersection(products.ids):
            return True
        return any(
            product.categ_id.parent_path.startswith(path)
            for product in products
            for path in config.product_category_paths
        )

    @api.model
    def _route_lead(self, lead, configs, state):
        """Decide where ``lead`` goes among its matching queues ``configs`` (in
        order), skipping the queues that failed (``state.faults``): the reason
        names those skipped before the queue that decides.

        :return: a :class:`Decision` (no user: the lead waits in the pool), or
            None when every matching queue failed
        """
        healthy = [config for config in configs if config.id not in state.faults]
        if not healthy:
            return None
        decision = self._route_lead_healthy(lead, healthy, state)
        position = [config.id for config in configs].index(decision.queue.id)
        for config in reversed(configs[:position]):
            if config.id in state.faults:
                decision.reason = self._fault_reason(
                    config, state.faults, then=decision.reason or Reason("pool")
                )
        return decision

    def _route_lead_healthy(self, lead, configs, state):
        """Decide where ``lead`` goes among its matching queues ``configs`` (in
        order), applying strategies and overflow rules; updates ``state`` in
        memory for the next leads of the batch.

        :return: a :class:`Decision` (no user: the lead waits in the pool)
        """
        Users = self.env["res.users"]
        first_refusal = None
        prefix = []
        for config in configs:
            queue = self.browse(config.id)
            member, reason = self._select_for_lead(config, lead, state)
            if member:
                reason = self._overflow_reason(prefix, reason)
                return Decision(
                    lead,
                    Users.browse(member.user_id),
                    queue,
                    method=self._routing_decision_method(config),
                    reason=reason,
                )
            if config.strategy not in STRATEGIES_ASSIGNING:
                return Decision(lead, Users, queue, reason=reason)
            wait = self._skills_wait_decision(lead, config, state, prefix)
            if wait:
                return wait
            first_refusal = first_refusal or (queue, reason)
            if config.overflow == "next_queue":
                prefix.append(queue)
                continue
            return self._overflow_decision(config, lead, reason, state)
        queue, reason = first_refusal
        return Decision(lead, Users, queue, reason=reason)

    @api.model
    def _overflow_decision(self, config, lead, reason, state):
        """Where ``lead`` goes when no member of the queue ``config`` may take
        it (``reason``) and the queue does not pass it on: its team leader
        (``overflow`` = ``leader``, the team has one), else its pool."""
        queue = self.browse(config.id)
        leader_id = state.team_leader(config.team_id)
        if config.overflow == "leader" and leader_id:
            state.record(config, leader_id)
            return Decision(
                lead,
                self.env["res.users"].browse(leader_id),
                queue,
                reason=Reason("overflow_leader", {"reason": reason.to_json()}),
            )
        return Decision(lead, self.env["res.users"], queue, reason=reason)

    @api.model
    def _routing_decision_method(self, config):
        """The ledger method of a lead the queue ``config`` gives to the member
        it picks (``offer`` when the queue makes offers)."""
        return "auto"

    @api.model
    def _overflow_reason(self, overflowed, reason):
        """``reason`` of a member of the last queue, as reached through the
        queues ``overflowed`` (in order) that overflowed into it."""
        for queue in reversed(overflowed):
            reason = Reason(
                "overflow_from",
                {"queue": Reason.ref(queue), "reason": reason.to_json()},
            )
        return reason

    @api.model
    def _select_for_lead(self, config, lead, state):
        """Who of the queue ``config`` gets ``lead``: the salesperson of its
        account (:meth:`_select_account_owner`), else the member the strategy
        picks (nobody for a pool), whose turn is counted.

        :return: tuple (MemberState or None, Reason)
        """
        member, owner_reason = self._select_account_owner(config, lead, state)
        if member:
            return member, owner_reason
        if config.strategy in STRATEGIES_ASSIGNING:
            member, reason = self._select_member(config, lead, state)
        else:
            reason = Reason("pool")
        if member:
            state.record(config, member.user_id)
        if owner_reason:
            reason = Reason(
                "account_skipped",
                {"refusal": owner_reason.to_json(), "reason": reason.to_json()},
            )
        return member, reason

    @api.model
    def _select_member(self, config, lead, state):
        """Pick the member of queue ``config`` who gets ``lead`` by the queue's
        strategy.

        :return: tuple (MemberState or None, Reason): the reason of the choice,
            or why nobody was eligible
        """
        members = state.members[config.id]
        if not members:
            return None, Reason("no_member")
        refusals = {}
        eligible = []
        for member in members:
            refusal = state.why_not(config, member, lead)
            if refusal:
                refusals[member.id] = refusal
            else:
                eligible.append(member)
        if not eligible:
            return None, Reason(
                "no_eligible",
                {"members": [refusals[member.id].to_json() for member in members]},
            )
        if vip := self._select_member_vip(config, lead, eligible, refusals, state):
            return vip  # hot leads to seniors (crm_team_queue_vip.py)
        method = getattr(self, f"_select_member_{config.strategy}")
        return method(config, eligible, state, lead)

    @api.model
    def _select_member_round_robin(self, config, eligible, state, lead=None):
        members = state.members[config.id]
        last_id, last_sequence = state.rr[config.id]
        last = next((m for m in members if m.id == last_id), None)
        if last:
            last_sequence = last.sequence
        pointer = (last_sequence, last_id)
        after = [m for m in eligible if (m.sequence, m.id) > pointer]
        rotation = after + [m for m in eligible if (m.sequence, m.id) <= pointer]
        chosen = self._round_robin_owed_turns(rotation, state)
        state.rr[config.id] = (chosen.id, chosen.sequence)
        if not last:
            return chosen, Reason("rr_first")
        user = self.env["res.users"].browse(last.user_id)
        return chosen, Reason("rr_after", {"user": Reason.ref(user)})

    @api.model
    def _round_robin_owed_turns(self, rotation, state):
        """The first member of ``rotation`` (the eligible members from the
        pointer on) who owes no turn; each one passed over pays one back (a
        returning customer's lead counted as their turn: ``_account_turn``).
        When all owe, each pays one and the first takes the turn."""
        for member in rotation:
            if member.wrr >= 0:
                return member
            member.wrr += 1
            state.wrr_changed.add(member.id)
        return rotation[0]

    @api.model
    def _select_member_weighted(self, config, eligible, state, lead=None):
        # Smooth weighted round robin (nginx): everyone earns their weight, the
        # richest takes the turn and pays the total back; no bursts.
        chosen = max(eligible, key=lambda m: m.wrr + m.weight)  # first on ties
        total = self._weighted_turn(eligible, chosen, state)
        return chosen, Reason("weighted", {"weight": chosen.weight, "total": total})

    @api.model
    def _weighted_turn(self, members, chosen, state):
        """A turn of the smooth weighted round robin among ``members`` taken by
        ``chosen``: each earns their weight, ``chosen`` pays the total back.
        :return: the total of the weights"""
        total = sum(m.weight for m in members)
        for member in members:
            member.wrr += member.weight
        chosen.wrr -= total
        state.wrr_changed.update(m.id for m in members)
        return total

    @api.model
    def _select_member_load_balanced(self, config, eligible, state, lead=None):
        team_id = config.team_id

        def load(member):
            return (
                state.open_count(team_id, member.user_id),
                state.last_assigned(team_id, member.user_id),
                member.sequence,
                member.id,
            )

        chosen = min(eligible, key=load)
        mine = state.open_count(team_id, chosen.user_id)
        others = [state.open_count(team_id, m.user_id) for m in eligible if m != chosen]
        if others:
            return chosen, Reason("load_balanced", {"mine": mine, "other": min(others)})
        return chosen, Reason("load_balanced_alone", {"mine": mine})

    # ------------------------------------------------------------
    # ELIGIBILITY: which member may receive a lead now
    # ------------------------------------------------------------

    @api.model
    def _get_routing_eligibility_rules(self):
        """Names of the eligibility rules, in the order they are checked (the
        first refusal is the reason given), as ``crm.lead._queue_claim_rules``
        lists the claim rules. Each takes the :class:`RoutingState`, the
        :class:`QueueConfig`, the :class:`MemberState` and the lead, and
        returns a :class:`Reason` or None; another add-on adds a rule by
        adding its method here."""
        return [
            "_routing_rule_excluded",
            "_routing_rule_current_owner",
            "_routing_rule_returned_it",
            "_routing_rule_paused",
            "_routing_rule_user",
            "_routing_rule_in_team",
            "_routing_rule_company",
            "_routing_rule_daily_cap",
            "_routing_rule_max_open",
            "_routing_rule_skills",
            "_routing_rule_available",
        ]

    @api.model
    def _routing_cap_rules(self):
        """The eligibility rules that are caps: a returning customer's lead
        that does not count as a turn passes them."""
        return {"_routing_rule_daily_cap", "_routing_rule_max_open"}

    def _routing_eligibility_rules(self):
        """The eligibility rules as methods, looked up once per routing."""
        return [getattr(self, name) for name in self._get_routing_eligibility_rules()]

    @api.model
    def _routing_rule_excluded(self, state, config, member, lead):
        if member.user_id in state.exclude:
            return Reason("member_excluded", _user_arg(member))

    @api.model
    def _routing_rule_current_owner(self, state, config, member, lead):
        if state.left_out.get(lead.id) == member.user_id:
            return Reason("member_current_owner", _user_arg(member))

    @api.model
    def _routing_rule_returned_it(self, state, config, member, lead):
        if state.returned.get(lead.id) == member.user_id:
            return Reason("member_returned_it", _user_arg(member))

    @api.model
    def _routing_rule_paused(self, state, config, member, lead):
        if not member.active:
            return Reason("member_paused", _user_arg(member))

    @api.model
    def _routing_rule_user(self, state, config, member, lead):
        if not member.user_ok:
            return Reason("member_inactive", _user_arg(member))

    @api.model
    def _routing_rule_in_team(self, state, config, member, lead):
        if not member.in_team:
            return Reason("member_not_in_team", _user_arg(member))

    @api.model
    def _routing_rule_company(self, state, config, member, lead):
        if not member.company_ok:
            return Reason("member_other_company", _user_arg(member))

    @api.model
    def _routing_rule_daily_cap(self, state, config, member, lead):
        count = state.assigned.get((config.id, member.user_id), 0)
        if over_cap(count, member.daily_cap):
            return Reason(
                "member_daily_cap",
                dict(_user_arg(member), count=count, cap=member.daily_cap),
            )

    @api.model
    def _routing_rule_max_open(self, state, config, member, lead):
        count = state.open_count(config.team_id, member.user_id)
        if over_cap(count, member.max_open):
            return Reason(
                "member_max_open",
                dict(_user_arg(member), count=count, cap=member.max_open),
            )

    @api.model
    def _routing_rule_skills(self, state, config, member, lead):
        if not config.required_skill_tag_ids:
            return None
        required = config.required_skill_tag_ids.intersection(lead.tag_ids.ids)
        missing = missing_skills(required, member.skills)
        if missing:
            tags = [{"model": "crm.tag", "id": tag} for tag in missing]
            return Reason("member_skill", dict(_user_arg(member), tags=tags))

    @api.model
    def _routing_rule_available(self, state, config, member, lead):
        if config.check_availability and member.user_id not in state.available:
            return Reason("member_unavailable", _user_arg(member))

    # ------------------------------------------------------------
    # LOCK AND STATE
    # ------------------------------------------------------------

    @api.model
    def _lock_for_routing(self, queue_ids, wait=False):
        """The statement that locks the queues ``queue_ids`` (all queues of the
        teams being routed) and their members, in id order, so that two
        transactions never plan on the same state; run with the read of the
        state, in one round trip (:meth:`_read_routing_rows`).

        Routings, claims and assignments write these rows (:meth:`_hold_team_rows`):
        under REPEATABLE READ the lock proves that this transaction's snapshot
        holds every assignment made before it (PostgreSQL refuses to lock a row
        changed after the snapshot).

        :param bool wait: wait for the lock (READ COMMITTED); otherwise try
            once without raising, and record in ``LOCK_SETTING`` whether it
            was taken ('1') or not ('0'), read by :class:`RoutingState`
        """
        ids = sorted(queue_ids)
        rows = SQL(
            """%(verb)s id FROM crm_team_queue WHERE id = ANY(%(ids)s)
                ORDER BY id FOR UPDATE%(nowait)s;
               %(verb)s id FROM crm_team_queue_member WHERE queue_id = ANY(%(ids)s)
                ORDER BY id FOR UPDATE%(nowait)s;""",
            verb=SQL("SELECT" if wait else "PERFORM"),
            ids=ids,
            nowait=SQL("" if wait else " NOWAIT"),
        )
        if wait:
            return rows
        # A PL/pgSQL block whose exception handler is a sub-transaction, so
        # that a refused lock does not abort the creating transaction (and
        # costs no SAVEPOINT round trips).
        return SQL(
            """DO $$ BEGIN
                   %(rows)s
                   PERFORM set_config(%(setting)s, '1', true);
               EXCEPTION WHEN lock_not_available OR serialization_failure THEN
                   PERFORM set_config(%(setting)s, '0', true);
               END $$;""",
            rows=rows,
            setting=LOCK_SETTING,
        )

    @api.model
    def _claim_lock_sql(self, queues, user):
        """The statements that lock what a claim of leads of ``queues`` by
        ``user`` counts (see ``crm.lead._queue_claim_lock``): the queue rows of
        their teams, shared (claims run side by side, routings wait), then
        ``user``'s member rows in them, written (two claims of one rep take
        turns; a routing whose snapshot predates the claim must re-read)."""
        queue_ids = SQL(
            """SELECT id FROM crm_team_queue
                WHERE id = ANY(%s) OR (team_id = ANY(%s) AND active)""",
            queues.ids,
            queues.team_id.ids,
        )
        return SQL(
            """%(queues)s ORDER BY id FOR SHARE;
               UPDATE crm_team_queue_member SET weight = weight
                WHERE id IN (SELECT id FROM crm_team_queue_member
                              WHERE queue_id IN (%(queues)s) AND user_id = %(user)s
                              ORDER BY id FOR UPDATE)""",
            queues=queue_ids,
            user=user.id,
        )

    @api.model
    def _apply_plan(self, decisions, state, **options):
        """Apply ``decisions`` planned on the routing ``state`` (a
        :class:`RoutingState`, or None: nothing planned by routing): the
        plan's turns and credits are saved when it gives leads to someone,
        then the decisions pass the one door (``crm.lead._queue_assign_batch``
        with ``options``).

        :return: ids of the ledger lines written
        """
        if "digest" not in options:  # the caller's choice, else the batch's
            options["digest"] = self._route_digest(decisions)
        Lead = self.env["crm.lead"]
        if state and any(decision.user for decision in decisions):
            held = self._save_routing_state(state)
            Lead = Lead.with_context(**{HELD_TEAMS: held})
        return Lead._queue_assign_batch(decisions, **options)

    @api.model
    def _save_routing_state(self, state):
        """Write the fairness state of the plan in one round trip: the
        round-robin pointer of every locked queue (unchanged ones too: the
        write makes concurrent REPEATABLE READ routings re-read) and the
        changed weighted credits. :return: the ids of the teams whose queue
        rows are written (a frozenset; see :meth:`_hold_team_rows`)"""
        ids = list(state.rr)
        statements = [
            SQL(
                """UPDATE crm_team_queue q
                      SET rr_last_member_id = COALESCE(v.member_id,
                                                       q.rr_last_member_id),
                          rr_last_sequence = COALESCE(v.sequence, q.rr_last_sequence)
                     FROM unnest(%s::int[], %s::int[], %s::int[])
                          AS v(id, member_id, sequence)
                    WHERE q.id = v.id""",
                ids,
                [state.rr[queue_id][0] for queue_id in ids],
                [state.rr[queue_id][1] for queue_id in ids],
            )
        ]
        changed = sorted(state.wrr_changed)
        if changed:
            statements.append(
                SQL(
                    """UPDATE crm_team_queue_member m SET wrr_current = v.credit
                         FROM unnest(%s::int[], %s::int[]) AS v(id, credit)
                        WHERE m.id = v.id""",
                    changed,
                    [state.member_by_id[member_id].wrr for member_id in changed],
                )
            )
        self.env.cr.execute(SQL(";").join(statements))
        self.browse(ids).invalidate_recordset(["rr_last_member_id", "rr_last_sequence"])
        self.env["crm.team.queue.member"].browse(changed).invalidate_recordset(
            ["wrr_current"]
        )
        return frozenset(state.configs[queue_id].team_id for queue_id in ids)

    @api.model
    def _hold_team_rows(self, team_ids):
        """Write the queue rows of the teams ``team_ids`` (waiting for the
        routings in progress there): a routing that begins after this
        transaction then counts its leads in its caps and loads (see
        :meth:`_lock_for_routing`). Not the teams the caller holds already for
        this door call (``HELD_TEAMS`` in the context, a frozenset, which no
        RPC client can send: a routing that saved its state, a claim that
        shares the rows)."""
        held = self.env.context.get(HELD_TEAMS)
        if not isinstance(held, frozenset):
            held = frozenset()
        todo = sorted(set(team_ids) - held)
        if not todo:
            return
        self.env.cr.execute(
            SQL(
                """UPDATE crm_team_queue SET rr_last_member_id = rr_last_member_id
                    WHERE id IN (SELECT id FROM crm_team_queue
                                  WHERE team_id = ANY(%s) AND active
                                  ORDER BY id FOR UPDATE)""",
                todo,
            )
        )

    @api.model
    def _routing_flush(self):
        """Flush what the routing queries read in SQL (and only that: the
        leads being created stay in memory until the end of the request)."""
        self.env["crm.team.queue"].flush_model()
        self.env["crm.team.queue.member"].flush_model()
        self.env["crm.team.member"].flush_model()
        self.env["crm.team"].flush_model(["user_id", "company_id"])
        self.env["crm.stage"].flush_model(["is_won"])
        self.env["res.users"].flush_model(["active", "share", "company_ids"])
        self.env["res.partner"].flush_model(["tz"])
        # Not the stage: a lead just created has its stage pending, and flushing
        # it would write the whole lead twice. A stage changed earlier in this
        # same transaction is therefore not seen by the open counts (rare: they
        # use the stage the lead had before).
        self.env["crm.lead"].flush_model(["user_id", "team_id", "active"])

    @api.model
    def _read_routing_rows(
        self,
        queue_ids,
        now,
        lock=False,
        user=None,
        workload_queue_ids=None,
        defer_counts=False,
    ):
        """The queues ``queue_ids`` and their members with all that eligibility
        and the strategies need, as :meth:`_routing_row` values: the pointer,
        whether :meth:`_lock_for_routing` took the lock (``lock``: 'wait' or
        'nowait'), flags, skills and the counters (:meth:`_routing_counts_sql`)
        where :meth:`_routing_count_conditions` (``workload_queue_ids``; None:
        all) reads them; ``defer_counts``: in a second query, only when a
        member needs one (:meth:`_routing_state_rows`)."""
        self._routing_flush()
        who = SQL("%s", user.id) if user else SQL("m.user_id")
        conditions = workload_queue_ids is not None and self._routing_count_conditions(
            workload_queue_ids
        )
        counts = (
            self._routing_needs_sql(who, conditions)
            if defer_counts
            else self._routing_counts_sql(now, who, conditions)
        )
        self.env.cr.execute(
            SQL(
                """%(lock_first)s
                   SELECT q.id, q.rr_last_member_id, q.rr_last_sequence,
                          current_setting(%(lock)s, true),
                          m.id, m.user_id, m.sequence, m.active,
                          m.weight, COALESCE(m.daily_cap, 0), COALESCE(m.max_open, 0),
                          COALESCE(m.wrr_current, 0),
                          %(flags)s, %(counts)s, m.is_senior
                     FROM crm_team_queue q
                     JOIN crm_team t ON t.id = q.team_id
                LEFT JOIN crm_team_queue_member m
                       ON m.queue_id = q.id %(one_user)s
                          %(user_tz)s
                    WHERE q.id = ANY(%(queues)s)
                 ORDER BY m.sequence, m.id""",
                lock=LOCK_SETTING,
                queues=list(queue_ids),
                flags=self._routing_flags_sql(),
                counts=counts,
                one_user=SQL("AND m.user_id = %s", user.id) if user else SQL(),
                user_tz=self._routing_user_tz_sql(who),
                lock_first=self._lock_for_routing(queue_ids, lock == "wait")
                if lock
                else SQL(),
            )
        )
        rows = self.env.cr.fetchall()
        if defer_counts:
            # Not when the lock was tried and refused: the caller drops the state.
            refused = lock == "nowait" and any(row[3] != "1" for row in rows)
            rows = self._routing_with_counts(rows, now, skip=refused)
        return [self._routing_row(row) for row in rows]

    @api.model
    def _routing_state_rows(self, configs, lock):
        """The rows of :meth:`_read_routing_rows` that routing the queues
        ``configs`` reads: each counter only where a cap or the strategy reads
        it; in a second query, when needed, unless some queue reads them
        whatever the caps (:meth:`_routing_reads_counts`)."""
        return self._read_routing_rows(
            [config.id for config in configs],
            fields.Datetime.now(),
            lock=lock,
            workload_queue_ids={
                config.id for config in configs if self._routing_needs_workload(config)
            },
            defer_counts=not any(self._routing_reads_counts(c) for c in configs),
        )

    @api.model
    def _routing_reads_counts(self, config):
        """Whether routing reads the counters of every member of the queue
        ``config``, whatever their caps: a workload strategy, best fit's
        fairness window."""
        return self._routing_needs_workload(config) or config.strategy == "best_fit"

    @api.model
    def _routing_needs_sql(self, who, conditions):
        """In place of the counters' columns (:meth:`_routing_counts_sql`):
        the user ``who``, which counters they need (an array of three
        booleans: ``conditions``, see :meth:`_routing_count_conditions`;
        None: all), NULL."""
        return SQL(
            "%s, ARRAY[COALESCE(%s, FALSE), COALESCE(%s, FALSE), "
            "COALESCE(%s, FALSE)], NULL",
            who,
            *(conditions or (SQL("TRUE"),) * 3),
        )

    @api.model
    def _routing_with_counts(self, rows, now, skip=False):
        """``rows`` of :meth:`_read_routing_rows` read without their counters
        (columns 16-18: the user, which counters they need, nothing) with
        their counters (:meth:`_routing_counts_sql`), read in one query for
        the rows that need one: none needed, the counters read 0 (open and
        last: NULL), as when the one query skips them."""
        wanted = [row for row in rows if row[16] and any(row[17])] if not skip else []
        counts = {}
        if wanted:
            self.env.cr.execute(
                SQL(
                    """SELECT v.queue_id, v.user_id, %(counts)s
                         FROM unnest(%(queues)s::int[], %(users)s::int[],
                                     %(today)s::bool[], %(open)s::bool[],
                                     %(last)s::bool[])
                              AS v(queue_id, user_id, today, open, last)
                         JOIN crm_team_queue q ON q.id = v.queue_id
                              %(user_tz)s""",
                    user_tz=self._routing_user_tz_sql(SQL("v.user_id")),
                    counts=self._routing_counts_sql(
                        now,
                        SQL("v.user_id"),
                        (SQL("v.today"), SQL("v.open"), SQL("v.last")),
                    ),
                    queues=[row[0] for row in wanted],
                    users=[row[16] for row in wanted],
                    today=[row[17][0] for row in wanted],
                    open=[row[17][1] for row in wanted],
                    last=[row[17][2] for row in wanted],
                )
            )
            counts = {(row[0], row[1]): row[2:] for row in self.env.cr.fetchall()}
        none = ([0, 0, 0], None, None)
        return [
            row[:16] + counts.get((row[0], row[16]), none) + row[19:] for row in rows
        ]

    @api.model
    def _routing_user_tz_sql(self, who):
        """The joins of the routing queries that give the user ``who`` (SQL)
        as ``u`` and their time zone as ``tz.name`` (UTC when they have none)."""
        return SQL(
            """LEFT JOIN res_users u ON u.id = %s
               LEFT JOIN res_partner p ON p.id = u.partner_id,
                 LATERAL (SELECT COALESCE(NULLIF(p.tz, ''), 'UTC') AS name) tz""",
            who,
        )

    @api.model
    def _routing_flags_sql(self):
        """The member's flags, as columns of :meth:`_read_routing_rows`: an
        active internal user, in the queue's team, allowed in its company,
        and their skills."""
        return SQL(
            """u.active AND NOT COALESCE(u.share, FALSE),
               t.user_id = m.user_id OR EXISTS (
                   SELECT 1 FROM crm_team_member tm
                    WHERE tm.crm_team_id = q.team_id
                      AND tm.user_id = m.user_id AND tm.active),
               t.company_id IS NULL OR EXISTS (
                   SELECT 1 FROM res_company_users_rel r
                    WHERE r.user_id = m.user_id AND r.cid = t.company_id),
               ARRAY(SELECT s.tag_id FROM crm_team_queue_member_skill_rel s
                      WHERE s.member_id = m.id)"""
        )

    @api.model
    def _routing_counts_sql(self, now, who, conditions=None):
        """The counters of the user ``who`` (SQL: the member, or the one user
        of a claim, member of the queue or not) in the queue ``q``, as
        columns: the leads the queue gave them (:meth:`_routing_received_sql`),
        their open leads in the team, their last ledger line in the team.

        Each counter scans the user's leads or ledger lines: ``conditions``
        (three SQL booleans, see :meth:`_routing_count_conditions`) say which
        to read; None: every counter."""
        today_if, open_if, last_if = conditions or (SQL("TRUE"),) * 3
        return SQL(
            """CASE WHEN %(today_if)s THEN (%(received)s)
               ELSE ARRAY[0, 0, 0]::bigint[] END,
               CASE WHEN %(open_if)s THEN (
                SELECT COUNT(*) FROM crm_lead l
                  LEFT JOIN crm_stage st ON st.id = l.stage_id
                 WHERE l.team_id = q.team_id AND l.user_id = %(who)s
                   AND %(open)s) END,
               CASE WHEN %(last_if)s THEN (
                SELECT MAX(a.id) FROM crm_lead_assignment a
                 WHERE a.team_id = q.team_id AND a.user_id = %(who)s) END""",
            who=who,
            received=self._routing_received_sql(now, who),
            open=open_lead_sql("l", "st"),
            today_if=today_if,
            open_if=open_if,
            last_if=last_if,
        )

    @api.model
    def _routing_received_sql(self, now, who):
        """The leads the queue ``q`` gave the user ``who`` (an array): since
        the start of their day (their time zone ``tz.name``), of those the
        claims, and since the start of the queue's fairness window
        (:meth:`_fairness_window_sql`). An offer let go, an acceptance and a
        returning customer's lead that is not a turn do not count."""
        return SQL(
            """SELECT ARRAY[COUNT(*) FILTER (WHERE a.create_date >= w.today),
                            COUNT(*) FILTER (WHERE a.method = 'claim'
                                               AND a.create_date >= w.today),
                            COUNT(*)]
                 FROM (SELECT d AT TIME ZONE tz.name AT TIME ZONE 'UTC' AS today,
                              (d - make_interval(days => %(window)s - 1))
                                  AT TIME ZONE tz.name AT TIME ZONE 'UTC' AS since
                         FROM date_trunc('day', %(now)s::timestamp
                                  AT TIME ZONE 'UTC' AT TIME ZONE tz.name) d) w
                 JOIN crm_lead_assignment a ON a.create_date >= w.since
                WHERE a.queue_id = q.id AND a.user_id = %(who)s
                  AND a.method <> 'accepted'
                  AND NOT (a.method = 'offer' AND EXISTS (
                      SELECT 1 FROM crm_lead_assignment let_go
                       WHERE let_go.lead_id = a.lead_id AND let_go.id > a.id
                         AND let_go.method IN ('declined', 'expired')
                         AND let_go.previous_user_id = a.user_id))
                  AND (q.account_owner_counts_as_turn
                       OR NOT COALESCE(a.reason_code = ANY(%(account)s)
                                       OR a.reason_args @? %(nested)s::jsonpath,
                                       FALSE))""",
            now=now,
            who=who,
            account=list(ACCOUNT_REASONS),
            nested=ACCOUNT_REASONS_PATH,
            window=self._fairness_window_sql(),
        )

    @api.model
    def _routing_count_conditions(self, workload_queue_ids):
        """When routing reads each counter of :meth:`_routing_counts_sql` (SQL
        conditions on the queue ``q`` and the member ``m``): with
        ``workload_queue_ids`` (the queues whose strategy reads workload,
        :meth:`_routing_needs_workload`), a member's counts of the day only
        under a daily cap or for best fit's window, their open leads only
        under a maximum or a workload strategy, their last line only for a
        workload strategy (the others read 0; open: NULL)."""
        workload = SQL("q.id = ANY(%s)", sorted(workload_queue_ids))
        return (
            SQL("(COALESCE(m.daily_cap, 0) > 0 OR q.strategy = 'best_fit')"),
            SQL("(%s OR COALESCE(m.max_open, 0) > 0)", workload),
            workload,
        )

    @api.model
    def _routing_needs_workload(self, config):
        """Whether the strategy of the queue ``config`` reads its members'
        workload (open leads, last lead received): every strategy but the
        rotations, which read only their own pointers. Pool and hybrid
        queues count: the SLA reassign and the dispatch plan them by
        workload."""
        return config.strategy not in ("round_robin", "weighted", "best_fit")

    @api.model
    def _routing_row(self, row):
        """One row of :meth:`_read_routing_rows` as values: (queue id,
        round-robin pointer, locked, MemberState or None, leads received
        today, open leads in the team, last ledger line, claims today)."""
        member = None
        if row[4]:
            member = MemberState(
                id=row[4],
                queue_id=row[0],
                user_id=row[5],
                sequence=row[6],
                active=row[7],
                weight=row[8],
                daily_cap=row[9],
                max_open=row[10],
                wrr=row[11],
                user_ok=row[12],
                in_team=row[13],
                company_ok=row[14],
                skills=frozenset(row[15]),
                is_senior=row[19],
            )
        rr = (row[1] or 0, row[2] or 0)
        received, claimed, window = row[16]
        last = row[18] or 0
        return (
            row[0],
            rr,
            row[3] == "1",
            member,
            received,
            row[17],
            last,
            claimed,
            window,
        )

    # ------------------------------------------------------------
    # ROUTING DATA (for screens: live counts of members)
    # ------------------------------------------------------------

    @api.model
    def _routing_assigned_today(self, queues, users):
        """Leads given to each user by each queue since the start of the user's
        day. :return: dict {(queue id, user id): count}"""
        if not queues or not users:
            return {}
        rows = self._read_routing_rows(queues.ids, fields.Datetime.now())
        return {
            (member.queue_id, member.user_id): today
            for _queue, _rr, _locked, member, today, *_counts in rows
            if member and member.user_id in users.ids
        }

    @api.model
    def _routing_open_counts(self, teams, users):
        """Open leads (active, not in a won stage) of each user in each team.
        :return: dict {(team id, user id): count}"""
        if not teams or not users:
            return {}
        self.env["crm.lead"].flush_model(["user_id", "team_id", "active", "stage_id"])
        self.env.cr.execute(
            SQL(
                """SELECT l.team_id, l.user_id, COUNT(*)
                     FROM crm_lead l
                LEFT JOIN crm_stage s ON s.id = l.stage_id
                    WHERE %s
                      AND l.team_id IN %s AND l.user_id IN %s
                 GROUP BY l.team_id, l.user_id""",
                open_lead_sql("l", "s"),
                tuple(teams.ids),
                tuple(users.ids),
            )
        )
        return {(t, u): count for t, u, count in self.env.cr.fetchall()}

    @api.model
    def _routing_available_users(self, user_ids):
        """Ids of users who are now inside the working hours of their working
        schedule and not on time off; users without schedule count as available."""
        now = datetime.now(pytz.utc)
        available = set()
        by_calendar = {}
        for user in self.env["res.users"].sudo().browse(user_ids):
            resource = user.resource_ids[:1]
            if not resource.calendar_id:
                available.add(user.id)
                continue
            by_calendar.setdefault(resource.calendar_id, self.env["resource.resource"])
            by_calendar[resource.calendar_id] |= resource
        for calendar, resources in by_calendar.items():
            intervals = calendar._work_intervals_batch(
                now, now + timedelta(minutes=1), resources=resources
            )
            for resource in resources:
                if intervals[resource.id]:
                    available.add(resource.user_id.id)
        return available


class RoutingState:
    """In-memory state of one routing run: members, fairness pointers and the
    counters the eligibility rules need, updated as the plan assigns leads."""

    def __init__(self, env, configs, exclude_user_ids=(), lock=False):
        self.env = env
        self.exclude = frozenset(exclude_user_ids)
        self.configs = {config.id: config for config in configs}
        self.rr = {}
        self.members = {config.id: [] for config in configs}
        self.member_by_id = {}
        self.assigned = {}
        # {(queue id, user id): leads received in the queue's fairness window}
        self.window = {}
        self.open = {}
        self.last = {}
        self.wrr_changed = set()
        # {lead id: user id} never chosen for that lead (see _plan_routing)
        self.left_out = {}
        # {lead id: user id} who sent the lead back to the pool
        self.returned = {}
        # {queue id: error}: queues whose filter failed, skipped
        self.faults = {}
        # {lead id: AccountMatch}: the known customers (returning customers)
        self.accounts = {}
        # {lead id: user ids} who let an offer of the lead go
        self.passed = {}
        # best fit: the win/loss counts and the leads' values (a FitPlan)
        self.fit = None
        self.locked = True
        rows = env["crm.team.queue"]._routing_state_rows(configs, lock)
        for row in rows:
            self._add_row(*row)
        self.max_line = max(self.last.values(), default=0)
        self.turn = 0
        self.available = None
        if any(config.check_availability for config in configs):
            self.available = env["crm.team.queue"]._routing_available_users(
                {member.user_id for member in self.member_by_id.values()}
            )
        self._leaders = None
        self.rules = env["crm.team.queue"]._routing_eligibility_rules()

    def _add_row(
        self, queue_id, rr, locked, member, today, open_count, last_line, *rest
    ):
        """Take in one row of ``_read_routing_rows``."""
        _claimed, window = rest
        self.rr[queue_id] = rr
        self.locked = self.locked and locked
        if not member:
            return
        team_id = self.configs[queue_id].team_id
        self.members[queue_id].append(member)
        self.member_by_id[member.id] = member
        key = (team_id, member.user_id)
        self.assigned[(queue_id, member.user_id)] = today
        self.window[(queue_id, member.user_id)] = window
        # A user in several queues of the team: the rows that counted win.
        if open_count is not None:
            self.open[key] = open_count
        self.last[key] = max(self.last.get(key, 0), last_line)

    def open_count(self, team_id, user_id):
        return self.open.get((team_id, user_id), 0)

    def last_assigned(self, team_id, user_id):
        # Never assigned sorts first (waited longest), then by last ledger line;
        # turns given in this run come after every existing line.
        return self.last.get((team_id, user_id), 0)

    def team_leader(self, team_id):
        """Id of the active leader of the team, or False."""
        if self._leaders is None:
            teams = (
                self.env["crm.team"]
                .sudo()
                .browse({config.team_id for config in self.configs.values()})
            )
            self._leaders = {
                team.id: team.user_id.id
                if team.user_id.active and team.user_id.id not in self.exclude
                else False
                for team in teams
            }
        return self._leaders.get(team_id, False)

    def why_not(self, config, member, lead, skip=()):
        """Why ``member`` may not receive ``lead`` now: the first refusal of
        the eligibility rules (``crm.team.queue._get_routing_eligibility_rules``)
        but those named in ``skip``.

        :return: a :class:`Reason`, or None when the member is eligible
        """
        for rule in self.rules:
            if skip and rule.__name__ in skip:
                continue
            reason = rule(self, config, member, lead)
            if reason:
                return reason
        return None

    def record(self, config, user_id, turn=True):
        """Count a planned assignment of a lead of queue ``config`` to the
        user ``user_id`` (``turn``: in their leads of the day too)."""
        team_id = config.team_id
        key = (config.id, user_id)
        if turn:
            self.assigned[key] = self.assigned.get(key, 0) + 1
            self.window[key] = self.window.get(key, 0) + 1
        self.open[(team_id, user_id)] = self.open_count(team_id, user_id) + 1
        self.turn += 1
        self.last[(team_id, user_id)] = self.max_line + self.turn


def _user_arg(member):
    """The ``user`` argument of a member's :class:`Reason`."""
    return {"user": {"model": "res.users", "id": member.user_id}}
