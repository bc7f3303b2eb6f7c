import re

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval
from odoo.tools.translate import LazyTranslate

from odoo.addons.crm.models.crm_stage import AVAILABLE_PRIORITIES

from .counts import set_related_counts

ZIP_PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]*$")
WEEKDAY_RE = re.compile(r"^[1-7]$")
CRON_XMLID = "sales_team_queue.ir_cron_route_backlog"
# Routing state: written only by the routing engine (in SQL, under the queues'
# row locks), never by a client.
ROUTING_STATE_FIELDS = (
    "rr_last_member_id",
    "rr_last_sequence",
    "fault_date",
    "fault_message",
)


_lt = LazyTranslate(__name__)

# The matching conditions of a queue (all optional, AND-ed). A queue with none
# takes every lead of its team, and every lead without a team that reaches it.
MATCHING_FIELDS = (
    "domain",
    "country_ids",
    "state_ids",
    "zip_prefixes",
    "tag_ids",
    "partner_category_ids",
    "min_expected_revenue",
    "min_priority",
    "lang_ids",
    "source_ids",
    "product_ids",
    "product_category_ids",
)

# Upper bounds of the numeric settings: far above what a company uses, low enough
# that no date or time computed from them overflows (a setting must never stop a
# lead from being saved).
YEAR_HOURS = 24 * 366
QUEUE_MAXIMA = {
    "claim_daily_limit": 10_000,
    "claim_max_open": 100_000,
    "claim_cooldown_hours": YEAR_HOURS,
    "vip_release_minutes": YEAR_HOURS * 60,
    "dispatch_after_minutes": YEAR_HOURS * 60,
    "relax_skills_minutes": YEAR_HOURS * 60,
    "sla_hours": YEAR_HOURS,
    "sla_warning_hours": YEAR_HOURS,
    "activity_deadline_days": 366,
    "pool_alert_hours": YEAR_HOURS,
    "offer_minutes": 7 * 24 * 60,
    "vip_min_probability": 100,
}
MEMBER_MAXIMA = {"weight": 1_000, "daily_cap": 10_000, "max_open": 100_000}
COMPANY_MAXIMA = {
    "queue_activity_deadline_days": 366,
    "queue_backlog_days": 3_660,
}


def check_maxima(record, maxima, label):
    """Refuse a value of ``record`` above its maximum in ``maxima`` (``{field
    name: maximum}``), saying which and the bound, in the user's language;
    ``label`` names the record."""
    for fname, maximum in maxima.items():
        if fname in record._fields and (record[fname] or 0) > maximum:
            field = record._fields[fname].get_description(record.env)["string"]
            message = _lt(
                "%(record)s: %(field)s can be at most %(max)s.",
                record=label,
                field=field,
                max=maximum,
            )
            raise ValidationError(record.env._(message))


