"""Best fit: each lead goes to the eligible member most likely to win leads
like it (``fit_score.py``: their smoothed win rate on the lead's values),
inside a fairness band no member may exceed; without history, the queue's
weighted rotation. The counts come from ``crm.lead.fit.frequency``, read
once per routed batch."""

from dataclasses import dataclass, field

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .crm_team_queue_routing import _user_arg
from .fit_score import FitCounts
from .values import RENDERED_MODELS, Reason

# Bounds of the settings (refused on save outside them).
FAIRNESS_BOUNDS = {"fairness_band": (0, 100), "fairness_window_days": (1, 90)}


@dataclass
class FitPlan:
    """What best fit reads for a routed batch: the win/loss counts of the
    teams concerned and each lead's values."""

    counts: FitCounts
    items: dict = field(default_factory=dict)


class FairShares:
    """The fair shares of the members who may take a queue's next lead
    (``members``): their weight's share of the leads the queue gave them in
    its window (``total``, this lead included)."""

    def __init__(self, config, state, members):
        self.config = config
        self.state = state
        self.weights = sum(member.weight for member in members) or 1
        self.total = (
            sum(state.window.get((config.id, m.user_id), 0) for m in members) + 1
        )
        self.band = 1 + config.fairness_band / 100

    def count_share(self, member):
        """(the leads ``member`` would have with this one, their share)."""
        share = self.total * member.weight / self.weights
        return self.state.window.get((self.config.id, member.user_id), 0) + 1, share

    def inside(self, member):
        """Whether ``member`` stays inside the band with one more lead."""
        count, share = self.count_share(member)
        return count <= max(1.0, share * self.band)

    def ratio(self, member):
        """The leads ``member`` would have over their fair share."""
        count, share = self.count_share(member)
        return count / share if share else float("inf")


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    fairness_band = fields.Integer(
        string="Fairness Band (%)",
        default=20,
        help="Best fit: a member may receive at most this much more than their "
        "fair share of the queue's leads in the fairness window (their weight's "
        "share of the leads the queue gave its available members). When the "
        "best member is above it, the best member inside it gets the lead. "
        "0: exactly the fair share; at most 100.",
    )
    fairness_window_days = fields.Integer(
        string="Fairness Window (days)",
        default=1,
        help="Best fit: the days over which fair shares are counted, today "
        "included (1: today, from each member's midnight). At most 90.",
    )

    @api.constrains(*FAIRNESS_BOUNDS)
    def _check_fairness(self):
        for queue in self:
            for fname, (low, high) in FAIRNESS_BOUNDS.items():
                if not low <= queue[fname] <= high:
                    field = queue._fields[fname].get_description(self.env)["string"]
                    raise ValidationError(
                        _(
                            "Queue %(queue)s: %(field)s goes from %(min)s to %(max)s.",
                            queue=queue.display_name,
                            field=field,
                            min=low,
                            max=high,
                        )
                    )

    @api.model
    def _queue_cached_fields(self):
        return super()._queue_cached_fields() | {
            "fairness_band",
            "fairness_window_days",
        }

    @api.model
    def _routing_config_values(self, queue):
        return dict(
            super()._routing_config_values(queue),
            fairness_band=queue.fairness_band,
            fairness_window_days=queue.fairness_window_days,
        )

    @api.model_create_multi
    def create(self, vals_list):
        queues = super().create(vals_list)
        queues._fit_start()
        return queues

    def write(self, vals):
        starting = self.browse()
        if (
            vals.get("strategy") == "best_fit"
            or vals.get("active")
            or ("team_id" in vals)
        ):
            starting = self.filtered(
                lambda queue: queue.strategy != "best_fit"
                or not queue.active
                or queue.team_id.id != vals.get("team_id", queue.team_id.id)
            )
        result = super().write(vals)
        starting._fit_start()
        return result

    def _fit_start(self):
        """Count the history of the teams of the queues of ``self`` that now
        route by best fit (their frequencies are otherwise counted nightly)."""
        teams = self.filtered(
            lambda queue: queue.strategy == "best_fit" and queue.active
        ).team_id
        if teams:
            self.env["crm.lead.fit.frequency"].sudo()._fit_refresh(teams.ids)

    @api.model
    def _fit_team_ids(self):
        """Ids of the teams with an active queue routing by best fit."""
        return sorted(
            {
                config.team_id
                for config in self._routing_config()
                if config.strategy == "best_fit"
            }
        )

    @api.model
    def _fit_min_history(self):
        """Closed leads a team needs before best fit compares its members;
        below, the queue's weighted rotation decides (and says so)."""
        return 20

    @api.model
    def _fairness_window_sql(self):
        """The days of the fairness window of the queue ``q`` (SQL, in the
        routing query): its setting for best fit, else 1 (today)."""
        return SQL(
            """CASE WHEN q.strategy = 'best_fit'
                    THEN LEAST(GREATEST(COALESCE(q.fairness_window_days, 1), 1), %s)
                    ELSE 1 END""",
            FAIRNESS_BOUNDS["fairness_window_days"][1],
        )

    # ------------------------------------------------------------
    # PLAN
    # ------------------------------------------------------------

    @api.model
    def _plan_fit(self, leads, candidates):
        """The :class:`FitPlan` of the ``leads`` a best-fit queue may route
        (``candidates``: {lead id: [QueueConfig]}): one query for the counts
        of their teams on their values; None when no best-fit queue matches."""
        fit = {
            lead_id: {
                config.team_id for config in found if config.strategy == "best_fit"
            }
            for lead_id, found in candidates.items()
        }
        teams = set().union(*fit.values())
        if not teams:
            return None
        Frequency = self.env["crm.lead.fit.frequency"].sudo()
        items = {
            lead.id: Frequency._fit_lead_items(lead)
            for lead in leads
            if fit.get(lead.id)
        }
        every = {item for lead_items in items.values() for item in lead_items}
        return FitPlan(Frequency._fit_counts(teams, every), items)

    @api.model
    def _fair_shares(self, config, state, eligible):
        """The fair shares in the queue ``config`` of the members ``eligible``
        for its next lead (those who cannot take it, paused, away, capped,
        hold none). :return: a :class:`FairShares`"""
        return FairShares(config, state, eligible)

    @api.model
    def _select_member_best_fit(self, config, eligible, state, lead=None):
        """The eligible member with the best estimated win rate on ``lead``
        inside the fairness band (ties: the furthest below their share); all
        above it: the furthest below their share; a team without enough
        history: the weighted rotation."""
        closed = state.fit.counts.team_closed(config.team_id)
        needed = self._fit_min_history()
        if closed < needed:
            chosen, reason = self._select_member_weighted(config, eligible, state)
            args = {"count": closed, "needed": needed, "reason": reason.to_json()}
            return chosen, Reason("best_fit_no_history", args)
        items = state.fit.items.get(lead.id, ())
        shares = self._fair_shares(config, state, eligible)
        ranked, estimates = self._fit_rank(config, eligible, state, items, shares)
        inside = [member for member in ranked if shares.inside(member)]
        if not inside:
            chosen = min(eligible, key=lambda m: (shares.ratio(m), m.sequence, m.id))
            args = dict(
                self._fit_share_args(config, chosen, shares), **_user_arg(chosen)
            )
            return chosen, Reason("best_fit_fairest", args)
        chosen = inside[0]
        team = state.fit.counts.estimate(config.team_id, None, items)
        reason = self._fit_reason(config, chosen, estimates[chosen.id], team, shares)
        better = ranked[: ranked.index(chosen)]
        if better:
            args = dict(
                self._fit_share_args(config, better[0], shares),
                reason=reason.to_json(),
                **_user_arg(better[0]),
            )
            reason = Reason("best_fit_above", args)
        return chosen, reason

    @api.model
    def _fit_rank(self, config, eligible, state, items, shares):
        """The ``eligible`` members best first (estimated win rate on the
        values ``items``; ties: the furthest below their fair share), and
        their estimates. :return: (list of MemberState, {member id:
        FitEstimate})"""
        counts = state.fit.counts
        estimates = {
            member.id: counts.estimate(config.team_id, member.user_id, items)
            for member in eligible
        }
        ranked = sorted(
            eligible,
            key=lambda m: (
                -round(estimates[m.id].rate, 6),
                shares.ratio(m),
                m.sequence,
                m.id,
            ),
        )
        return ranked, estimates

    # ------------------------------------------------------------
    # REASONS
    # ------------------------------------------------------------

    @api.model
    def _fit_reason(self, config, member, estimate, team, shares):
        """Why ``member`` got the lead: their rate on leads like it
        (``estimate``, naming the values that weigh most for them), the
        team's (``team``), and their fair share."""
        values = [
            arg
            for arg in (self._fit_item_arg(item) for item in estimate.evidence[:2])
            if arg
        ]
        share_code = (
            "fit_share_today" if config.fairness_window_days <= 1 else "fit_share_days"
        )
        args = dict(
            _user_arg(member),
            rate=estimate.percent,
            team=team.percent,
            share=Reason(
                share_code, self._fit_share_args(config, member, shares)
            ).to_json(),
        )
        if values:
            return Reason("best_fit", dict(args, values=values))
        return Reason("best_fit_plain", args)

    @api.model
    def _fit_share_args(self, config, member, shares):
        count, share = shares.count_share(member)
        return {
            "count": count,
            "total": shares.total,
            "share": f"{share:.1f}",
            "band": config.fairness_band,
            "days": config.fairness_window_days,
        }

    @api.model
    def _fit_item_arg(self, item):
        """A value of the lead as a reason argument: the record it names (of
        :data:`RENDERED_MODELS`), the revenue band, else None."""
        path, value = item
        if path == "expected_revenue":
            return Reason("fit_revenue_" + value).to_json()
        model = self.env["crm.lead"]
        for name in path.split("."):
            fld = model._fields[name]
            if not fld.relational:
                return None
            model = self.env[fld.comodel_name]
        if model._name not in RENDERED_MODELS or not value.isdigit():
            return None
        return {"model": model._name, "id": int(value)}
