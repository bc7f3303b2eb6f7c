"""The reps' leaderboard (crm.sales.target.ranking): a rep sees their teams
ranked (names, rank, progress), the amounts only when the company shows them,
and nothing of another team or company; checked over XML-RPC with the reps'
own logins, the way a script would try."""

from datetime import date

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common_rpc import RpcLoginMixin
from .test_targets import SALESMAN, TargetWorld

RANKING = "crm.sales.target.ranking"
AMOUNTS = ["revenue_target", "revenue_achieved", "won_count_target"]


@tagged("post_install", "-at_install")
class TestLeaderboardRanking(RpcLoginMixin, TargetWorld, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.leaderboard_show_amounts = False
        today = date.today().replace(day=1)
        cls.targets = {
            user.login: cls.Target.create(
                {
                    "user_id": user.id,
                    "team_id": team.id,
                    "company_id": cls.company.id,
                    "date_from": today,
                    "revenue_target": revenue,
                    "won_count_target": 3,
                }
            )
            for user, team, revenue in (
                (cls.anan, cls.north, 1000),
                (cls.bua, cls.north, 2000),
                (cls.chai, cls.south, 3000),
            )
        }
        for user, revenue in ((cls.anan, 500), (cls.bua, 500)):
            lead = cls.env["crm.lead"].create(
                {
                    "name": f"Won by {user.name}",
                    "type": "opportunity",
                    "user_id": user.id,
                    "team_id": cls.north.id,
                    "expected_revenue": revenue,
                }
            )
            lead.action_set_won()

    def _board(self, user, fields=("user_id", "rank", "progress")):
        rows = self._rpc(user, RANKING, "search_read", [], list(fields))
        return {row["user_id"][1]: row for row in rows}

    def test_rep_sees_their_team_ranked_without_amounts(self):
        board = self._board(self.anan, ["user_id", "rank", "progress", *AMOUNTS])
        self.assertEqual(set(board), {"Anan", "Bua"}, "not Chai of South")
        self.assertEqual(board["Anan"]["rank"], 1)  # 50 % before 25 %
        self.assertEqual(board["Anan"]["progress"], 50.0)
        self.assertEqual(board["Bua"]["progress"], 25.0)
        for row in board.values():
            for name in AMOUNTS:
                self.assertFalse(row[name], f"{name} hidden when the company says so")
        [group] = self._rpc(
            self.anan, RANKING, "read_group", [], ["revenue_target:sum"], []
        )
        self.assertFalse(group["revenue_target"])
        # The targets themselves: still only their own.
        rows = self._rpc(self.anan, "crm.sales.target", "search_read", [], ["user_id"])
        self.assertEqual([row["user_id"][0] for row in rows], [self.anan.id])

    def test_rep_sees_amounts_when_the_company_shows_them(self):
        self.company.leaderboard_show_amounts = True
        board = self._board(self.bua, ["user_id", "revenue_target", "revenue_achieved"])
        self.assertEqual(board["Anan"]["revenue_target"], 1000)
        self.assertEqual(board["Anan"]["revenue_achieved"], 500)
        self.assertEqual(set(board), {"Anan", "Bua"})

    def test_rank_matches_the_targets(self):
        board = self._board(self.anan)
        for login, target in self.targets.items():
            if login != "t_chai":
                self.assertEqual(board[target.user_id.name]["rank"], target.rank)

    def test_other_company_is_not_visible(self):
        company = self.env["res.company"].create(
            {"name": "Leaderboard Co", "leaderboard_show_amounts": True}
        )
        rep = new_test_user(
            self.env,
            login="t_other",
            password="t_other_pw",
            groups=f"base.group_user,{SALESMAN}",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        team = self.env["crm.team"].create(
            {
                "name": "Other North",
                "company_id": company.id,
                "member_ids": [Command.set(rep.ids)],
            }
        )
        self.Target.create(
            {
                "user_id": rep.id,
                "team_id": team.id,
                "company_id": company.id,
                "date_from": date.today().replace(day=1),
                "revenue_target": 7000,
            }
        )
        self.assertEqual(set(self._board(rep)), {rep.name})
        self.assertNotIn(rep.name, self._board(self.anan))

    def test_rep_opens_the_ranking_and_leader_the_targets(self):
        rep_action = self._rpc(self.anan, "crm.sales.target", "action_open_leaderboard")
        self.assertEqual(rep_action["res_model"], RANKING)
        lead_action = self._rpc(self.lek, "crm.sales.target", "action_open_leaderboard")
        self.assertEqual(lead_action["res_model"], "crm.sales.target")
        manager_action = self._rpc(
            self.mana, "crm.sales.target", "action_open_leaderboard"
        )
        self.assertEqual(manager_action["res_model"], "crm.sales.target")

    def test_rep_opens_the_leaderboard_in_the_browser(self):
        """The screen itself renders for a rep (cards with rank and progress,
        no error): the ranking is a report, with no write date for images."""
        self.browser_js(
            "/odoo/action-sales_team_queue.crm_sales_target_ranking_action",
            "console.log('test successful')",
            ready="document.querySelectorAll("
            "'.o_kanban_record:not(.o_kanban_ghost) .o_progressbar').length === 2",
            login=self.anan.login,
        )
