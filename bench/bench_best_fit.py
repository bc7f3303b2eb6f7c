"""Best-fit benchmark: the won deals best fit routing earns over round robin.

Run by ``make bench`` (``tools/bench-fit.sh``, after the routing benchmark, on its
database) or alone. Seeded and reproducible (``--seed``):

1. A truth: M reps, each rep's win probability for a lead is
   ``logistic(BASE + skill[rep] + country[rep][lead's country]
   + source[rep][lead's source])``, the effects drawn once from normal laws
   (``TRUTH``): reps strong in some segments, weak in others.
2. A history of H closed leads in one team: segments drawn from a fixed mix
   (``COUNTRY_MIX``, ``SOURCE_MIX``; priority and expected revenue drawn too, with no
   effect on the truth), each given to a rep at random (as a round robin would),
   won or lost as the truth draws it (won: Odoo's won stage; lost:
   ``action_set_lost()``), spread over the past year (out of today's fairness
   window). Then ``crm.lead.fit.frequency._fit_refresh()``, off the clock.
3. N new leads from the same mix, two copies: one in a team whose round-robin queue
   has the M reps, one in the history's team whose best-fit queue has the same M
   reps; each copy routed as one batch by ``action_route()``, timed to its last
   flush, SQL statements counted.
4. Expected won deals = the sum over the leads of the true win probability of the
   rep who got the lead; drawn won deals = outcomes drawn from those probabilities,
   with the same random number per lead for both copies. The oracle: the true rates
   and the same fairness band (each rep at most the band above their share), leads
   given greedily to the best (lead, rep) pairs: how much a router could earn.

It prints expected and drawn won deals, the gain over round robin (target: at least
+15 %), the largest deviation above a rep's weighted fair share (``n / (N * w / W)
- 1``, target: at most the queue's fairness band), and the routing time and queries
of both (target: best fit at most 2x round robin).

Not a test: the timings depend on the machine (the won deals do not). Usage::

    python bench/bench_best_fit.py -c odoo.conf -d sales_team_queue_bench \
        [--reps 15] [--history 4000] [--leads 2000] [--seed 23] [--band 20] \
        [--spread 1.0] [--strategy best_fit]
"""

import math
import random
import time
import uuid
from collections import Counter
from datetime import timedelta

import bench_common as common

import odoo
from odoo.tools import SQL

# The truth, in log-odds: a lead's base win rate about 25 %, and the spread of the
# reps' overall skill and of their strength by country and by source.
TRUTH = {"base": -1.1, "skill_sd": 0.25, "country_sd": 0.6, "source_sd": 0.5}
# Where the leads come from (history and new leads alike), in percent.
COUNTRY_MIX = {"TH": 30, "VN": 20, "SG": 15, "MY": 15, "ID": 10, "PH": 10}
SOURCE_MIX = {
    "Website": 35,
    "Referral": 25,
    "Trade Show": 20,
    "Cold Call": 10,
    "Partner": 10,
}
# Noise: drawn for every lead, no effect on the truth.
PRIORITIES = ["0", "1", "2", "3"]
REVENUES = [500, 2000, 8000, 25000, 80000]
# Targets of issue 23 item 5.
GAIN_TARGET = 0.15
COST_TARGET = 2.0
DEFAULT_BAND = 20


def logistic(x):
    return 1 / (1 + math.exp(-x))


class Truth:
    """The reps' true win probabilities, drawn from ``rng``; ``spread``
    multiplies the standard deviations of ``TRUTH``."""

    def __init__(self, rng, reps, spread=1.0):
        def draw(sd, count):
            return [rng.gauss(0, sd * spread) for _ in range(count)]

        self.skill = draw(TRUTH["skill_sd"], reps)
        self.country = [
            draw(TRUTH["country_sd"], len(COUNTRY_MIX)) for _ in range(reps)
        ]
        self.source = [draw(TRUTH["source_sd"], len(SOURCE_MIX)) for _ in range(reps)]

    def probability(self, rep, segment):
        """Rep number ``rep``'s chance to win a lead of ``segment``
        ((country, source, priority, revenue), indexes and values)."""
        country, source = segment[0], segment[1]
        return logistic(
            TRUTH["base"]
            + self.skill[rep]
            + self.country[rep][country]
            + self.source[rep][source]
        )


def draw_segment(rng):
    """A lead's (country index, source index, priority, expected revenue)."""
    return (
        rng.choices(range(len(COUNTRY_MIX)), weights=list(COUNTRY_MIX.values()))[0],
        rng.choices(range(len(SOURCE_MIX)), weights=list(SOURCE_MIX.values()))[0],
        rng.choice(PRIORITIES),
        rng.choice(REVENUES),
    )