class CrmTeamQueue(models.Model):
    _name = "crm.team.queue"
    _description = "Lead Queue"
    _inherit = ["mail.thread", "crm.server.owned.mixin"]
    _server_owned_fields = ROUTING_STATE_FIELDS
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
            ("best_fit", "Best Fit"),
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
        "Best Fit: the member most likely to win leads like it (their won and lost "
        "leads in the team), within a fairness band around their weight's share.\n"
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
    # --- returning customers ---
    route_to_account_owner = fields.Boolean(
        string="Returning Customers to Their Salesperson",
        help="Before the strategy, a lead from a known customer (its contact, the "
        "contact's company, or a company whose contacts share the lead's e-mail "
        "domain; public mail domains such as gmail.com excluded) goes to that "
        "customer's salesperson (the salesperson of the customer, else the owner of "
        "their open opportunities) when they are an eligible member of this queue. "
        "Otherwise the strategy decides, and the reason says why the salesperson "
        "was skipped.",
    )
    account_owner_counts_as_turn = fields.Boolean(
        string="Counts as a Turn",
        default=True,
        help="On: a returning customer's lead counts like any other lead: against "
        "the salesperson's daily cap and maximum of open leads (at the cap, the "
        "strategy decides), and as their turn in the rotation (round robin skips "
        "their next turn; weighted charges their credit).\n"
        "Off: they receive it even at their caps, and it counts neither against "
        "their daily cap nor in the rotation.",
    )
    # --- alerts ---
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity",
        default=_default_activity_type_id,
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'crm.lead')]",
        help="Activity scheduled for the salesperson on each lead they receive, "
        "when the queue has no Activity Plan. Empty: the company's default "
        "activity plan if it has one, else no activity.",
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
    activity_plan_id = fields.Many2one(
        "mail.activity.plan",
        string="Activity Plan",
        domain="[('res_model', '=', 'crm.lead'), ('company_id', 'in', "
        "(company_id and [company_id] or allowed_company_ids) + [False])]",
        help="Cadence: the activities of this plan are scheduled for the "
        "salesperson on each lead they receive (of the plan's company), instead "
        "of the single Activity. Empty: the Activity; without one, the company's "
        "default plan (Settings > CRM > Lead Queues).",
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
        "both hours at 0 for all day. A window that ends before it starts runs "
        "over midnight (22:00 to 06:00), and belongs to the day it opens.",
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
    vip_min_probability = fields.Float(
        string="VIP From Predicted Probability (%)",
        help="Leads whose probability predicted by Odoo (Predictive Lead Scoring, "
        "the lead's Automated Probability) is at least this percentage are VIP. "
        "Not used in teams whose probability comes from the stage: Odoo predicts "
        "nothing there. 0: the prediction does not make a lead VIP.",
    )
    notify_leader_on_claim = fields.Boolean(
        string="Alert Team Leader on Claim",
        help="Send the team leader one notification (e-mail or Odoo inbox, as they "
        "chose in their preferences) each time a member claims leads from this "
        "pool, listing the leads.",
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
    pool_hide_contact = fields.Boolean(
        string="Hide Contact Until Claimed",
        help="While a lead waits in this queue's pool, salespeople who see only "
        "their own documents cannot open it (nor its messages, meetings or "
        "contact): they see it as a pool card (title, country, revenue, "
        "priority) until one of them claims it. The team leader, users of All "
        "Documents and sales managers see everything.",
    )
    # --- fairness state (persistent, updated under a row lock) ---
    rr_last_member_id = fields.Integer(
        string="Last Member Served",
        readonly=True,
        copy=False,
        help="Technical: id of the member who got the last round-robin turn.",
    )
    rr_last_sequence = fields.Integer(
        string="Last Turn's Position",
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
    team_user_ids = fields.Many2many(
        "res.users",
        string="Team Users",
        compute="_compute_team_user_ids",
        help="The members and the leader of the queue's team: who may be a member "
        "of the queue.",
    )
    is_catch_all = fields.Boolean(
        string="Catch-All",
        compute="_compute_catch_all",
        help="The queue has no matching condition: it takes every lead of its "
        "team, and every lead without a team (web forms, e-mails) that no queue "
        "of an earlier team takes.",
    )
    catch_all_shadowed = fields.Char(
        string="Queues Leads Without Team Never Reach",
        compute="_compute_catch_all",
        help="The active queues of the teams after this one (in routing order): "
        "a lead without a team is taken by this catch-all queue first.",
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

    @api.depends("team_id.member_ids", "team_id.user_id")
    def _compute_team_user_ids(self):
        for queue in self:
            team = queue.team_id
            queue.team_user_ids = (team.member_ids | team.user_id).filtered("active")

    @api.depends(*MATCHING_FIELDS, "team_id", "company_id")
    def _compute_catch_all(self):
        # The queues the user may read, of their companies (names only).
        others = self.search([("company_id", "in", [False, *self.env.companies.ids])])
        for queue in self:
            queue.is_catch_all = not queue._queue_has_condition()
            shadowed = others.filtered(
                lambda other, queue=queue: queue.is_catch_all
                and isinstance(queue.id, int)
                and queue.overflow != "next_queue"
                and queue._queue_takes_teamless_before(other)
            )
            queue.catch_all_shadowed = ", ".join(shadowed.mapped("display_name"))

    def _queue_has_condition(self):
        """Whether ``self`` has a matching condition (see MATCHING_FIELDS)."""
        self.ensure_one()
        if (self.domain or "").replace(" ", "") not in ("", "[]"):
            return True
        if self.min_priority not in (False, "0"):
            return True
        return any(
            self[fname]
            for fname in MATCHING_FIELDS
            if fname not in ("domain", "min_priority")
        )

    def _queue_takes_teamless_before(self, other):
        """Whether a lead without team reaches ``self`` before the queue
        ``other`` of another team (teams in routing order, same company)."""
        team, other_team = self.team_id, other.team_id
        if not team or other_team == team:
            return False
        company, other_company = self.company_id, other.company_id
        if company and other_company and other_company != company:
            return False
        return (team.sequence, team.id) < (other_team.sequence, other_team.id)

    @api.depends("member_ids")
    def _compute_member_count(self):
        for queue in self:
            queue.member_count = len(queue.member_ids)

    def _compute_pool_count(self):
        set_related_counts(
            self, "pool_count", "crm.lead", "queue_id", [("queue_state", "=", "pool")]
        )

    def _compute_lead_count(self):
        set_related_counts(self, "lead_count", "crm.lead", "queue_id")

    def _compute_assignment_count(self):
        set_related_counts(self, "assignment_count", "crm.lead.assignment", "queue_id")

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
                # Run it: a filter that parses but fails in SQL (a wrong value
                # type) would otherwise stop the routing of every new lead.
                with self.env.cr.savepoint():
                    self.env["crm.lead"].sudo().with_context(
                        active_test=False
                    ).search_count(domain, limit=1)
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
            if (start or end) and end == start:
                raise ValidationError(
                    _(
                        "Queue %s: the claim window opens and closes at the same hour: "
                        "leave both at 0 for all day.",
                        queue.display_name,
                    )
                )

    @api.constrains("activity_plan_id", "team_id")
    def _check_activity_plan(self):
        # A queue of no company takes leads of every company: its plan is of
        # no company or of one the user works in (launched on leads of it).
        for queue in self:
            queue.activity_plan_id._queue_check_for(
                queue.company_id or self.env.companies,
                _("Queue %s", queue.display_name),
            )

    @api.constrains(*QUEUE_MAXIMA)
    def _check_maxima(self):
        for queue in self:
            check_maxima(queue, QUEUE_MAXIMA, _("Queue %s", queue.display_name))

    @api.constrains(
        "claim_daily_limit",
        "claim_max_open",
        "claim_cooldown_hours",
        "vip_release_minutes",
        "dispatch_after_minutes",
        "relax_skills_minutes",
        "vip_min_revenue",
        "min_expected_revenue",
        "sla_hours",
        "sla_warning_hours",
        "offer_minutes",
        "vip_min_probability",
    )
    def _check_positive_values(self):
        for queue in self:
            fnames = [
                "claim_daily_limit",
                "claim_max_open",
                "claim_cooldown_hours",
                "vip_release_minutes",
                "dispatch_after_minutes",
                "relax_skills_minutes",
                "vip_min_revenue",
                "min_expected_revenue",
                "sla_hours",
                "sla_warning_hours",
                "offer_minutes",
                "vip_min_probability",
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

    def _server_owned_refusal(self, fields):
        return _(
            "%(fields)s: the routing state of a queue is kept by routing "
            "itself and cannot be set by hand.",
            fields=fields,
        )

    @api.model_create_multi
    def create(self, vals_list):
        queues = super().create(vals_list)
        self._queues_changed()
        return queues

    def write(self, vals):
        if "strategy" in vals:
            changed = self.filtered(lambda queue: queue.strategy != vals["strategy"])
        result = super().write(vals)
        if "strategy" in vals and changed:
            # weighted credits and the turns round robin owes are the strategy's
            changed.member_ids.sudo().write({"wrr_current": 0})
        if "domain" in vals:
            # saved: the filter ran (_check_domain); routing takes it again
            self._queue_clear_fault()
        # Routing reads the queues' settings from a cache (_routing_config):
        # only a change of what is cached clears it (a rename does not).
        if self._queue_cached_fields().intersection(vals):
            self._queues_changed()
        return result

    def unlink(self):
        # The database empties the leads' queue (ON DELETE SET NULL) behind
        # the ORM: their queue state is computed again, so that a lead that
        # waited in the deleted queue's pool is unrouted (the backlog routes
        # it), not a card of no pool.
        leads = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search([("queue_id", "in", self.ids)])
        )
        result = super().unlink()
        self._queues_changed()
        if leads:
            leads.invalidate_recordset(["queue_id"])
            leads.modified(["queue_id"])
            leads.flush_recordset(["queue_state"])
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
                # A lead created here goes to the queue's team and is routed
                # by its rules: the queue of a lead is routing's to set, not a
                # default the client sends back.
                "context": {"default_team_id": self.team_id.id, "active_test": True},
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

    @api.model
    @tools.ormcache()
    def _get_private_pool_queue_ids(self):
        """Ids of the queues (archived ones too) whose pool hides the contact
        details (``pool_hide_contact``), cached like :meth:`_get_queue_team_ids`:
        pool privacy costs nothing while no queue asks for it."""
        self.flush_model(["pool_hide_contact"])
        self.env.cr.execute(
            SQL("SELECT id FROM crm_team_queue WHERE pool_hide_contact")
        )
        return frozenset(queue_id for (queue_id,) in self.env.cr.fetchall())

    @api.model
    def _queue_cached_fields(self):
        """The fields of a queue that the cached values (:meth:`_get_queue_team_ids`,
        ``_routing_config``, ...) and the crons' switches depend on: writing
        one of them calls :meth:`_queues_changed`. A file that caches or
        switches on another field adds it here."""
        return {"active", "team_id", "company_id", "sequence"}

    def _queues_changed(self):
        """Clear the cached team list and switch the backlog cron on only while
        an active queue exists. The registry's cache is Odoo's one cache for
        such values: clearing it makes every worker drop its ORM caches, so it
        is done only when a queue is created or deleted, or one of
        :meth:`_queue_cached_fields` changes."""
        self.env.registry.clear_cache()
        # Sales managers set queues up; the cron is the server's (they may not
        # read scheduled actions).
        cron = self.sudo().env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            has_queue = bool(self.sudo().search_count([], limit=1))
            if cron.active != has_queue:
                cron.active = has_queue

    def _get_lead_domain(self):
        """The queue's own lead filter as a domain (empty list when none)."""
        self.ensure_one()
        return self._eval_lead_domain(self.domain)
