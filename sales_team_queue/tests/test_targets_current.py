"""Figures are current when read: what a target achieved follows every change of
a won deal at once (no screen to open, no cron to wait for), over RPC as in the
ORM, and reading the leaderboard costs the same for N or 3N targets."""

import importlib.util
from datetime import date, datetime, time, timedelta
from pathlib import Path

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common_rpc import RpcLoginMixin
from .test_targets import SALESMAN, TargetCase, TargetWorld

LEADERBOARD_FIELDS = {
    "name": {},
    "user_id": {"fields": {"display_name": {}}},
    "team_id": {"fields": {"display_name": {}}},
    "revenue_achieved": {},
    "revenue_target": {},
    "won_count_achieved": {},
    "won_count_target": {},
    "progress": {},
    "rank": {},
    "is_top": {},
    "currency_id": {"fields": {}},
}


MIGRATION = (
    Path(__file__).parent.parent / "migrations" / "18.0.1.3.0" / "post-migration.py"
)


def month_start():
    return fields.Date.today().replace(day=1)


@tagged("post_install", "-at_install")
class TestTargetTriggers(TargetCase):
    """Each change of a deal moves the figures of the targets it counts for."""

    def setUp(self):
        super().setUp()
        self.this_month = month_start()
        self.anan_target = self._target(
            user_id=self.anan.id, team_id=self.north.id, date_from=self.this_month
        )
        self.bua_target = self._target(
            user_id=self.bua.id, team_id=self.north.id, date_from=self.this_month
        )
        self.team_target = self._target(
            team_id=self.north.id, date_from=self.this_month
        )
        self.deals = self.env["crm.lead"].create(
            [
                {
                    "name": f"Deal {revenue}",
                    "type": "opportunity",
                    "user_id": self.anan.id,
                    "team_id": self.north.id,
                    "expected_revenue": revenue,
                }
                for revenue in (400, 200)
            ]
        )
        self.deals.action_set_won()

    def _figures(self, target):
        return (target.revenue_achieved, target.won_count_achieved, target.progress)

    def test_won_deals_count_at_once(self):
        self.assertEqual(self._figures(self.anan_target), (600, 2, 60))
        self.assertEqual(self._figures(self.team_target), (600, 2, 60))

    def test_lost_deal_no_longer_counts(self):
        self.deals[0].action_set_lost()
        self.assertEqual(self._figures(self.anan_target), (200, 1, 20))

    def test_reopened_deal_no_longer_counts(self):
        open_stage = self.env["crm.stage"].search([("is_won", "=", False)], limit=1)
        self.deals[0].stage_id = open_stage
        self.assertEqual(self._figures(self.anan_target), (200, 1, 20))
        self.deals[0].action_set_won()
        self.assertEqual(self._figures(self.anan_target), (600, 2, 60))

    def test_archived_restored_and_deleted_deals(self):
        self.deals[0].action_archive()
        self.assertEqual(self.anan_target.revenue_achieved, 200)
        self.deals[0].action_unarchive()
        self.assertEqual(self.anan_target.revenue_achieved, 600)
        self.deals[1].unlink()
        self.assertEqual(self._figures(self.anan_target), (400, 1, 40))

    def test_owner_change_moves_the_deal_between_reps(self):
        self.deals[0].user_id = self.bua
        self.assertEqual(self._figures(self.anan_target), (200, 1, 20))
        self.assertEqual(self._figures(self.bua_target), (400, 1, 40))
        self.assertEqual(self.team_target.revenue_achieved, 600)
        self.assertEqual((self.bua_target.rank, self.anan_target.rank), (1, 2))

    def test_team_change_leaves_the_team_target(self):
        self.deals[0].team_id = self.south
        self.assertEqual(self.team_target.revenue_achieved, 200)
        self.assertEqual(self.anan_target.revenue_achieved, 200)

    def test_revenue_and_close_date_changes(self):
        self.deals[0].expected_revenue = 900
        self.assertEqual(self._figures(self.anan_target), (1100, 2, 110))
        self.assertTrue(self.anan_target.is_top)
        # Closed on the last day of the month before: no longer this month's.
        self.deals[0].date_closed = datetime.combine(
            self.this_month - timedelta(days=1), time(12)
        )
        self.assertEqual(self._figures(self.anan_target), (200, 1, 20))

    def test_stage_no_longer_won(self):
        stage = self.env["crm.stage"].create({"name": "Signed", "is_won": True})
        self.deals[0].stage_id = stage
        self.assertEqual(self.anan_target.revenue_achieved, 600)
        stage.is_won = False
        self.assertEqual(self.anan_target.revenue_achieved, 200)
        stage.is_won = True
        self.assertEqual(self.anan_target.revenue_achieved, 600)

    def test_company_change_and_currency_rate(self):
        eur = self.env.ref("base.EUR")
        if self.company.currency_id == eur:
            self.skipTest("the main company's currency is already EUR")
        eur.active = True
        company_2 = self.env["res.company"].create(
            {"name": "Euro Company", "currency_id": eur.id}
        )
        self.anan.company_ids = [Command.link(company_2.id)]
        # The company's target of this month (the demo data may have one).
        company_target = self.Target.search(
            [
                ("user_id", "=", False),
                ("team_id", "=", False),
                ("company_id", "=", self.company.id),
                ("date_from", "=", self.this_month),
            ]
        ) or self._target(date_from=self.this_month)
        company_won = company_target.revenue_achieved
        self.env["res.currency.rate"].search(
            [("currency_id", "in", (eur | self.company.currency_id).ids)]
        ).unlink()
        rate = self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "company_id": self.company.id,
                "name": date(2000, 1, 1),
                "rate": 0.5,  # 1 of the company's currency = 0.5 EUR
            }
        )
        # Moved to the euro company (and out of the team): 400 EUR = 800.
        self.deals[0].write({"company_id": company_2.id, "team_id": False})
        self.assertEqual(company_target.revenue_achieved, company_won - 400)
        self.anan_target.team_id = False
        self.assertEqual(self.anan_target.revenue_achieved, 1000)
        rate.rate = 0.25  # 400 EUR = 1600
        self.assertEqual(self.anan_target.revenue_achieved, 1800)
        rate.unlink()  # no rate: 1 for 1
        self.assertEqual(self.anan_target.revenue_achieved, 600)

    def test_upgrade_computes_every_target_once(self):
        # As the hourly refresh of the previous version may have left it.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_sales_target SET revenue_achieved = 1, "
            "won_count_achieved = 0, progress = 0 WHERE id = %s",
            [self.anan_target.id],
        )
        self.env.invalidate_all()
        spec = importlib.util.spec_from_file_location("stq_post_1_3", MIGRATION)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(self._figures(self.anan_target), (600, 2, 60))


