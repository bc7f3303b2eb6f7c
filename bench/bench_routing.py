"""Routing benchmark: sales_team_queue's engine against Odoo's own lead assignment.

Run by ``make bench`` (``tools/bench.sh``) in a throw-away database where the module
is installed without demo data. For each size N it builds the same N leads twice
(same names, e-mails, countries) for M reps and routes them:

- once with the queue engine (``crm.lead.action_route()`` on the batch: a round-robin
  queue, then a weighted queue with weights 1, 2, 3, ...);
- once with Odoo's ``crm.team._action_assign_leads()`` on a team without queue, whose
  members' capacity gives each of them the same share (Odoo's own round robin).

It prints wall time, SQL queries per lead and fairness (max - min leads per rep, and
the largest deviation from the rep's weighted share), then the cost of creating 1 000
leads one by one (one ``create`` each, flushed as the end of its request does, like
a web form or an RPC client) with and without a matching queue, alerts off and on,
and with a rep given in the queue's team (the floor of routing that decided the owner
before the insert).

Not a test: numbers depend on the machine. Usage::

    python bench/bench_routing.py -c odoo.conf -d sales_team_queue_bench \
        [--sizes 1000,10000] [--reps 50] [--create 1000]
"""

import math
import time
import uuid
from collections import Counter

import bench_common as common

COUNTRIES = ["TH", "VN", "CN", "SG", "MY", "ID", "PH", "JP"]


# Routing a lead as it is created: at most this times Odoo's own create.
CREATE_TARGET = 1.3


