import re
from datetime import datetime, timedelta

import pytz
from markupsafe import Markup

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from odoo.addons.crm.models.crm_stage import AVAILABLE_PRIORITIES

ZIP_PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]*$")
WEEKDAY_RE = re.compile(r"^[1-7]$")
CRON_XMLID = "sales_team_queue.ir_cron_route_backlog"


class CrmTeamQueue(models.Model):
    _name = "crm.team.queue"
    _description = "Lead Queue"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    def _default_activity_type_id(self):
        return self.env.company.queue_activity_type_id

    def _default_activity_deadline_days(self):
        return self.env.company.queue_activity_deadline_days

    def _default_notify_assignee(self):
        return self.env.company.queue_notify_assignee

    name = fields.Char(required=True, translate=True, tracking=True)
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        help="The team whose leads this queue routes. A lead without a team takes "
        "the team of the queue that matches it.",
    )
    sequence = fields.Integer(
        default=10,
        help="Queues of a team are tried in this order (lower first); the first "
        "active queue that matches a lead routes it.",
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        related="team_id.company_id",
        store=True,
        index=True,
        help="The company of the team; leads of another company never match.",
    )
    # --- matching criteria (all optional, AND-ed) ---
    domain = fields.Char(
        string="Lead Filter",
        help="Only leads matching this filter enter the queue (a domain on leads, "
        "e.g. [('type', '=', 'lead')]). Empty: every lead.",
    )
    country_ids = fields.Many2many(
        "res.country",
        string="Countries",
        help="Only leads from one of these countries. Empty: any country.",
    )
    state_ids = fields.Many2many(
        "res.country.state",
        string="States",
        help="Only leads from one of these states or provinces. Empty: any state.",
    )
    zip_prefixes = fields.Char(
        string="Zip Prefixes",
        help="Comma-separated beginnings of zip codes, e.g. '10, 11, 20'. Only leads "
        "whose zip starts with one of them. Empty: any zip.",
    )
    tag_ids = fields.Many2many(
        "crm.tag",
        "crm_team_queue_crm_tag_rel",
        "queue_id",
        "tag_id",
        string="Tags",
        help="Only leads carrying at least one of these tags. Empty: any tags.",
    )
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Segments",
        help="Only leads whose customer has at least one of these contact tags "
        "(segments). Empty: any customer.",
    )
    min_expected_revenue = fields.Monetary(
        string="Minimum Expected Revenue",
        currency_field="currency_id",
        help="Only leads expecting at least this revenue. Zero: no minimum.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="Currency of the queue's company, used for the minimum revenue.",
    )
    min_priority = fields.Selection(
        AVAILABLE_PRIORITIES,
        string="Minimum Priority",
        help="Only leads of at least this priority (stars). Empty: any priority.",
    )
    lang_ids = fields.Many2many(
        "res.lang",
        string="Languages",
        help="Only leads in one of these languages. Empty: any language.",
    )
    source_ids = fields.Many2many(
        "utm.source",
        string="Sources",
        help="Only leads from one of these sources (web form, e-mail campaign, ...). "
        "Empty: any source.",
    )
    product_ids = fields.Many2many(
        "product.template",
        string="Products",
        help="Only leads whose customer is interested in one of these products "
        "(Product Interest on the lead). Empty: no product condition.",
    )
    product_category_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="Only leads interested in a product of one of these categories (or "
        "their sub-categories). Combined with Products: either one matches.",
    )
    # --- distribution ---
    strategy = fields.Selection(
        [
            ("round_robin", "Round Robin"),
            ("load_balanced", "Load Balanced"),
            ("weighted", "Weighted"),
            ("pool", "Pool"),
            ("hybrid", "Hybrid"),
        ],
        default="round_robin",
        required=True,
        tracking=True,
        help="Round Robin: members take turns in their order; a skipped member keeps "
        "their place.\n"
        "Load Balanced: the member with the fewest open leads in the team; ties go "
        "to whoever waited longest.\n"
        "Weighted: shares in proportion to each member's weight, spread evenly.\n"
        "Pool: leads wait in the queue's pool for members to claim them.\n"
        "Hybrid: leads wait in the pool and are dispatched when left unclaimed.",
    )
    member_ids = fields.One2many(
        "crm.team.queue.member",
        "queue_id",
        string="Members",
        context={"active_test": False},
        help="The salespeople who receive this queue's leads (paused ones included).",
    )
    member_count = fields.Integer(compute="_compute_member_count")
    overflow = fields.Selection(
        [
            ("pool", "Wait in the pool"),
            ("next_queue", "Try the next queue"),
            ("leader", "Team leader"),
        ],
        default="pool",
        required=True,
        help="What happens to a lead when no member is eligible (all paused, capped, "
        "unavailable or lacking a skill):\n"
        "Wait in the pool: the lead stays in this queue's pool, unassigned, until "
        "someone takes it.\n"
        "Try the next queue: the next matching queue routes it (the pool of this "
        "queue when no other queue matches).\n"
        "Team leader: the team leader receives it (the pool when the team has none).",
    )
    required_skill_tag_ids = fields.Many2many(
        "crm.tag",
        "crm_team_queue_skill_tag_rel",
        "queue_id",
        "tag_id",
        string="Skill Tags",
        help="Lead tags that require a skill: a lead carrying some of them goes only "
        "to members whose skills include all of those tags.",
    )
    check_availability = fields.Boolean(
        string="Working Hours Only",
        help="Give leads only to members who are inside the working hours of their "
        "working schedule and not on time off. Members without a working schedule "
        "are always available.",
    )
    # --- alerts ---
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity",
        default=_default_activity_type_id,
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'crm.lead')]",
        help="Activity scheduled for the salesperson on each lead they receive. "
        "Empty: no activity.",
    )
    activity_deadline_days = fields.Integer(
        string="Activity Deadline (days)",
        default=_default_activity_deadline_days,
        help="Deadline of that activity, in working days of the salesperson's "
        "working schedule (calendar days when they have none). 0: today.",
    )
    notify_assignee = fields.Boolean(
        string="Notify Salesperson",
        default=_default_notify_assignee,
        help="Send the salesperson one notification (e-mail or Odoo inbox, as they "
        "chose in their preferences) for each lead they receive.",
    )
    # --- SLA ---
    sla_hours = fields.Float(
        string="SLA (hours)",
        help="Hours a salesperson has to take up a lead from this queue; sets the "
        "lead's SLA deadline. 0: no SLA.",
    )
    sla_warning_hours = fields.Float(
        string="SLA Warning (hours)",
        help="Warn this many hours before the SLA deadline. 0: no warning.",
    )
    sla_action = fields.Selection(
        [
            ("none", "Nothing"),
            ("recycle", "Back to the pool"),
            ("reassign", "Reassign"),
        ],
        string="When SLA Is Missed",
        default="none",
        required=True,
        help="Nothing: the lead stays with its salesperson.\n"
        "Back to the pool: the lead returns to the queue's pool.\n"
        "Reassign: the queue gives the lead to the next eligible member.",
    )
    # --- pool rules ---
    claim_daily_limit = fields.Integer(
        string="Daily Claim Limit",
        help="Leads a member may claim from the pool per day. 0: no limit.",
    )
    claim_max_open = fields.Integer(
        string="Max Open to Claim",
        help="A member with this many open leads or more cannot claim. 0: no limit.",
    )
    claim_window_start = fields.Float(
        string="Claim Window From",
        help="Claiming is open from this hour (in the member's time zone). Leave "
        "both hours at 0 for all day.",
    )
    claim_window_end = fields.Float(
        string="Claim Window To",
        help="Claiming is open until this hour (in the member's time zone).",
    )
    claim_weekdays = fields.Char(
        string="Claim Days",
        help="Comma-separated week days when claiming is open, 1 = Monday ... "
        "7 = Sunday, e.g. '1,2,3,4,5'. Empty: every day.",
    )
    claim_cooldown_hours = fields.Float(
        string="Re-claim Cooldown (hours)",
        help="A member who released a lead cannot claim it again for this many "
        "hours. 0: no cooldown.",
    )
    vip_min_priority = fields.Selection(
        AVAILABLE_PRIORITIES,
        string="VIP From Priority",
        help="Leads of at least this priority are VIP. Empty: priority does not make "
        "a lead VIP.",
    )
    vip_min_revenue = fields.Monetary(
        string="VIP From Revenue",
        currency_field="currency_id",
        help="Leads expecting at least this revenue are VIP. 0: revenue does not "
        "make a lead VIP.",
    )
    vip_release_minutes = fields.Integer(
        string="VIP Senior Minutes",
        help="VIP leads can be claimed only by senior members during this many "
        "minutes, then by everyone. 0: no senior tier.",
    )
    dispatch_after_minutes = fields.Integer(
        string="Dispatch After (minutes)",
        help="Hybrid queues: a lead left unclaimed this long is dispatched to a "
        "member by workload. 0: dispatch at the next dispatch run.",
    )
    # --- fairness state (persistent, updated under a row lock) ---
    rr_last_member_id = fields.Integer(
        string="Last Member Served",
        readonly=True,
        copy=False,
        help="Technical: id of the member who got the last round-robin turn.",
    )
    rr_last_sequence = fields.Integer(
        readonly=True,
        copy=False,
        help="Technical: order of the member who got the last round-robin turn "
        "(kept when that member is removed).",
    )
    lead_ids = fields.One2many("crm.lead", "queue_id", string="Leads")
    pool_count = fields.Integer(
        string="In Pool",
        compute="_compute_pool_count",
        help="Leads waiting in this queue's pool.",
    )
    lead_count = fields.Integer(
        string="Lead Count",
        compute="_compute_lead_count",
        help="Leads routed by this queue or waiting in its pool.",
    )
    assignment_count = fields.Integer(
        string="Assignments",
        compute="_compute_assignment_count",
        help="Lines of the assignment ledger written for this queue.",
    )

    _sql_constraints = [
        (
            "activity_deadline_days_positive",
            "CHECK(activity_deadline_days >= 0)",
            "The activity deadline cannot be negative.",
        ),
    ]

    @api.depends("company_id")
    def _compute_currency_id(self):
        for queue in self:
            queue.currency_id = (queue.company_id or self.env.company).currency_id

    @api.depends("member_ids")
    def _compute_member_count(self):
        for queue in self:
            queue.member_count = len(queue.member_ids)

    def _compute_pool_count(self):
        groups = self.env["crm.lead"]._read_group(
            [("queue_id", "in", self.ids), ("queue_state", "=", "pool")],
            ["queue_id"],
            ["__count"],
        )
        counts = {queue.id: count for queue, count in groups}
        for queue in self:
            queue.pool_count = counts.get(queue.id, 0)

    def _compute_lead_count(self):
        groups = self.env["crm.lead"]._read_group(
            [("queue_id", "in", self.ids)], ["queue_id"], ["__count"]
        )
        counts = {queue.id: count for queue, count in groups}
        for queue in self:
            queue.lead_count = counts.get(queue.id, 0)

    def _compute_assignment_count(self):
        groups = self.env["crm.lead.assignment"]._read_group(
            [("queue_id", "in", self.ids)], ["queue_id"], ["__count"]
        )
        counts = {queue.id: count for queue, count in groups}
        for queue in self:
            queue.assignment_count = counts.get(queue.id, 0)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("domain")
    def _check_domain(self):
        for queue in self.filtered("domain"):
            try:
                domain = safe_eval(queue.domain, {"uid": self.env.uid})
            except Exception as error:
                raise ValidationError(
                    _(
                        "The lead filter of queue %(queue)s is not a valid domain: "
                        "%(error)s\nWrite it like [('country_id.code', '=', 'TH')].",
                        queue=queue.display_name,
                        error=error,
                    )
                ) from error
            if not isinstance(domain, list | tuple):
                raise ValidationError(
                    _(
                        "The lead filter of queue %(queue)s must be a list of "
                        "conditions, like [('type', '=', 'lead')].",
                        queue=queue.display_name,
                    )
                )
            try:
                expression.expression(
                    domain, self.env["crm.lead"].sudo().with_context(active_test=False)
                )
            except Exception as error:
                raise ValidationError(
                    _(
                        "The lead filter of queue %(queue)s is not a valid domain: "
                        "%(error)s\nWrite it like [('country_id.code', '=', 'TH')].",
                        queue=queue.display_name,
                        error=error,
                    )
                ) from error

    @api.constrains("zip_prefixes")
    def _check_zip_prefixes(self):
        for queue in self.filtered("zip_prefixes"):
            for prefix in queue.zip_prefixes.split(","):
                if not ZIP_PREFIX_RE.match(prefix.strip()):
                    raise ValidationError(
                        _(
                            "Queue %(queue)s: '%(prefix)s' is not a zip prefix. Write "
                            "comma-separated beginnings of zip codes made of letters, "
                            "digits, spaces or dashes, e.g. '10, 11, 20'.",
                            queue=queue.display_name,
                            prefix=prefix.strip(),
                        )
                    )

    @api.constrains("claim_weekdays")
    def _check_claim_weekdays(self):
        for queue in self.filtered("claim_weekdays"):
            for day in queue.claim_weekdays.split(","):
                if not WEEKDAY_RE.match(day.strip()):
                    raise ValidationError(
                        _(
                            "Queue %(queue)s: '%(day)s' is not a week day. Write "
                            "comma-separated numbers from 1 (Monday) to 7 (Sunday).",
                            queue=queue.display_name,
                            day=day.strip(),
                        )
                    )

    @api.constrains("claim_window_start", "claim_window_end")
    def _check_claim_window(self):
        for queue in self:
            start, end = queue.claim_window_start, queue.claim_window_end
            if not (0 <= start <= 24 and 0 <= end <= 24):
                raise ValidationError(
                    _(
                        "Queue %s: claim window hours must be between 0 and 24.",
                        queue.display_name,
                    )
                )
            if (start or end) and end <= start:
                raise ValidationError(
                    _(
                        "Queue %s: the claim window must end after it starts.",
                        queue.display_name,
                    )
                )

    @api.constrains(
        "claim_daily_limit",
        "claim_max_open",
        "claim_cooldown_hours",
        "vip_release_minutes",
        "dispatch_after_minutes",
        "vip_min_revenue",
        "min_expected_revenue",
        "sla_hours",
        "sla_warning_hours",
    )
    def _check_positive_values(self):
        for queue in self:
            fnames = [
                "claim_daily_limit",
                "claim_max_open",
                "claim_cooldown_hours",
                "vip_release_minutes",
                "dispatch_after_minutes",
                "vip_min_revenue",
                "min_expected_revenue",
                "sla_hours",
                "sla_warning_hours",
            ]
            negative = [
                queue._fields[fname].get_description(self.env)["string"]
                for fname in fnames
                if queue[fname] < 0
            ]
            if negative:
                raise ValidationError(
                    _(
                        "Queue %(queue)s: %(fields)s cannot be negative (use 0 for "
                        "no limit).",
                        queue=queue.display_name,
                        fields=", ".join(negative),
                    )
                )
            if queue.sla_warning_hours and queue.sla_warning_hours >= queue.sla_hours:
                raise ValidationError(
                    _(
                        "Queue %s: the SLA warning must come before the SLA deadline "
                        "(fewer hours than the SLA).",
                        queue.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        queues = super().create(vals_list)
        self._queues_changed()
        return queues

    def write(self, vals):
        result = super().write(vals)
        if {"active", "team_id"} & set(vals):
            self._queues_changed()
        return result

    def unlink(self):
        result = super().unlink()
        self._queues_changed()
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if not (default or {}).get("name"):
            for queue, vals in zip(self, vals_list, strict=True):
                vals["name"] = _("%s (copy)", queue.name)
        return vals_list

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_pool(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update(
            {
                "name": _("Pool of %s", self.name),
                "domain": [("queue_id", "=", self.id), ("queue_state", "=", "pool")],
                "context": {"default_queue_id": self.id, "active_test": True},
            }
        )
        return action

    def action_view_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update(
            {
                "name": _("Leads of %s", self.name),
                "domain": [("queue_id", "=", self.id)],
                "context": {"search_default_group_by_queue_state": 1},
            }
        )
        return action

    def action_view_assignments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_team_queue.crm_lead_assignment_action"
        )
        action.update(
            {
                "name": _("Assignments of %s", self.name),
                "domain": [("queue_id", "=", self.id)],
                "context": {},
            }
        )
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    @tools.ormcache()
    def _get_queue_team_ids(self):
        """Ids of the teams that have at least one active queue (cached per
        registry; cleared whenever a queue is created, removed, (de)activated or
        moved). A cheap test that keeps the module inert when nothing is set up."""
        self.env.cr.execute(
            SQL("SELECT DISTINCT team_id FROM crm_team_queue WHERE active")
        )
        return frozenset(team_id for (team_id,) in self.env.cr.fetchall())

    def _queues_changed(self):
        """Clear the cached team list and switch the backlog cron on only while
        an active queue exists."""
        self.env.registry.clear_cache()
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            has_queue = bool(self.sudo().search_count([], limit=1))
            if cron.active != has_queue:
                cron.sudo().active = has_queue

    def _get_lead_domain(self):
        """The queue's own lead filter as a domain (empty list when none)."""
        self.ensure_one()
        if not self.domain:
            return []
        return safe_eval(self.domain, {"uid": self.env.uid})

    def _lock_for_routing(self):
        """Lock the queue rows (in id order, to avoid deadlocks) so that two
        transactions never hand out the same turn, then drop the cached
        fairness state so the values read next are the locked ones."""
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM crm_team_queue WHERE id IN %s ORDER BY id FOR UPDATE",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["rr_last_member_id", "rr_last_sequence"])
        self.member_ids.invalidate_recordset(["wrr_current"])

    # ------------------------------------------------------------
    # ROUTING ENGINE (set-based; see readme/DEVELOP.md)
    # ------------------------------------------------------------

    @api.model
    def _route_leads(self, leads):
        """Route ``leads`` (without salesperson) through the active queues.

        The whole batch is planned in memory - matching, member selection,
        overflow - with the queues' rows locked, then written per owner and per
        queue, so that the number of queries grows with the number of queues and
        members, not with the number of leads.

        :return: dict {lead id: 'assigned' | 'pool'} for the leads placed
        """
        involved, state, decisions = self._plan_routing(leads)
        if not involved:
            return {}
        assignments, pools, outcome = [], {}, {}
        for lead in leads:
            decision = decisions.get(lead.id)
            if not decision:
                continue
            if decision[0] == "assign":
                _kind, user, queue, reason = decision
                assignments.append((lead, user, queue, queue.team_id, reason))
                outcome[lead.id] = "assigned"
            else:
                queue = decision[1]
                pools.setdefault(queue, self.env["crm.lead"])
                pools[queue] |= lead
                outcome[lead.id] = "pool"
        involved._save_routing_state(state)
        for queue, pool_leads in pools.items():
            queue._place_in_pool(pool_leads)
        self.env["crm.lead"]._queue_assign_batch(assignments, method="auto")
        return outcome

    @api.model
    def _plan_routing(self, leads, lock=True):
        """Decide in memory where each of ``leads`` goes (matching, member
        selection, overflow) on a snapshot of the fairness state. Writes nothing:
        :meth:`_route_leads` applies the plan; the routing test (dry run) calls
        it with ``lock=False`` and drops it.

        :param bool lock: lock the involved queue rows first (real routing)
        :return: tuple (involved queues, state, {lead id: decision}), decision as
            returned by :meth:`_route_lead`
        """
        queues = self._get_routing_queues(leads)
        if not queues:
            return self.browse(), None, {}
        candidates = queues._get_candidates(leads)
        involved = self.browse(
            sorted({queue.id for found in candidates.values() for queue in found})
        )
        if not involved:
            return involved, None, {}
        if lock:
            involved._lock_for_routing()
        state = involved._get_routing_state()
        decisions = {}
        for lead in leads:
            found = candidates.get(lead.id)
            if found:
                decisions[lead.id] = self._route_lead(lead, found, state)
        return involved, state, decisions

    @api.model
    def _get_routing_queues(self, leads):
        """Active queues that may route ``leads``, in routing order: team order
        (sequence), then queue sequence."""
        team_ids = self._get_queue_team_ids()
        if not team_ids:
            return self.browse()
        queues = self.search([("team_id", "in", list(team_ids))])
        return queues.sorted(
            lambda q: (q.team_id.sequence, q.team_id.id, q.sequence, q.id)
        )

    def _get_candidates(self, leads):
        """For each lead, the queues (of ``self``, in order) that match it: those
        of its team, or of every team when it has none.

        :return: dict {lead id: list of queues}
        """
        domain_matches = {}
        for queue in self.filtered("domain"):
            domain = expression.AND(
                [[("id", "in", leads.ids)], queue._get_lead_domain()]
            )
            domain_matches[queue.id] = set(
                self.env["crm.lead"].with_context(active_test=False)._search(domain)
            )
        result = {}
        for lead in leads:
            found = []
            for queue in self:
                if lead.team_id and lead.team_id != queue.team_id:
                    continue
                if (
                    queue.id in domain_matches
                    and lead.id not in domain_matches[queue.id]
                ):
                    continue
                if queue._match_lead(lead):
                    found.append(queue)
            if found:
                result[lead.id] = found
        return result

    def _match_lead(self, lead):
        """Whether ``lead`` meets the criteria of this queue (all AND-ed; the
        ``domain`` is checked by :meth:`_get_candidates` in one search)."""
        self.ensure_one()
        if self.company_id and lead.company_id and lead.company_id != self.company_id:
            return False
        if self.country_ids and lead.country_id not in self.country_ids:
            return False
        if self.state_ids and lead.state_id not in self.state_ids:
            return False
        if self.zip_prefixes and not self._match_zip(lead.zip):
            return False
        if self.tag_ids and not (lead.tag_ids & self.tag_ids):
            return False
        if self.partner_category_ids and not (
            lead.partner_id.category_id & self.partner_category_ids
        ):
            return False
        if self.min_expected_revenue and (
            lead.expected_revenue < self.min_expected_revenue
        ):
            return False
        if self.min_priority and (lead.priority or "0") < self.min_priority:
            return False
        if self.lang_ids and lead.lang_id not in self.lang_ids:
            return False
        if self.source_ids and lead.source_id not in self.source_ids:
            return False
        if (self.product_ids or self.product_category_ids) and not self._match_products(
            lead.product_interest_ids
        ):
            return False
        return True

    def _match_zip(self, zip_code):
        normalize = self._normalize_zip
        zip_code = normalize(zip_code)
        return bool(zip_code) and any(
            zip_code.startswith(normalize(prefix))
            for prefix in self.zip_prefixes.split(",")
            if prefix.strip()
        )

    @api.model
    def _normalize_zip(self, zip_code):
        return (zip_code or "").replace(" ", "").replace("-", "").upper()

    def _match_products(self, products):
        if products & self.product_ids:
            return True
        paths = [categ.parent_path for categ in self.product_category_ids]
        return any(
            product.categ_id.parent_path.startswith(path)
            for product in products
            for path in paths
        )

    def _route_lead(self, lead, queues, state):
        """Decide where ``lead`` goes among its matching ``queues`` (in order),
        applying strategies and overflow rules; updates ``state`` in memory.

        :return: ('assign', user, queue, reason) or ('pool', queue)
        """
        first = queues[0]
        prefix = ""
        for queue in queues:
            if queue.strategy in ("pool", "hybrid"):
                return ("pool", queue)
            member, reason = queue._select_member(lead, state)
            if member:
                state.record(queue, member.user_id)
                return ("assign", member.user_id, queue, prefix + reason)
            if queue.overflow == "next_queue":
                prefix = _("overflow from %s: ", queue.name)
                continue
            leader = queue.team_id.user_id
            if queue.overflow == "leader" and leader.active:
                state.record(queue, leader)
                return ("assign", leader, queue, _("overflow: team leader"))
            return ("pool", queue)
        return ("pool", first)

    def _select_member(self, lead, state):
        """Pick the member of this queue who gets ``lead`` by the queue's strategy.

        :return: tuple (member or empty recordset, reason)
        """
        self.ensure_one()
        method = getattr(self, f"_select_member_{self.strategy}", None)
        if not method:
            return self.env["crm.team.queue.member"], ""
        return method(lead, state)

    def _select_member_round_robin(self, lead, state):
        members = state.members[self.id]
        last_id, last_sequence = state.rr[self.id]
        last = members.filtered(lambda m: m.id == last_id)
        if last:
            last_sequence = last.sequence
        pointer = (last_sequence, last_id)
        after = [m for m in members if (m.sequence, m.id) > pointer]
        before = [m for m in members if (m.sequence, m.id) <= pointer]
        for member in after + before:
            if state.is_eligible(member, lead):
                state.rr[self.id] = (member.id, member.sequence)
                if last:
                    reason = _("round robin: after %s", last.user_id.name)
                else:
                    reason = _("round robin: first turn")
                return member, reason
        return members.browse(), ""

    def _select_member_weighted(self, lead, state):
        eligible = [m for m in state.members[self.id] if state.is_eligible(m, lead)]
        if not eligible:
            return self.env["crm.team.queue.member"], ""
        total = sum(m.weight for m in eligible)
        # Smooth weighted round robin (nginx): everyone earns their weight, the
        # richest takes the turn and pays the total back; no bursts.
        for member in eligible:
            state.wrr[member.id] += member.weight
        chosen = max(eligible, key=lambda m: state.wrr[m.id])  # first on ties
        state.wrr[chosen.id] -= total
        return chosen, _(
            "weighted: weight %(weight)s of %(total)s",
            weight=chosen.weight,
            total=total,
        )

    def _select_member_load_balanced(self, lead, state):
        eligible = [m for m in state.members[self.id] if state.is_eligible(m, lead)]
        if not eligible:
            return self.env["crm.team.queue.member"], ""
        team_id = self.team_id.id

        def load(member):
            return (
                state.open_count(team_id, member.user_id.id),
                state.last_assigned(team_id, member.user_id.id),
                member.sequence,
                member.id,
            )

        chosen = min(eligible, key=load)
        mine = state.open_count(team_id, chosen.user_id.id)
        others = [
            state.open_count(team_id, m.user_id.id) for m in eligible if m != chosen
        ]
        if others:
            reason = _(
                "load balanced: %(mine)s open vs %(other)s",
                mine=mine,
                other=min(others),
            )
        else:
            reason = _("load balanced: %s open, only eligible member", mine)
        return chosen, reason

    def _get_routing_state(self):
        """Snapshot of what routing decisions need, read in a fixed number of
        queries for all queues in ``self`` (after the queue rows are locked)."""
        return RoutingState(self)

    def _save_routing_state(self, state):
        """Persist the fairness state changed by the plan (one write per queue
        and per member whose turn credit changed)."""
        for queue in self:
            rr = state.rr[queue.id]
            if rr != (queue.rr_last_member_id, queue.rr_last_sequence):
                queue.write({"rr_last_member_id": rr[0], "rr_last_sequence": rr[1]})
        for member in self.member_ids:
            if state.wrr[member.id] != member.wrr_current:
                member.write({"wrr_current": state.wrr[member.id]})

    def _place_in_pool(self, leads):
        """Put ``leads`` in this queue's pool: queue and team set, no owner, and
        a stage valid for the team."""
        self.ensure_one()
        vals = {"queue_id": self.id, "team_id": self.team_id.id, "user_id": False}
        if self.sla_hours:
            vals["sla_deadline"] = fields.Datetime.now() + timedelta(
                hours=self.sla_hours
            )
        foreign_stage = leads.filtered(
            lambda lead: lead.stage_id.team_id and lead.stage_id.team_id != self.team_id
        )
        writer = leads.with_context(
            mail_auto_subscribe_no_notify=True,
            mail_notrack=True,
            sales_team_queue_no_route=True,
        )
        if foreign_stage:
            stage = self.env["crm.lead"]._stage_find(
                team_id=self.team_id.id, domain=[("fold", "=", False)]
            )
            writer.browse(foreign_stage.ids).write(dict(vals, stage_id=stage.id))
        if leads - foreign_stage:
            writer.browse((leads - foreign_stage).ids).write(vals)
        body = Markup("<p>%s</p>") % _("Placed in the pool of %s", self.name)
        leads._message_log_batch(bodies=dict.fromkeys(leads.ids, body))

    # ------------------------------------------------------------
    # ROUTING DATA (one query each, for any number of members)
    # ------------------------------------------------------------

    @api.model
    def _routing_day_starts(self, users):
        """Start of today in each user's time zone, as naive UTC datetimes."""
        now = datetime.now(pytz.utc)
        starts = {}
        for user in users:
            tz = pytz.timezone(user.tz or "UTC")
            local_midnight = now.astimezone(tz).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            local_midnight = tz.localize(local_midnight.replace(tzinfo=None))
            starts[user.id] = local_midnight.astimezone(pytz.utc).replace(tzinfo=None)
        return starts

    @api.model
    def _routing_assigned_today(self, queues, users):
        """Leads given to each user by each queue since the start of the user's
        day. :return: dict {(queue id, user id): count}"""
        if not queues or not users:
            return {}
        self.env["crm.lead.assignment"].flush_model(["queue_id", "user_id"])
        starts = self._routing_day_starts(users)
        self.env.cr.execute(
            SQL(
                """SELECT a.queue_id, a.user_id, COUNT(*)
                     FROM crm_lead_assignment a
                     JOIN unnest(%s::int[], %s::timestamp[]) AS t(user_id, since)
                       ON t.user_id = a.user_id AND a.create_date >= t.since
                    WHERE a.queue_id IN %s
                 GROUP BY a.queue_id, a.user_id""",
                list(starts),
                list(starts.values()),
                tuple(queues.ids),
            )
        )
        return {(q, u): count for q, u, count in self.env.cr.fetchall()}

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
                    WHERE l.active AND NOT COALESCE(s.is_won, FALSE)
                      AND l.team_id IN %s AND l.user_id IN %s
                 GROUP BY l.team_id, l.user_id""",
                tuple(teams.ids),
                tuple(users.ids),
            )
        )
        return {(t, u): count for t, u, count in self.env.cr.fetchall()}

    @api.model
    def _routing_last_assigned(self, teams, users):
        """Last ledger line of each user in each team: ids grow with time, so
        they order the assignments exactly, even within one transaction.
        :return: dict {(team id, user id): ledger line id}"""
        if not teams or not users:
            return {}
        self.env["crm.lead.assignment"].flush_model(["team_id", "user_id"])
        self.env.cr.execute(
            SQL(
                """SELECT team_id, user_id, MAX(id)
                     FROM crm_lead_assignment
                    WHERE team_id IN %s AND user_id IN %s
                 GROUP BY team_id, user_id""",
                tuple(teams.ids),
                tuple(users.ids),
            )
        )
        return {(t, u): date for t, u, date in self.env.cr.fetchall()}

    @api.model
    def _routing_available_users(self, users):
        """Ids of ``users`` who are now inside the working hours of their working
        schedule and not on time off; users without schedule count as available."""
        now = datetime.now(pytz.utc)
        available = set()
        by_calendar = {}
        for user in users:
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

    def __init__(self, queues):
        self.env = queues.env
        self.members = {
            queue.id: queue.member_ids.sorted(lambda m: (m.sequence, m.id))
            for queue in queues
        }
        all_members = queues.member_ids
        users = all_members.user_id | queues.team_id.user_id
        teams = queues.team_id
        self.team_users = {
            team.id: set((team.member_ids | team.user_id).ids) for team in teams
        }
        self.rr = {q.id: (q.rr_last_member_id, q.rr_last_sequence) for q in queues}
        self.wrr = {member.id: member.wrr_current for member in all_members}
        self.assigned = queues._routing_assigned_today(queues, users)
        self.open = queues._routing_open_counts(teams, users)
        self.last = {}
        if any(q.strategy == "load_balanced" for q in queues):
            self.last = queues._routing_last_assigned(teams, users)
        self.available = None
        if any(q.check_availability for q in queues):
            self.available = queues._routing_available_users(all_members.user_id)
        self.skills = {
            member.id: set(member.skill_tag_ids.ids) for member in all_members
        }
        self.required = {q.id: set(q.required_skill_tag_ids.ids) for q in queues}
        self.turn = 0
        self.max_line = max(self.last.values(), default=0)

    def open_count(self, team_id, user_id):
        return self.open.get((team_id, user_id), 0)

    def last_assigned(self, team_id, user_id):
        # Never assigned sorts first (waited longest), then by last ledger line;
        # turns given in this run come after every existing line.
        return self.last.get((team_id, user_id), 0)

    def is_eligible(self, member, lead):
        """Whether ``member`` may receive ``lead`` now (see the queue's rules)."""
        queue = member.queue_id
        user = member.user_id
        if not member.active or not user.active or user.share:
            return False
        if user.id not in self.team_users[queue.team_id.id]:
            return False
        if member.daily_cap and (
            self.assigned.get((queue.id, user.id), 0) >= member.daily_cap
        ):
            return False
        if member.max_open and (
            self.open_count(queue.team_id.id, user.id) >= member.max_open
        ):
            return False
        required = self.required[queue.id] & set(lead.tag_ids.ids)
        if required and not required <= self.skills[member.id]:
            return False
        if queue.check_availability and user.id not in self.available:
            return False
        return True

    def record(self, queue, user):
        """Count a planned assignment of a lead of ``queue`` to ``user``."""
        team_id = queue.team_id.id
        key = (queue.id, user.id)
        self.assigned[key] = self.assigned.get(key, 0) + 1
        self.open[(team_id, user.id)] = self.open_count(team_id, user.id) + 1
        self.turn += 1
        self.last[(team_id, user.id)] = self.max_line + self.turn