@tagged("post_install", "-at_install")
class TestTargetsCurrentOverRpc(RpcLoginMixin, TargetWorld, HttpCase):
    """A rep wins two deals over RPC; the rep, their leader and a manager read
    the true figures at once, over RPC, with no screen opened."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep, cls.other, cls.leader, cls.manager = (
            cls.anan,
            cls.bua,
            cls.lek,
            cls.mana,
        )
        cls.team = cls.north
        cls.targets = cls.env["crm.sales.target"].create(
            [
                {
                    "user_id": user.id,
                    "team_id": cls.team.id,
                    "date_from": month_start(),
                    "revenue_target": 1000,
                }
                for user in (cls.other, cls.rep)
            ]
        )
        cls.deals = cls.env["crm.lead"].create(
            [
                {
                    "name": f"Current Deal {revenue}",
                    "type": "opportunity",
                    "user_id": cls.rep.id,
                    "team_id": cls.team.id,
                    "expected_revenue": revenue,
                }
                for revenue in (350, 250)
            ]
        )
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)

    def test_rep_wins_two_deals_and_everyone_reads_the_true_figures(self):
        rep_target = self.targets[1]
        fields_read = ["revenue_achieved", "won_count_achieved", "progress", "rank"]
        self.env.flush_all()
        before = self._rpc(
            self.rep, "crm.sales.target", "read", rep_target.ids, fields_read
        )
        self.assertEqual(before[0]["revenue_achieved"], 0)
        self._rpc(
            self.rep,
            "crm.lead",
            "write",
            self.deals.ids,
            {"stage_id": self.won_stage.id},
        )
        for user in (self.rep, self.leader, self.manager):
            with self.subTest(user=user.login):
                [figures] = self._rpc(
                    user, "crm.sales.target", "read", rep_target.ids, fields_read
                )
                self.assertEqual(
                    [figures[name] for name in fields_read], [600, 2, 60, 1]
                )
        board = self._rpc(
            self.leader,
            "crm.sales.target",
            "search_read",
            [("team_id", "=", self.team.id)],
            ["user_id", "progress", "rank"],
            order="progress desc",
        )
        self.assertEqual(
            [(row["user_id"][0], row["progress"], row["rank"]) for row in board],
            [(self.rep.id, 60, 1), (self.other.id, 0, 2)],
        )
        grouped = self._rpc(
            self.leader,
            "crm.sales.target",
            "read_group",
            [("team_id", "=", self.team.id)],
            ["revenue_achieved:sum"],
            ["team_id"],
        )
        self.assertEqual(grouped[0]["revenue_achieved"], 600)

    def test_a_form_preview_counts_nobody_else_s_deals(self):
        """``onchange`` (the form's preview) computes a target that is not
        saved: it never counts the deals of values a client sends."""
        self.deals.stage_id = self.won_stage
        self.env.flush_all()
        spec = {"revenue_achieved": {}, "won_count_achieved": {}, "progress": {}}
        for values in (
            {"user_id": self.rep.id, "team_id": self.team.id},
            {"user_id": False, "team_id": False},
            {"user_id": False, "team_id": self.team.id},
        ):
            with self.subTest(values=values):
                result = self._rpc(
                    self.other,
                    "crm.sales.target",
                    "onchange",
                    [],
                    dict(
                        values,
                        company_id=self.company.id,
                        period="month",
                        date_from=str(month_start()),
                        revenue_target=1,
                    ),
                    [],
                    spec,
                )
                preview = result["value"]
                self.assertFalse(preview.get("revenue_achieved"), preview)
                self.assertFalse(preview.get("won_count_achieved"), preview)
        # the rep's own saved target, edited in a form: what it saved, not
        # the figures of another rep put in its place
        mine = self.targets[0]
        result = self._rpc(
            self.other,
            "crm.sales.target",
            "onchange",
            mine.ids,
            {"user_id": self.rep.id},
            ["user_id"],
            spec,
        )
        self.assertFalse(result["value"].get("revenue_achieved"), result)


@tagged("post_install", "-at_install")
class TestLeaderboardCost(TargetCase):
    """Reading the leaderboard (kanban, ordered by progress, with rank) right
    after deals were won costs the same for N and 3N targets."""

    def _board_queries(self, reps):
        team = self.env["crm.team"].create(
            {
                "name": f"Board {len(reps)}",
                "user_id": self.lek.id,
                "member_ids": [Command.set(reps.ids)],
            }
        )
        targets = self.Target._generate_year(team, 2028, 1000, 2)
        for month in (1, 5, 9):
            deals = self.env["crm.lead"].create(
                [
                    {
                        "name": f"Board deal {rep.name} {month}",
                        "type": "opportunity",
                        "user_id": rep.id,
                        "team_id": team.id,
                        "expected_revenue": 100 * month,
                    }
                    for rep in reps
                ]
            )
            deals.stage_id = self.won_stage
            deals.date_closed = datetime(2028, month, 3)
        # Odoo's caches of rights and rules warm, as in a running server.
        self.Target.with_user(self.lek).web_search_read([], LEADERBOARD_FIELDS, limit=1)
        # A new request right after the deals changed: nothing in the cache,
        # the figures of every target still to compute.
        self.env.flush_all()
        self.env.invalidate_all()
        targets._mark_achieved_stale()
        queries_before = self.cr.sql_log_count
        rows = self.Target.with_user(self.lek).web_search_read(
            [("team_id", "=", team.id)],
            LEADERBOARD_FIELDS,
            order="progress desc, id",
        )
        self.env.flush_all()
        count = self.cr.sql_log_count - queries_before
        self.assertEqual(rows["length"], len(targets))
        self.assertEqual(rows["records"][0]["progress"], 90)  # 900 of 1000
        return count

    def test_leaderboard_reads_in_flat_queries(self):
        reps = self.anan | self.bua | self.chai
        for i in range(6):
            reps |= new_test_user(
                self.env,
                login=f"t_board_{i}",
                groups=f"base.group_user,{SALESMAN}",
                name=f"Board {i}",
            )
        small = self._board_queries(reps[:3])
        large = self._board_queries(reps)
        self.assertEqual(small, large)