def percent(ratio, digits=1):
    """``ratio`` as a signed percentage: 0.15 as "+15.0 %"."""
    return f"{ratio * 100:+.{digits}f} %"


def oracle(truth, segments, caps):
    """Expected won deals of a router knowing the truth, each rep taking at
    most ``caps[rep]`` leads: the best (lead, rep) pairs first (greedy)."""
    pairs = sorted(
        (
            (truth.probability(rep, segment), index, rep)
            for index, segment in enumerate(segments)
            for rep in range(len(caps))
        ),
        reverse=True,
    )
    taken, given, total = set(), Counter(), 0.0
    for probability, index, rep in pairs:
        if index not in taken and given[rep] < caps[rep]:
            taken.add(index)
            given[rep] += 1
            total += probability
    return total


class Bench:
    def __init__(self, env, args):
        self.env = env
        self.args = args
        self.tag = uuid.uuid4().hex[:6]
        # One stream each: changing the history's size keeps the truth and the
        # new leads.
        self.truth = Truth(random.Random(f"{args.seed}-truth"), args.reps, args.spread)
        self.countries = [env.ref(f"base.{code.lower()}").id for code in COUNTRY_MIX]
        self.sources = (
            env["utm.source"]
            .create([{"name": f"Fit {name} {self.tag}"} for name in SOURCE_MIX])
            .ids
        )
        self.users = common.create_reps(
            env, args.reps, "Fit Rep", "fit_rep", self.tag, tz="UTC"
        )
        self.rep_of = {user.id: index for index, user in enumerate(self.users)}
        self.weights = [1] * args.reps

    # ------------------------------------------------------------------ data

    def make_team(self, name, strategy, **values):
        team = self.env["crm.team"].create(
            {
                "name": f"{name} {self.tag}",
                "sequence": 1,
                "use_leads": True,
                "member_ids": [odoo.Command.set(self.users.ids)],
            }
        )
        queue = common.create_queue(
            self.env, name, team, self.users, self.weights, strategy=strategy, **values
        )
        return team, queue

    def lead_values(self, segment, prefix, index, team, **values):
        country, source, priority, revenue = segment
        return {
            "name": f"{prefix} {index:05d}",
            "email_from": f"{prefix.lower()}.{self.tag}.{index:05d}@example.com",
            "country_id": self.countries[country],
            "source_id": self.sources[source],
            "priority": priority,
            "expected_revenue": revenue,
            "team_id": team.id,
            "user_id": False,
            "type": "lead",
            **values,
        }

    def create_leads(self, vals_list):
        Lead = self.env["crm.lead"].with_context(
            **common.QUIET_CREATE, **common.routing_off()
        )
        ids = []
        for start in range(0, len(vals_list), 1000):
            ids += Lead.create(vals_list[start : start + 1000]).ids
        return self.env["crm.lead"].browse(ids)

    def make_history(self, team):
        """H closed leads of ``team``: each given to a rep at random, won or
        lost as the truth draws it. :return: (won, lost) counts."""
        rng = random.Random(f"{self.args.seed}-history")
        vals_list, won = [], []
        for index in range(self.args.history):
            segment = draw_segment(rng)
            rep = rng.randrange(self.args.reps)
            won.append(rng.random() < self.truth.probability(rep, segment))
            vals_list.append(
                self.lead_values(
                    segment,
                    "FITH",
                    index,
                    team,
                    user_id=self.users[rep].id,
                    type="opportunity",
                )
            )
        leads = self.create_leads(vals_list)
        won_leads = leads.browse(
            [lead_id for lead_id, is_won in zip(leads.ids, won, strict=True) if is_won]
        )
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        won_leads.write({"stage_id": won_stage.id})
        (leads - won_leads).action_set_lost()
        self.backdate(leads, rng)
        self.env.cr.commit()
        return len(won_leads), len(leads) - len(won_leads)

    def backdate(self, leads, rng):
        """Spread the history over the past year (opened 30 to 365 days ago,
        closed 1 to 29 days later), its ledger and stage history lines with
        it: none of it falls in today's fairness window."""
        self.env.flush_all()
        now = odoo.fields.Datetime.now()
        opened, closed = [], []
        for _lead in leads:
            start = now - timedelta(days=rng.randint(30, 365), hours=rng.random() * 24)
            opened.append(start)
            closed.append(start + timedelta(days=rng.randint(1, 29)))
        dates = SQL(
            "SELECT * FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[]) "
            "AS v(id, opened, closed)",
            leads.ids,
            opened,
            closed,
        )
        for query in (
            """UPDATE crm_lead l SET create_date = v.opened, date_open = v.opened,
                      date_closed = v.closed, date_last_stage_update = v.closed,
                      write_date = v.closed
                 FROM (%s) v WHERE l.id = v.id""",
            """UPDATE crm_lead_assignment a SET create_date = v.opened,
                      write_date = v.opened
                 FROM (%s) v WHERE a.lead_id = v.id""",
            """UPDATE crm_lead_stage_history h
                  SET date = CASE h.event WHEN 'create' THEN v.opened ELSE v.closed END,
                      create_date = CASE h.event WHEN 'create' THEN v.opened
                                    ELSE v.closed END
                 FROM (%s) v WHERE h.lead_id = v.id""",
        ):
            self.env.cr.execute(SQL(query, dates))
        self.env.invalidate_all()

    # --------------------------------------------------------------- routing

    def route(self, prefix, team, segments):
        """The new leads (``segments``) created in ``team`` and routed as one
        batch by ``action_route()``: {rep of each lead (None: not assigned),
        seconds, queries}."""
        leads = self.create_leads(
            [
                self.lead_values(segment, prefix, index, team)
                for index, segment in enumerate(segments)
            ]
        )
        self.env.flush_all()
        self.env.cr.commit()
        _result, elapsed, count = common.measure(self.env, leads.action_route)
        self.env.cr.commit()
        leads.invalidate_recordset(["user_id"])
        reps = [self.rep_of.get(lead.user_id.id) for lead in leads]
        return {"reps": reps, "seconds": elapsed, "queries": count}

    def score(self, run, segments, outcomes):
        """Add to ``run`` its expected and drawn won deals, its leads per rep
        and its largest deviation above a rep's weighted share."""
        expected, drawn = 0.0, 0
        for rep, segment, draw in zip(run["reps"], segments, outcomes, strict=True):
            if rep is not None:
                probability = self.truth.probability(rep, segment)
                expected += probability
                drawn += draw < probability
        counts = Counter(rep for rep in run["reps"] if rep is not None)
        placed = sum(counts.values())
        total_weight = sum(self.weights)
        run.update(
            expected=expected,
            drawn=drawn,
            counts=counts,
            placed=placed,
            deviation=max(
                counts[rep] / (placed * weight / total_weight) - 1
                for rep, weight in enumerate(self.weights)
            ),
        )
        return run

    def refresh(self):
        """Rebuild the win/loss frequencies (off the routing clock)."""
        if "crm.lead.fit.frequency" not in self.env:
            print("  (no crm.lead.fit.frequency on this branch: nothing to refresh)")
            return
        Frequency = self.env["crm.lead.fit.frequency"]
        _result, elapsed, count = common.measure(self.env, Frequency._fit_refresh)
        self.env.cr.commit()
        print(
            f"  frequencies rebuilt in {elapsed:.2f} s, {count} queries, "
            f"{Frequency.search_count([])} rows",
            flush=True,
        )

    def run(self):
        args = self.args
        _rr_team, rr_queue = self.make_team("Fit Bench Round Robin", "round_robin")
        values = {} if args.band is None else {"fairness_band": args.band}
        fit_team, fit_queue = self.make_team(
            "Fit Bench Best Fit", args.strategy, **values
        )
        band = fit_queue["fairness_band"] if "fairness_band" in fit_queue else None
        started = time.perf_counter()
        won, lost = self.make_history(fit_team)
        print(
            f"  history: {won + lost} closed leads ({won} won, {lost} lost) in "
            f"{time.perf_counter() - started:.1f} s (not measured)",
            flush=True,
        )
        self.refresh()
        rng = random.Random(f"{args.seed}-leads")
        segments = [draw_segment(rng) for _ in range(args.leads)]
        outcomes = [rng.random() for _ in range(args.leads)]
        runs = {}
        for label, prefix, team in (
            (rr_queue.strategy, "FITRR", rr_queue.team_id),
            (fit_queue.strategy, "FITBF", fit_team),
        ):
            run = self.score(self.route(prefix, team, segments), segments, outcomes)
            runs[label] = run
            print(
                f"  {label:<12} {run['seconds']:6.2f} s, {run['queries']} queries, "
                f"{run['placed']}/{args.leads} assigned, expected won "
                f"{run['expected']:.1f}, drawn {run['drawn']}",
                flush=True,
            )
        caps = [
            math.floor(
                (1 + (band or DEFAULT_BAND) / 100) * args.leads * w / sum(self.weights)
            )
            for w in self.weights
        ]
        best = oracle(self.truth, segments, caps)
        self.print_reps(runs, segments)
        self.print_table(*runs.values(), best, band)

    # ----------------------------------------------------------------- print

    def print_reps(self, runs, segments):
        """Per rep: the true overall skill, the rep's mean true win rate over
        the new leads, and what each strategy gave them (leads, mean rate)."""
        print("\n## Leads per rep (true win rate: mean over the leads given)\n")
        head = " | ".join(f"{label} leads | {label} rate" for label in runs)
        print(f"| rep | skill (log-odds) | rate over all leads | {head} |")
        print("| --- | ---: | ---: |" + " ---: | ---: |" * len(runs))
        for rep in range(self.args.reps):
            overall = sum(self.truth.probability(rep, s) for s in segments)
            cells = []
            for run in runs.values():
                given = [
                    s for r, s in zip(run["reps"], segments, strict=True) if r == rep
                ]
                rate = sum(self.truth.probability(rep, s) for s in given)
                cells.append(
                    f"{len(given)} | {rate / len(given):.1%}" if given else "0 | -"
                )
            print(
                f"| {rep + 1} | {self.truth.skill[rep]:+.2f} "
                f"| {overall / len(segments):.1%} | {' | '.join(cells)} |"
            )

    def print_table(self, rr, fit, best, band):
        """The figures of issue 23 item 5 next to their targets."""
        args = self.args

        def mark(ok):
            return "PASS" if ok else "**FAIL**"

        gain = fit["expected"] / rr["expected"] - 1
        drawn_gain = fit["drawn"] / rr["drawn"] - 1
        time_ratio = fit["seconds"] / rr["seconds"]
        query_ratio = fit["queries"] / rr["queries"]
        band_text = f"<= +{band} % (band)" if band is not None else "(no band)"
        fair_ok = band is not None and fit["deviation"] * 100 <= band + 1e-9
        rows = [
            (
                "expected won deals",
                f"{rr['expected']:.1f}",
                f"{fit['expected']:.1f}",
                "",
                "",
            ),
            (
                "gain over round robin (expected)",
                "",
                percent(gain),
                f">= {percent(GAIN_TARGET, 0)}",
                mark(gain >= GAIN_TARGET),
            ),
            ("drawn won deals", str(rr["drawn"]), str(fit["drawn"]), "", ""),
            ("gain over round robin (drawn)", "", percent(drawn_gain), "", ""),
            (
                "oracle: true rates, same band (expected)",
                "",
                f"{best:.1f} ({percent(best / rr['expected'] - 1)})",
                "",
                "",
            ),
            (
                "leads assigned",
                str(rr["placed"]),
                str(fit["placed"]),
                str(args.leads),
                mark(fit["placed"] == args.leads),
            ),
            (
                "largest deviation above fair share",
                percent(rr["deviation"]),
                percent(fit["deviation"]),
                band_text,
                mark(fair_ok),
            ),
            (
                "routing time (s)",
                f"{rr['seconds']:.2f}",
                f"{fit['seconds']:.2f}",
                "",
                "",
            ),
            (
                "time vs round robin",
                "",
                f"{time_ratio:.2f}x",
                f"<= {COST_TARGET:.0f}x",
                mark(time_ratio <= COST_TARGET),
            ),
            ("SQL queries", str(rr["queries"]), str(fit["queries"]), "", ""),
            (
                "queries vs round robin",
                "",
                f"{query_ratio:.2f}x",
                f"<= {COST_TARGET:.0f}x",
                mark(query_ratio <= COST_TARGET),
            ),
        ]
        print(
            f"\n## {fit_label(args)} against round robin: {args.leads} leads, "
            f"{args.reps} reps, {args.history} closed leads, seed {args.seed}, "
            f"spread {args.spread}\n"
        )
        print(f"| figure | round robin | {fit_label(args)} | target | |")
        print("| --- | ---: | ---: | ---: | --- |")
        for row in rows:
            print("| " + " | ".join(row) + " |")


def fit_label(args):
    return args.strategy.replace("_", " ")


def main():
    parser = common.arg_parser(__doc__, reps=15)
    parser.add_argument("--history", type=int, default=4000, help="closed leads")
    parser.add_argument("--leads", type=int, default=2000, help="new leads")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument(
        "--band", type=int, help="the best-fit queue's fairness band (%%)"
    )
    parser.add_argument(
        "--spread",
        type=float,
        default=1.0,
        help="multiplies the spread of the reps' true effects (default 1)",
    )
    parser.add_argument(
        "--strategy",
        default="best_fit",
        help="the strategy measured against round robin (default best_fit)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with common.bench_env(args) as env:
        strategies = env["crm.team.queue"]._fields["strategy"].get_values(env)
        if args.strategy not in strategies:
            raise SystemExit(
                f"No strategy {args.strategy!r} in this database's module "
                f"(it has {', '.join(strategies)}): update the module."
            )
        print(
            f"Best fit: {args.reps} reps, {args.history} closed leads, "
            f"{args.leads} new leads, seed {args.seed}, spread {args.spread}",
            flush=True,
        )
        Bench(env, args).run()
    print(f"\nBest-fit benchmark done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
