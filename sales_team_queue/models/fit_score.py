"""Best fit: how likely a member is to win a lead, from the win/loss counts
of the closed leads of their team (``crm.lead.fit.frequency``). Pure
functions over counts, no database: the routing strategy
(``crm_team_queue_best_fit.py``) and the tests call them.

The estimate, for a member ``m`` of team ``t`` and a lead with values
``v1 .. vk`` (its country, source, tags, ...):

- every rate is smoothed toward the one above it (Bayesian smoothing with a
  Beta prior worth :data:`PRIOR_WEIGHT` closed leads): the team's rate
  ``t = (W + 1) / (N + 2)``; the team's rate on a value
  ``t(v) = (W(v) + K t) / (N(v) + K)``; the member's rate
  ``m = (Wm + K t) / (Nm + K)``; the member's rate on a value
  ``m(v) = (Wm(v) + K p(v)) / (Nm(v) + K)``, pulled toward ``p(v)``: their
  own rate moved as the value moves the team's
  (``logit p(v) = logit m + logit t(v) - logit t``). A member with a thin
  history on a value keeps their own strength there, shifted by what the
  value does to everyone; one without history scores exactly the team's;
- the values are combined as Odoo's predictive lead scoring does (naive
  Bayes): ``odds(m | v1..vk) = odds(m) x prod(odds(m(v)) / odds(m))``.
"""

import math
from dataclasses import dataclass

# Weight of the prior, in closed leads: a member's own rate on a value counts
# half once they have closed this many leads of it.
PRIOR_WEIGHT = 10
# Estimates stay inside these bounds (no certainty from a few leads).
FLOOR, CEILING = 0.001, 0.999
# Revenue bands of the expected revenue (company currency): a lead's band is
# the number of these bounds it reaches (0: below the first); no revenue (0)
# is no value.
REVENUE_BOUNDS = (1_000, 10_000, 100_000, 1_000_000)
# The total of a member or team: the (variable, value) of every closed lead.
TOTAL = ("", "")


def revenue_band(amount):
    """The band (text) of an expected revenue, None without revenue."""
    if not amount or amount <= 0:
        return None
    return str(sum(1 for bound in REVENUE_BOUNDS if amount >= bound))


def smoothed(won, closed, prior, weight=PRIOR_WEIGHT):
    """``won`` of ``closed`` leads, pulled toward the rate ``prior`` as if
    ``weight`` more leads had been closed at that rate."""
    return (won + weight * prior) / (closed + weight)


def _logit(rate):
    rate = min(max(rate, FLOOR), CEILING)
    return math.log(rate / (1 - rate))


def _sigmoid(value):
    return 1 / (1 + math.exp(-value))


@dataclass(frozen=True)
class FitEstimate:
    """A member's (or the team's: ``user_id`` None) estimated win rate on a
    lead, and the values of the lead that move it most from their overall rate
    (``evidence``: (variable, value) with their own history, strongest
    first)."""

    user_id: int | None
    rate: float
    closed: int
    evidence: tuple = ()

    @property
    def percent(self):
        return round(100 * self.rate)


class FitCounts:
    """Win/loss counts of one or more teams: ``{(team id, user id or None,
    variable, value): (won, lost)}``; the rows of user None are the team's
    (all its members, past ones included)."""

    def __init__(self, rows=()):
        self.counts = {}
        for team_id, user_id, variable, value, won, lost in rows:
            self.counts[(team_id, user_id, variable, value)] = (won, won + lost)
        # a batch scores each member on the same values again and again
        self._bases = {}
        self._terms = {}
        self._estimates = {}

    def get(self, team_id, user_id, item):
        """(won, closed) of ``user_id`` (None: the team) on ``item`` (a
        (variable, value), :data:`TOTAL` for all)."""
        return self.counts.get((team_id, user_id, *item), (0, 0))

    def team_closed(self, team_id):
        return self.get(team_id, None, TOTAL)[1]

    def _base(self, team_id, user_id):
        """(the team's rate, the rate of ``user_id`` (None: the team), their
        closed leads), smoothed."""
        key = (team_id, user_id)
        if key not in self._bases:
            team_won, team_closed = self.get(team_id, None, TOTAL)
            team_rate = (team_won + 1) / (team_closed + 2)
            if user_id is None:
                self._bases[key] = (team_rate, team_rate, team_closed)
            else:
                won, closed = self.get(team_id, user_id, TOTAL)
                self._bases[key] = (team_rate, smoothed(won, closed, team_rate), closed)
        return self._bases[key]

    def _term(self, team_id, user_id, item):
        """What the value ``item`` adds to the log-odds of ``user_id`` (None:
        the team), and whether they closed leads of it."""
        key = (team_id, user_id, item)
        if key not in self._terms:
            team_rate, base, _closed = self._base(team_id, user_id)
            rate = smoothed(*self.get(team_id, None, item), team_rate)
            closed_v = 0
            if user_id is not None:
                # their own rate moved by what the value does to the team's
                prior = _sigmoid(_logit(base) + _logit(rate) - _logit(team_rate))
                won_v, closed_v = self.get(team_id, user_id, item)
                rate = smoothed(won_v, closed_v, prior)
            self._terms[key] = (_logit(rate) - _logit(base), bool(closed_v))
        return self._terms[key]

    def estimate(self, team_id, user_id, items):
        """The :class:`FitEstimate` of ``user_id`` (None: the team) on a lead
        whose values are ``items`` ((variable, value) pairs)."""
        key = (team_id, user_id, tuple(items))
        if key not in self._estimates:
            self._estimates[key] = self._estimate(team_id, user_id, items)
        return self._estimates[key]

    def _estimate(self, team_id, user_id, items):
        _team_rate, base, closed = self._base(team_id, user_id)
        score = _logit(base)
        lifts = []
        for item in items:
            term, own = self._term(team_id, user_id, item)
            score += term
            if own:
                lifts.append((abs(term), item))
        evidence = tuple(item for _lift, item in sorted(lifts, reverse=True))
        return FitEstimate(user_id, _sigmoid(score), closed, evidence)
