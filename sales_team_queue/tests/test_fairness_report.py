"""Queue Fairness, a report (list, pivot, graph): each member's share of the
leads their queue gave, against their share of the weights, for any period and
grouping; a row opens the ledger behind it; leaders see their teams' queues."""

from odoo.tests import new_test_user, tagged

from odoo.addons.sales_team_queue.models.values import Decision

from .common import QueueCase

REPORT = "crm.team.queue.fairness.report"


@tagged("post_install", "-at_install")
class TestQueueFairnessReport(QueueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.queue = cls._create_queue(
            strategy="weighted",
            members=[
                {"user_id": cls.somchai.id, "weight": 2},
                {"user_id": cls.wei.id, "weight": 1},
                {"user_id": cls.linh.id, "weight": 1},
            ],
        )

    def _give(self, owners, methods=None, queue=None):
        leads = self._new_leads(len(owners), user_id=False)
        methods = methods or ["dispatch"] * len(owners)
        self.env["crm.lead"]._queue_assign_batch(
            [
                Decision(lead, user, queue or self.queue, method)
                for lead, user, method in zip(leads, owners, methods, strict=True)
            ],
            notify=False,
            activity=False,
        )
        return leads

    def _by_user(self, model, domain=None):
        groups = model._read_group(
            [("queue_id", "=", self.queue.id)] + (domain or []),
            ["user_id"],
            ["assigned_count:sum", "share:avg", "weight_share:avg", "gap:avg"],
        )
        return {user.name: values for user, *values in groups}

    def _given(self, leads):
        """The lines of the queue's own distribution that gave ``leads``."""
        return leads.assignment_ids.filtered(
            lambda line: line.user_id and line.method in ("auto", "dispatch")
        )

    def test_shares_are_against_all_the_leads_the_queue_gave(self):
        leads = self._give([self.somchai] * 4 + [self.wei] * 3 + [self.linh])
        # Not the queue's own distribution: a claim, a handover and the wizard.
        others = self._give([self.linh] * 3, ["claim", "handover", "wizard"])
        given = self._given(leads | others)
        total = len(given)
        figures = self._by_user(self.env[REPORT])
        counted = {name: values[0] for name, values in figures.items()}
        self.assertEqual(sum(counted.values()), total)
        for user in self.reps:
            mine = len(given.filtered(lambda line, user=user: line.user_id == user))
            count, share, weight_share, gap = figures[user.name]
            self.assertEqual(count, mine)
            self.assertAlmostEqual(share, 100.0 * mine / total, places=2)
            self.assertAlmostEqual(gap, share - weight_share, places=2)
        self.assertAlmostEqual(figures["Somchai"][2], 50.0, places=2)
        self.assertAlmostEqual(figures["Wei"][2], 25.0, places=2)

    def test_queue_total_is_the_whole(self):
        leads = self._give([self.somchai] * 3 + [self.wei])
        [(count, share, weight_share)] = self.env[REPORT]._read_group(
            [("queue_id", "=", self.queue.id)],
            [],
            ["assigned_count:sum", "share:avg", "weight_share:avg"],
        )
        self.assertEqual(count, len(self._given(leads)))
        self.assertAlmostEqual(share, 100.0, places=2)
        self.assertAlmostEqual(weight_share, 100.0, places=2)

    def test_no_share_for_a_group_of_several_queues(self):
        """A share is of one queue's leads: a total over queues (the pivot's
        total row) or a member of several queues has none, not a sum of
        shares (300 %)."""
        other = self._create_queue(name="Other", users=self.somchai | self.wei)
        leads = self._give([self.somchai, self.wei])
        leads |= self._give([self.somchai, self.wei], queue=other)
        queues = [("queue_id", "in", (self.queue | other).ids)]
        [(count, share, gap)] = self.env[REPORT]._read_group(
            queues, [], ["assigned_count:sum", "share:avg", "gap:avg"]
        )
        self.assertEqual(count, len(self._given(leads)))
        # (empty, not 0 %: the ORM reads a NULL aggregate as False)
        self.assertIs(share, False)
        self.assertIs(gap, False)
        by_queue = self.env[REPORT]._read_group(queues, ["queue_id"], ["share:avg"])
        self.assertEqual([share for _queue, share in by_queue], [100.0, 100.0])

    def test_member_who_got_nothing_shows_with_zero(self):
        queue = self._create_queue(
            strategy="weighted",
            members=[
                {"user_id": self.somchai.id, "weight": 1},
                {"user_id": self.wei.id, "weight": 1},
            ],
        )
        self._give([self.somchai] * 2, queue=queue)
        groups = self.env[REPORT]._read_group(
            [("queue_id", "=", queue.id)],
            ["user_id"],
            ["assigned_count:sum", "share:avg", "gap:avg"],
        )
        figures = {user: values for user, *values in groups}
        self.assertEqual(figures[self.wei], [0, 0.0, -50.0])
        self.assertEqual(figures[self.somchai], [2, 100.0, 50.0])

    def test_period_filter_keeps_shares_exact(self):
        self._give([self.somchai, self.wei])
        rows = self.env[REPORT].search([("queue_id", "=", self.queue.id)])
        day = rows[0].date
        figures = self._by_user(
            self.env[REPORT], [("date", ">=", day), ("date", "<=", day)]
        )
        self.assertAlmostEqual(figures["Somchai"][1], 50.0, places=2)
        self.assertFalse(
            self.env[REPORT].search(
                [("queue_id", "=", self.queue.id), ("date", ">", day)]
            )
        )

    def test_row_opens_the_ledger_behind_it(self):
        leads = self._give([self.somchai] * 2 + [self.wei])
        row = self.env[REPORT].search(
            [("queue_id", "=", self.queue.id), ("user_id", "=", self.somchai.id)],
            limit=1,
        )
        action = row.action_open_ledger()
        self.assertEqual(action["res_model"], "crm.lead.assignment")
        ledger = self.env["crm.lead.assignment"].search(action["domain"])
        self.assertEqual(
            ledger,
            self._given(leads).filtered(lambda line: line.user_id == self.somchai),
        )
        self.assertEqual(len(ledger), row.assigned_count)

    def test_list_rows_open_the_ledger_not_a_form(self):
        action = self.env.ref("sales_team_queue.crm_team_queue_fairness_action")
        self.assertEqual(action.res_model, REPORT)
        self.assertNotIn("form", action.view_mode)
        arch = self.env[REPORT].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('action="action_open_ledger"', arch)

    def test_leader_sees_their_teams_queues_and_reps_nothing(self):
        self._give([self.somchai, self.wei])
        leader = new_test_user(
            self.env, login="fair_leader", groups="sales_team.group_sale_salesman"
        )
        other_leader = new_test_user(
            self.env, login="fair_other", groups="sales_team.group_sale_salesman"
        )
        self.team.user_id = leader
        self.env["crm.team"].create(
            {"name": "Fairness Other", "user_id": other_leader.id}
        )
        Report = self.env[REPORT]
        domain = [("queue_id", "=", self.queue.id)]
        self.assertTrue(Report.with_user(leader).search(domain))
        self.assertEqual(self._by_user(Report.with_user(leader))["Wei"][0], 1)
        self.assertFalse(Report.with_user(other_leader).search(domain))
        self.assertFalse(Report.with_user(self.somchai).search(domain))
        self.assertFalse(self._by_user(Report.with_user(self.somchai)))
        self.assertTrue(Report.with_user(self.niran).search(domain), "manager")

    def test_other_company_queue_is_not_visible(self):
        manager = self._other_company_manager("fair_mgr_2", "Fairness Co")
        self.team.company_id = self.env.company
        self._give([self.somchai])
        self.assertFalse(
            self.env[REPORT]
            .with_user(manager)
            .search([("queue_id", "=", self.queue.id)])
        )