class Bench:
    def __init__(self, env, reps):
        self.env = env
        self.nb_reps = reps
        self.countries = [env.ref(f"base.{code.lower()}").id for code in COUNTRIES]
        self.run_tag = uuid.uuid4().hex[:6]
        self.users = common.create_reps(
            env, reps, "Bench Rep", "bench_rep", self.run_tag
        )
        self.rows = []

    # ------------------------------------------------------------------ data

    def make_team(self, name, sequence, capacity=30):
        team = self.env["crm.team"].create(
            {"name": name, "sequence": sequence, "use_leads": True}
        )
        self.env["crm.team.member"].create(
            [
                {"crm_team_id": team.id, "user_id": user.id, "assignment_max": capacity}
                for user in self.users
            ]
        )
        return team

    def make_queue(self, team, strategy, weights=None, **extra):
        return common.create_queue(
            self.env,
            f"{team.name} {strategy}",
            team,
            self.users,
            weights,
            strategy=strategy,
            **extra,
        )

    def lead_values(self, n, tag, team=False):
        """The same N leads for every run (only the name prefix differs)."""
        return [
            {
                "name": f"{tag} lead {i:05d}",
                "contact_name": f"Contact {i:05d}",
                "email_from": f"{tag.lower()}.{self.run_tag}.{i:05d}@example.com",
                "country_id": self.countries[i % len(self.countries)],
                "expected_revenue": (i * 37) % 10000,
                "type": "lead",
                "user_id": False,
                "team_id": team and team.id,
            }
            for i in range(n)
        ]

    def create_leads(self, vals_list):
        """Create the leads of a run, unrouted; return them in a plain env."""
        Lead = self.env["crm.lead"].with_context(
            **common.QUIET_CREATE, **common.routing_off()
        )
        start_time = time.perf_counter()
        ids = []
        for start in range(0, len(vals_list), 1000):
            ids += Lead.create(vals_list[start : start + 1000]).ids
        self.env.flush_all()
        self.env.cr.commit()
        self.env.invalidate_all()
        print(
            f"  (data: {len(ids)} leads created in "
            f"{time.perf_counter() - start_time:.1f} s, not measured)",
            flush=True,
        )
        return self.env["crm.lead"].browse(ids)

    # --------------------------------------------------------------- measure

    def timed(self, func):
        _result, elapsed, count = common.measure(self.env, func)
        self.env.cr.commit()
        return elapsed, count

    def fairness(self, leads, weights=None):
        """(max - min leads per rep, largest |received - weighted share|)."""
        # Odoo's assignment merges duplicates (none here: every e-mail differs).
        leads = leads.exists()
        leads.invalidate_recordset(["user_id"])
        received = Counter(lead.user_id.id for lead in leads if lead.user_id)
        counts = [received.get(user.id, 0) for user in self.users]
        weights = weights or [1] * len(self.users)
        placed = sum(counts)
        shares = [placed * w / sum(weights) for w in weights]
        deviation = max(abs(c - s) for c, s in zip(counts, shares, strict=True))
        return max(counts) - min(counts), deviation, placed

    def record(self, n, engine, strategy, elapsed, count, fair):
        spread, deviation, placed = fair
        row = {
            "n": n,
            "engine": engine,
            "strategy": strategy,
            "seconds": elapsed,
            "q_per_lead": count / n,
            "spread": spread,
            "deviation": deviation,
            "placed": placed,
        }
        self.rows.append(row)
        print(
            f"  {engine:<8} {strategy:<12} N={n:>6}: {elapsed:8.2f} s, "
            f"{row['q_per_lead']:7.2f} queries/lead, max-min {spread}, "
            f"deviation {deviation:.2f}, placed {placed}/{n}",
            flush=True,
        )
        return row

    # ------------------------------------------------------------------ runs

    def make_accounts(self, n):
        """``n`` customers (companies), each the account of a rep, with an
        e-mail domain of their own."""
        return self.env["res.partner"].create(
            [
                {
                    "name": f"Account {self.run_tag} {i}",
                    "is_company": True,
                    "user_id": self.users[i % len(self.users)].id,
                    "email": f"info@acct{i}.{self.run_tag}.example",
                }
                for i in range(n)
            ]
        )

    def run_accounts(self, n, team):
        """Round robin with returning customers: of the N leads, a third come
        from a known customer's contact, a third from an e-mail at a known
        customer's domain, a third from nobody known."""
        accounts = self.make_accounts(max(n // 10, 1))
        vals_list = self.lead_values(n, f"ACC{n}", team)
        for i, vals in enumerate(vals_list):
            account = accounts[i % len(accounts)]
            if i % 3 == 0:
                vals["partner_id"] = account.id
            elif i % 3 == 1:
                vals["email_from"] = f"buyer{i}@{account.email.split('@')[1]}"
            else:  # a public mail domain: nobody's account
                vals["email_from"] = f"buyer{i}.{self.run_tag}@gmail.com"
        leads = self.create_leads(vals_list)
        elapsed, count = self.timed(leads.action_route)
        row = self.record(
            n, "queues", "rr_accounts", elapsed, count, self.fairness(leads)
        )
        lines = self.env["crm.lead.assignment"].search(
            [("lead_id", "in", leads.ids), ("reason_code", "like", "account_owner")]
        )
        print(f"  {len(lines)}/{n} leads given to their account's salesperson")
        row["matched"] = len(lines)
        return row

    def run_size(self, n, rr_team, weighted_team, weights, odoo_team, accounts_team):
        print(f"\nN = {n} leads, M = {self.nb_reps} reps", flush=True)
        # The engine, round robin: leads without team, matched across teams.
        leads = self.create_leads(self.lead_values(n, f"RR{n}"))
        elapsed, count = self.timed(leads.action_route)
        ours = self.record(
            n, "queues", "round_robin", elapsed, count, self.fairness(leads)
        )
        accounts = self.run_accounts(n, accounts_team)

        # The engine, weighted (1, 2, 3, ...).
        leads = self.create_leads(self.lead_values(n, f"WRR{n}", weighted_team))
        elapsed, count = self.timed(leads.action_route)
        self.record(
            n, "queues", "weighted", elapsed, count, self.fairness(leads, weights)
        )

        # Odoo: every member may take N / M leads in this run.
        odoo_team.crm_team_member_ids.write(
            {"assignment_max": math.ceil(n / self.nb_reps) * 30}
        )
        leads = self.create_leads(self.lead_values(n, f"ODOO{n}"))
        elapsed, count = self.timed(
            lambda: odoo_team._action_assign_leads(
                force_quota=True, creation_delta_days=0
            )
        )
        theirs = self.record(
            n, "odoo", "assignment", elapsed, count, self.fairness(leads)
        )
        for row in (ours, accounts):
            row["vs_odoo"] = (
                theirs["q_per_lead"] / row["q_per_lead"],
                theirs["seconds"] / row["seconds"],
            )

    def run_create(self, nb, plain_team, queue, alert_queue, rounds=5, warm=10):
        """Creating leads one by one: one create per lead, like a web form.

        The cases are interleaved in ``rounds`` after ``warm`` untimed creates
        each, so that the warm-up of the caches and the drift of a shared
        machine fall on every case alike (measured one case after the other,
        the first one paid for the warm-up: its ratio moved by 0.3 between
        two runs). Alerts on and off are two queues, of two teams: toggling
        one queue between rounds would empty the routing cache."""
        print(f"\nCreating {nb} leads one by one", flush=True)
        todo = self.env.ref("mail.mail_activity_data_todo")
        queue.write({"notify_assignee": False, "activity_type_id": False})
        alert_queue.write(
            {
                "notify_assignee": True,
                "activity_type_id": todo.id,
                "activity_deadline_days": 2,
            }
        )
        Lead = self.env["crm.lead"].with_context(mail_notify_force_send=False)
        # (label, team, a rep given, creator)
        cases = [
            ("no queue (team without queues)", plain_team, False, Lead),
            ("no queue, a rep given as salesperson", plain_team, True, Lead),
            ("matching queue, alerts off", queue.team_id, False, Lead),
            ("matching queue, alerts on", alert_queue.team_id, False, Lead),
            # what routing would cost with the owner decided before the
            # insert: the rep in the create, the ledger line, no alert
            # (Odoo's assignment e-mail off too)
            (
                "queue team, a rep given, alerts off",
                queue.team_id,
                True,
                Lead.with_context(mail_auto_subscribe_no_notify=True),
            ),
        ]
        vals_lists = [
            self.create_values(nb + warm, f"C{index}", team, given)
            for index, (_label, team, given, _creator) in enumerate(cases)
        ]
        for (_label, _team, _given, creator), vals_list in zip(
            cases, vals_lists, strict=True
        ):
            self.timed(lambda c=creator, v=vals_list[:warm]: self.create_each(c, v))
        totals = [[0.0, 0] for _case in cases]
        chunk = -(-nb // rounds)
        for start in range(warm, warm + nb, chunk):
            for index, (_label, _team, _given, creator) in enumerate(cases):
                part = vals_lists[index][start : min(start + chunk, warm + nb)]
                elapsed, count = self.timed(
                    lambda c=creator, v=part: self.create_each(c, v)
                )
                totals[index][0] += elapsed
                totals[index][1] += count
        results = []
        for index, (label, *_rest) in enumerate(cases):
            elapsed, count = totals[index]
            # This run's leads only (their e-mails carry the run's tag): a
            # reused database holds the leads of earlier runs under the same
            # names.
            leads = self.env["crm.lead"].search(
                [("email_from", "=like", f"c{index}.{self.run_tag}.%")]
            )
            assigned = len(leads.filtered("user_id"))
            results.append((label, elapsed, count, assigned))
            print(
                f"  {label:<36} {elapsed / nb * 1000:7.2f} ms/lead, "
                f"{count / nb:7.2f} queries/lead, {assigned}/{nb + warm} with "
                "an owner",
                flush=True,
            )
        return results

    def create_values(self, n, tag, team, given):
        """N leads of ``team``: with a rep as salesperson (``given``: what Odoo
        does for a lead created with an owner), else without one (the module
        decides, like a web form)."""
        vals_list = self.lead_values(n, tag, team)
        for number, vals in enumerate(vals_list):
            if given:
                vals["user_id"] = self.users[number % len(self.users)].id
            else:
                del vals["user_id"]
        return vals_list

    def create_each(self, creator, vals_list):
        for vals in vals_list:
            creator.create(vals)
            # A web form's or an API client's create is a request of its own,
            # whose end writes what the create left pending (computed
            # fields): without this, Odoo's own create would batch that work
            # over all the leads of the loop.
            self.env.flush_all()

    # ----------------------------------------------------------------- table

    def print_table(self, creates, nb_create):
        print("\n## Routing a batch (wall time, SQL queries per lead, fairness)\n")
        print(
            "| N | engine | strategy | time (s) | queries/lead | max - min per rep "
            "| max deviation from share | placed |"
        )
        print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for r in self.rows:
            print(
                f"| {r['n']} | {r['engine']} | {r['strategy']} | {r['seconds']:.2f} "
                f"| {r['q_per_lead']:.2f} | {r['spread']} | {r['deviation']:.2f} "
                f"| {r['placed']} |"
            )
        print("\n## Queue engine (round robin) against Odoo's assignment\n")
        print("| N | strategy | fewer queries per lead | less time |")
        print("| ---: | --- | ---: | ---: |")
        for r in self.rows:
            if "vs_odoo" in r:
                q, t = r["vs_odoo"]
                print(f"| {r['n']} | {r['strategy']} | {q:.1f}x | {t:.1f}x |")
        print(
            "\nrr_accounts: round robin with returning customers (a third of the "
            "leads from a customer's contact, a third from their e-mail domain); "
            "target: far ahead of Odoo's assignment, queries per lead flat in N."
        )
        print(f"\n## Creating {nb_create} leads one by one\n")
        print(
            "| case | ms per lead | queries per lead | with an owner "
            "| time vs no queue | target |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        base = creates[0][1] if creates else 0
        for label, elapsed, count, assigned in creates:
            target = (
                f"<= {CREATE_TARGET}x" if label == "matching queue, alerts off" else ""
            )
            print(
                f"| {label} | {elapsed / nb_create * 1000:.2f} "
                f"| {count / nb_create:.2f} | {assigned} | {elapsed / base:.2f}x "
                f"| {target} |"
            )


def main():
    parser = common.arg_parser(__doc__, reps=50)
    parser.add_argument("--sizes", type=common.sizes, default="1000,10000")
    parser.add_argument("--create", type=int, default=1000)
    args = parser.parse_args()

    with common.bench_env(args) as env:
        bench = Bench(env, args.reps)
        weights = [1 + i % 3 for i in range(args.reps)]
        rr_team = bench.make_team("Bench Queues RR", 1)
        weighted_team = bench.make_team("Bench Queues Weighted", 2)
        odoo_team = bench.make_team("Bench Odoo", 3)
        create_team = bench.make_team("Bench Create", 4)
        plain_team = bench.make_team("Bench Plain", 5)
        accounts_team = bench.make_team("Bench Accounts", 6)
        bench.make_queue(rr_team, "round_robin")
        bench.make_queue(weighted_team, "weighted", weights)
        create_queue = bench.make_queue(create_team, "round_robin")
        alert_queue = bench.make_queue(
            bench.make_team("Bench Create Alerts", 7), "round_robin"
        )
        bench.make_queue(accounts_team, "round_robin", route_to_account_owner=True)
        env.cr.commit()
        for n in args.sizes:
            bench.run_size(n, rr_team, weighted_team, weights, odoo_team, accounts_team)
        creates = (
            bench.run_create(args.create, plain_team, create_queue, alert_queue)
            if args.create
            else []
        )
        bench.print_table(creates, args.create)


if __name__ == "__main__":
    main()
