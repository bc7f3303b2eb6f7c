"""Sales targets of a rep, a team or the whole company, for a month or a quarter,
and what was achieved against them (opportunities won in the period)."""

from collections import defaultdict
from datetime import date

import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .local_day import day_start_utc

PERIOD_MONTHS = {"month": 1, "quarter": 3}
# What a target achieved: computed from the won deals, stored (the leaderboard
# and the lists sort by progress) and marked stale by every change of a won deal
# (models/crm_sales_target_sync.py).
ACHIEVED_FIELDS = ("revenue_achieved", "won_count_achieved", "progress")
# Computed by the server: the name, and what a target achieved (facts from the
# won deals, computed by _compute_achieved as superuser); never set by a client,
# manager included.
SERVER_FIELDS = (
    "name",
    "revenue_achieved",
    "won_count_achieved",
    "progress",
    "rank",
    "is_top",
)


class CrmSalesTarget(models.Model):
    """A target for a period: revenue and number of won deals.

    The subject is a rep (``user_id``, usually with the team they sell in), a
    team (``team_id`` only) or the company (neither). What was achieved is a
    stored computed value (so that targets sort and rank by progress), current
    whenever it is read: any change of a won deal marks the targets it counts
    for (:meth:`_mark_achieved_stale`) and the ORM computes them again before
    the next read or at the end of the transaction, for all the marked targets
    at once (:meth:`_compute_achieved`: one grouped read of the won deals)."""

    _name = "crm.sales.target"
    _description = "Sales Target"
    _inherit = ["crm.server.owned.mixin"]
    _server_owned_fields = SERVER_FIELDS
    _order = "date_from desc, team_id, progress desc, id"

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        ondelete="cascade",
        domain="[('share', '=', False)]",
        help="The rep this target is for. Empty: a target of the team, or of "
        "the company when the team is empty too.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        ondelete="cascade",
        help="With a salesperson: only the deals they win in this team count. "
        "Without: the target of the whole team.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    period = fields.Selection(
        [("month", "Month"), ("quarter", "Quarter")],
        required=True,
        default="month",
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        compute="_compute_date_to",
        store=True,
        readonly=False,
        precompute=True,
    )
    revenue_target = fields.Monetary(
        string="Revenue Target", currency_field="currency_id"
    )
    won_count_target = fields.Integer(string="Won Deals Target")
    revenue_achieved = fields.Monetary(
        string="Revenue Won",
        currency_field="currency_id",
        compute="_compute_achieved",
        store=True,
        copy=False,
        help="Expected revenue of the opportunities won in the period, in the "
        "company's currency (converted at the rate of the day they were won).",
    )
    won_count_achieved = fields.Integer(
        string="Deals Won",
        compute="_compute_achieved",
        store=True,
        copy=False,
        help="Opportunities won in the period.",
    )
    progress = fields.Float(
        string="Progress (%)",
        compute="_compute_achieved",
        store=True,
        copy=False,
        aggregator="avg",
        help="Revenue won against the revenue target (or deals won against the "
        "deals target when there is no revenue target).",
    )
    rank = fields.Integer(
        compute="_compute_rank",
        help="Place of the rep among the reps of the same team and period, by "
        "progress.",
    )
    is_top = fields.Boolean(
        string="Top Performer",
        compute="_compute_rank",
        help="First of the team in the period, or reached their target.",
    )
    image_128 = fields.Image(related="user_id.image_128")

    @api.depends("user_id", "team_id", "company_id", "date_from", "date_to")
    def _compute_name(self):
        for target in self:
            subject = (
                target.user_id.name or target.team_id.name or target.company_id.name
            )
            target.name = f"{subject or ''} {target.date_from or ''}"

    @api.depends("period", "date_from")
    def _compute_date_to(self):
        for target in self:
            if target.date_from:
                months = PERIOD_MONTHS.get(target.period, 1)
                target.date_to = (
                    target.date_from
                    + relativedelta(months=months)
                    - relativedelta(days=1)
                )

    @api.depends(
        "user_id",
        "team_id",
        "company_id.currency_id",
        "date_from",
        "date_to",
        "revenue_target",
        "won_count_target",
    )
    def _compute_achieved(self):
        # Figures are counted (as superuser) for saved targets only: a target
        # being edited in a form (onchange, a new record) shows what its saved
        # record achieved, never figures of other values a client sends.
        saved = self.filtered(lambda target: isinstance(target.id, int))
        for target in self - saved:
            origin = target._origin
            target.revenue_achieved = origin.revenue_achieved if origin else 0.0
            target.won_count_achieved = origin.won_count_achieved if origin else 0
            target.progress = origin.progress if origin else 0.0
        figures = saved._won_figures()
        for target in saved:
            revenue, count = figures.get(target.id, (0.0, 0))
            currency = target.currency_id
            target.revenue_achieved = currency.round(revenue) if currency else revenue
            target.won_count_achieved = count
            target.progress = target._progress_of(revenue, count)

    @api.depends("progress", "user_id", "team_id", "date_from", "date_to")
    def _compute_rank(self):
        reps = self.filtered("user_id")
        (self - reps).update({"rank": 0, "is_top": False})
        if not reps:
            return
        keys = {target._rank_key() for target in reps}
        # One query, whatever the number of targets: the siblings' keys and
        # progress are fetched with the search.
        siblings = (
            self.sudo()
            .search_fetch(
                [
                    ("user_id", "!=", False),
                    ("company_id", "in", list({key[0] for key in keys})),
                    ("team_id", "in", list({key[1] or False for key in keys})),
                    ("date_from", "in", list({key[2] for key in keys})),
                ],
                ["company_id", "team_id", "date_from", "date_to", "progress"],
                order="progress desc, id",
            )
            .filtered(lambda target: target._rank_key() in keys)
        )
        ranks = {}
        counters = defaultdict(int)
        for target in siblings:
            counters[target._rank_key()] += 1
            ranks[target.id] = counters[target._rank_key()]
        for target in reps:
            target.rank = ranks.get(target._origin.id or target.id, 0)
            # The leader of the period, and whoever reached their target.
            target.is_top = target.progress > 0 and (
                target.rank == 1 or target.progress >= 100
            )

    def _rank_key(self):
        return (self.company_id.id, self.team_id.id, self.date_from, self.date_to)

    @api.constrains("revenue_target", "won_count_target")
    def _check_not_negative(self):
        for target in self:
            if target.revenue_target < 0 or target.won_count_target < 0:
                raise ValidationError(
                    _("Targets cannot be negative (%s).", target._subject_name())
                )

    @api.constrains("date_from", "date_to")
    def _check_whole_months(self):
        for target in self:
            if target.date_to < target.date_from:
                raise ValidationError(
                    _("The end of a target's period cannot be before its start.")
                )
            if (
                target.date_from.day != 1
                or (target.date_to + relativedelta(days=1)).day != 1
            ):
                raise ValidationError(
                    _(
                        "A target covers whole months: it starts on the first day "
                        "of a month and ends on the last day of a month."
                    )
                )

    @api.constrains("user_id", "team_id")
    def _check_user_in_team(self):
        for target in self:
            if (
                target.user_id
                and target.team_id
                and target.user_id not in target.team_id.member_ids
                and target.user_id != target.team_id.user_id
            ):
                raise ValidationError(
                    _(
                        "%(user)s is not a member of the sales team %(team)s: add "
                        "them to the team first, or leave the team empty.",
                        user=target.user_id.name,
                        team=target.team_id.name,
                    )
                )

    @api.constrains("team_id", "company_id")
    def _check_team_company(self):
        for target in self:
            if (
                target.team_id.company_id
                and target.team_id.company_id != target.company_id
            ):
                raise ValidationError(
                    _(
                        "The sales team %(team)s belongs to another company than "
                        "the target.",
                        team=target.team_id.name,
                    )
                )

    @api.constrains("user_id", "team_id", "company_id", "date_from", "date_to")
    def _check_no_overlap(self):
        for target in self:
            overlap = self.sudo().search(
                [
                    ("id", "!=", target.id),
                    ("user_id", "=", target.user_id.id),
                    ("team_id", "=", target.team_id.id),
                    ("company_id", "=", target.company_id.id),
                    ("date_from", "<=", target.date_to),
                    ("date_to", ">=", target.date_from),
                ],
                limit=1,
            )
            if overlap:
                raise ValidationError(
                    _(
                        "%(subject)s already has a target from %(start)s to %(end)s, "
                        "which overlaps this one: change that target instead.",
                        subject=target._subject_name(),
                        start=overlap.date_from,
                        end=overlap.date_to,
                    )
                )

    def _is_company_target(self):
        return not self.user_id and not self.team_id

    def _subject_name(self):
        self.ensure_one()
        if self.user_id:
            return self.user_id.name
        return self.team_id.name or self.company_id.name

    # ------------------------------------------------------------
    # RIGHTS
    # ------------------------------------------------------------

    @api.model
    def _check_can_set(self, teams, company_target=False):
        """Managers set every target; a team leader those of the teams they
        lead (record rules say the same; this says it in words)."""
        if self.env["crm.team"]._queue_steers_all():
            return
        if company_target:
            raise AccessError(
                _(
                    "Only sales managers can set targets of the whole company or "
                    "of a rep outside a team: choose one of your teams."
                )
            )
        others = teams.filtered(lambda team: team.user_id != self.env.user)
        if others:
            raise AccessError(
                _(
                    "You can only set targets of the teams you lead (not %(teams)s): "
                    "ask a sales manager.",
                    teams=", ".join(others.mapped("name")),
                )
            )

    def _server_owned_refusal(self, fields):
        return _(
            "%(fields)s: computed by the server (what a target achieved "
            "comes from the won deals), this cannot be set by hand.",
            fields=fields,
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env["crm.team"]._queue_steers_all():
            teams = self.env["crm.team"].browse(
                [vals["team_id"] for vals in vals_list if vals.get("team_id")]
            )
            self._check_can_set(
                teams, company_target=any(not vals.get("team_id") for vals in vals_list)
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env["crm.team"]._queue_steers_all():
            teams = self.team_id
            if "team_id" in vals:
                teams |= self.env["crm.team"].browse(vals["team_id"])
            self._check_can_set(
                teams,
                company_target=any(not target.team_id for target in self)
                or ("team_id" in vals and not vals["team_id"]),
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_allowed(self):
        if not self.env["crm.team"]._queue_steers_all():
            self._check_can_set(
                self.team_id,
                company_target=any(not target.team_id for target in self),
            )

    # ------------------------------------------------------------
    # ACHIEVED (set-based)
    # ------------------------------------------------------------

    @api.model
    def _won_domain(self, date_from, date_to, tz="UTC"):
        """Won opportunities closed between two dates (inclusive), the days
        cut at midnight in the time zone ``tz``."""
        zone = pytz.timezone(tz)

        def utc(day):
            return day_start_utc(day, zone)

        return [
            ("stage_id.is_won", "=", True),
            ("date_closed", ">=", utc(date_from)),
            ("date_closed", "<", utc(date_to + relativedelta(days=1))),
        ]

    def _tz(self):
        """The time zone the months of this target are cut in: its
        company's, else the current user's, else UTC."""
        if not self.company_id:
            tz = self.env.user.tz
            return tz if tz in pytz.all_timezones_set else "UTC"
        return self.company_id._sales_tz(default=self.env.user.tz)

    def _won_figures(self):
        """``{target id: (revenue in the target's currency, count)}``, from one
        grouped read of the won opportunities of all the periods (grouped by
        salesperson, team, company and month), whatever the number of targets
        or leads. Periods start on the first of a month and last whole months,
        so grouping by month is exact.

        A company target counts the company's deals; a rep's or a team's counts
        their deals in every company, converted from each company's currency
        into the target's at the first day of the month they were won."""
        targets = self.filtered(lambda target: target.date_from and target.date_to)
        if not targets:
            return {}
        # One grouped read per time zone (usually one): months are cut at
        # midnight in the company's time zone.
        by_tz = defaultdict(lambda: self.browse())
        for target in targets:
            by_tz[target._tz()] |= target
        groups_by_tz = {}
        for tz, tz_targets in by_tz.items():
            start = min(tz_targets.mapped("date_from"))
            end = max(tz_targets.mapped("date_to"))
            groups_by_tz[tz] = (
                self.env["crm.lead"]
                .sudo()
                .with_context(tz=tz)
                ._read_group(
                    self._won_domain(start, end, tz),
                    ["user_id", "team_id", "company_id", "date_closed:month"],
                    ["expected_revenue:sum", "__count"],
                )
            )
        figures = {}
        no_company = self.env["res.company"]
        for tz, tz_targets in by_tz.items():
            for target in tz_targets:
                figures[target.id] = target._figures_of(groups_by_tz[tz], no_company)
        return figures

    def _figures_of(self, groups, no_company):
        """(revenue, count) of target ``self`` from the grouped read."""
        self.ensure_one()
        target = self
        revenue, count = 0.0, 0
        currency = target.company_id.currency_id
        for user, team, company, month, amount, number in groups:
            month = month.date() if hasattr(month, "date") else month
            if not target.date_from <= month <= target.date_to:
                continue
            if target._is_company_target() and company not in (
                target.company_id,
                no_company,
            ):
                continue
            if target.user_id and user != target.user_id:
                continue
            if target.team_id and team != target.team_id:
                continue
            from_currency = (company or target.company_id).currency_id
            if from_currency != currency:
                amount = from_currency._convert(
                    amount, currency, target.company_id, month
                )
            revenue += amount
            count += number
        return revenue, count

    def _progress_of(self, revenue, count):
        """Progress (%) of target ``self`` for what it achieved: revenue against
        the revenue target, else deals against the deals target."""
        if self.revenue_target:
            progress = 100.0 * revenue / self.revenue_target
        elif self.won_count_target:
            progress = 100.0 * count / self.won_count_target
        else:
            progress = 0.0
        return round(progress, 2)

    def _mark_achieved_stale(self):
        """What these targets achieved changed (a deal was won, lost,
        reopened, moved...): compute it again at the next read or flush of
        this transaction, for all the marked targets at once."""
        for name in ACHIEVED_FIELDS:
            self.env.add_to_compute(self._fields[name], self)

    @api.model
    def _stale_targets_domain(self, users, teams, date_from, date_to):
        """Targets that may count deals of ``users`` in ``teams`` closed
        between two dates: theirs, their teams', their companies' (a day of
        margin each side: months are cut in the company's time zone)."""
        return [
            ("date_from", "<=", date_to + relativedelta(days=1)),
            ("date_to", ">=", date_from - relativedelta(days=1)),
            ("user_id", "in", users.ids + [False]),
            ("team_id", "in", teams.ids + [False]),
        ]

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def action_open_leaderboard(self):
        """The leaderboard of the running period. Team leaders, "All Documents"
        users and managers open the targets (their teams', everybody's: record
        rules); a rep opens the ranking of their teams
        (``crm.sales.target.ranking``: names, rank, progress, and amounts when
        the company shows them). Nothing to refresh first: the figures are
        current when read."""
        xmlid = "sales_team_queue.crm_sales_target_action_leaderboard"
        if not self._leaderboard_sees_targets():
            xmlid = "sales_team_queue.crm_sales_target_ranking_action"
        return self.env["ir.actions.act_window"]._for_xml_id(xmlid)

    @api.model
    def _leaderboard_sees_targets(self):
        """Whether the user reads the leaderboard on the targets themselves
        (amounts included): leaders of a team, "All Documents" users,
        managers."""
        if self.env.user.has_group("sales_team.group_sale_salesman_all_leads"):
            return True
        teams = self.env["crm.team"]._queue_led_teams()
        return teams is None or bool(teams)

    @api.model
    def action_open_targets(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "sales_team_queue.crm_sales_target_action"
        )

    def action_view_won(self):
        """The won opportunities counted by this target."""
        self.ensure_one()
        domain = self._won_domain(self.date_from, self.date_to, self._tz())
        if self._is_company_target():
            domain.append(("company_id", "in", [self.company_id.id, False]))
        if self.user_id:
            domain.append(("user_id", "=", self.user_id.id))
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        return {
            "type": "ir.actions.act_window",
            "name": _("Won: %s", self._subject_name()),
            "res_model": "crm.lead",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"active_test": False},
        }

    @api.model
    def _generate_year(self, team, year, revenue_target, won_count_target):
        """Monthly targets of ``year`` for every member of ``team`` (the months
        a member already has a target are skipped). Returns the new targets."""
        self._check_can_set(team)
        existing = self.sudo().search(
            [
                ("team_id", "=", team.id),
                ("user_id", "in", team.member_ids.ids),
                ("date_from", "<=", date(year, 12, 31)),
                ("date_to", ">=", date(year, 1, 1)),
            ]
        )
        taken = {
            (target.user_id.id, month)
            for target in existing
            for month in range(1, 13)
            if target.date_from <= date(year, month, 1) <= target.date_to
        }
        vals_list = [
            {
                "user_id": user.id,
                "team_id": team.id,
                "company_id": (team.company_id or self.env.company).id,
                "period": "month",
                "date_from": date(year, month, 1),
                "revenue_target": revenue_target,
                "won_count_target": won_count_target,
            }
            for user in team.member_ids
            for month in range(1, 13)
            if (user.id, month) not in taken
        ]
        return self.create(vals_list)
