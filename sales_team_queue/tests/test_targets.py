"""Sales targets: what was achieved (known data, currencies), validation, the
year of monthly targets, the leaderboard's ranking, and who may set what."""

from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common_rpc import RpcLoginMixin

SALESMAN = "sales_team.group_sale_salesman"
ALL_DOCS = "sales_team.group_sale_salesman_all_leads"
MANAGER = "sales_team.group_sale_manager"


class TargetWorld:
    """Team North (leader Lek, a rep himself) with reps Anan and Bua; team South
    with rep Chai (mixin of a test case: ``TransactionCase`` or ``HttpCase``,
    each user logs in with ``<login>_pw``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # The deals below are dated in UTC: the company counts its months in UTC.
        cls.company.partner_id.tz = "UTC"
        cls.env["ir.config_parameter"].sudo().set_param(
            "sales_team.membership_multi", True
        )

        def user(login, groups, **kw):
            return new_test_user(
                cls.env,
                login=login,
                password=f"{login}_pw",
                groups=f"base.group_user,{groups}",
                name=login.split("_")[1].capitalize(),
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
                **kw,
            )

        cls.anan = user("t_anan", SALESMAN)
        cls.bua = user("t_bua", SALESMAN)
        cls.chai = user("t_chai", SALESMAN)
        cls.lek = user("t_lek", SALESMAN)
        cls.dao = user("t_dao", ALL_DOCS)
        cls.mana = user("t_mana", MANAGER)
        cls.north = cls.env["crm.team"].create(
            {
                "name": "North",
                "user_id": cls.lek.id,
                "company_id": cls.company.id,
                "member_ids": [Command.set((cls.anan | cls.bua).ids)],
            }
        )
        cls.south = cls.env["crm.team"].create(
            {
                "name": "South",
                "company_id": cls.company.id,
                "member_ids": [Command.set(cls.chai.ids)],
            }
        )
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        cls.Target = cls.env["crm.sales.target"]


class TargetCase(TargetWorld, TransactionCase):
    """Won opportunities in March 2026."""

    @classmethod
    def _won(cls, user, team, revenue, when, company=None, lost=False):
        lead = cls.env["crm.lead"].create(
            {
                "name": f"Deal {user.name} {revenue}",
                "type": "opportunity",
                "user_id": user.id,
                "team_id": team.id,
                "expected_revenue": revenue,
                "company_id": (company or cls.company).id,
            }
        )
        if lost:
            lead.action_set_lost()
        else:
            lead.stage_id = cls.won_stage
        lead.date_closed = when
        return lead

    def _target(self, **vals):
        values = {
            "company_id": self.company.id,
            "date_from": date(2026, 3, 1),
            "revenue_target": 1000,
            "won_count_target": 4,
        }
        values.update(vals)
        return self.Target.create(values)


@tagged("post_install", "-at_install")
class TestTargetFigures(TargetCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._won(cls.anan, cls.north, 300, datetime(2026, 3, 2, 9))
        cls._won(cls.anan, cls.north, 200, datetime(2026, 3, 31, 22))
        cls._won(cls.anan, cls.north, 999, datetime(2026, 4, 1, 1))  # next month
        cls._won(cls.anan, cls.north, 888, datetime(2026, 3, 5), lost=True)
        cls._won(cls.bua, cls.north, 1200, datetime(2026, 3, 10))
        cls._won(cls.chai, cls.south, 50, datetime(2026, 3, 11))

    def test_rep_target_counts_their_deals_won_in_the_month(self):
        target = self._target(user_id=self.anan.id, team_id=self.north.id)
        self.assertEqual(target.date_to, date(2026, 3, 31))
        self.assertEqual(target.revenue_achieved, 500)
        self.assertEqual(target.won_count_achieved, 2)
        self.assertEqual(target.progress, 50)

    def test_team_and_company_targets_add_up_their_deals(self):
        team = self._target(team_id=self.north.id)
        company = self._target()
        self.assertEqual((team.revenue_achieved, team.won_count_achieved), (1700, 3))
        self.assertEqual(
            (company.revenue_achieved, company.won_count_achieved), (1750, 4)
        )

    def test_quarter_counts_three_months(self):
        target = self._target(
            user_id=self.anan.id, team_id=self.north.id, period="quarter"
        )
        self.assertEqual(target.date_to, date(2026, 5, 31))
        self.assertEqual(target.revenue_achieved, 1499)

    def test_progress_on_deals_when_no_revenue_target(self):
        target = self._target(
            user_id=self.anan.id, team_id=self.north.id, revenue_target=0
        )
        self.assertEqual(target.progress, 50)  # 2 of 4 deals

    def test_deal_won_in_another_currency_is_converted(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        company_2 = self.env["res.company"].create(
            {"name": "Euro Company", "currency_id": eur.id}
        )
        self.anan.company_ids = [Command.link(company_2.id)]
        if self.company.currency_id == eur:
            self.skipTest("the main company's currency is already EUR")
        self.env["res.currency.rate"].search(
            [("currency_id", "in", (eur | self.company.currency_id).ids)]
        ).unlink()
        self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "company_id": self.company.id,
                "name": date(2026, 1, 1),
                "rate": 0.5,  # 1 of the company's currency = 0.5 EUR
            }
        )
        team_eur = self.env["crm.team"].create(
            {"name": "Euro Team", "company_id": company_2.id}
        )
        self._won(self.anan, team_eur, 100, datetime(2026, 3, 3), company=company_2)
        target = self._target(user_id=self.anan.id)
        self.assertEqual(target.revenue_achieved, 700)  # 500 + 100 EUR = 200
        company_target = self._target()
        self.assertEqual(company_target.revenue_achieved, 1750)  # not its deal

    def test_months_are_cut_in_the_company_time_zone(self):
        bangkok = self.env["res.company"].create({"name": "Bangkok Company"})
        bangkok.partner_id.tz = "Asia/Bangkok"
        self.anan.company_ids = [Command.link(bangkok.id)]
        team = self.env["crm.team"].create(
            {"name": "Bangkok Team", "company_id": bangkok.id}
        )
        # 1 March 01:00 in Bangkok is still 28 February in UTC.
        self._won(self.anan, team, 40, datetime(2026, 2, 28, 18), company=bangkok)
        march = self._target(company_id=bangkok.id)
        february = self._target(company_id=bangkok.id, date_from=date(2026, 2, 1))
        self.assertEqual((march.revenue_achieved, march.won_count_achieved), (40, 1))
        self.assertEqual(february.won_count_achieved, 0)
        action = march.action_view_won()
        self.assertEqual(
            self.env["crm.lead"].search_count(action["domain"]), 1, action["domain"]
        )

    def test_leaderboard_ranks_reps_and_highlights_the_top(self):
        anan = self._target(user_id=self.anan.id, team_id=self.north.id)
        bua = self._target(user_id=self.bua.id, team_id=self.north.id)
        self.assertEqual((bua.rank, anan.rank), (1, 2))
        self.assertTrue(bua.is_top)  # first, and over their target
        self.assertFalse(anan.is_top)
        anan.revenue_target = 500
        anan.invalidate_recordset(["rank", "is_top"])
        self.assertTrue(anan.is_top)  # reached their target
        self.assertEqual(bua.progress, 120)

    def test_new_win_counts_at_once(self):
        target = self._target(user_id=self.bua.id, team_id=self.north.id)
        self._won(self.bua, self.north, 100, datetime(2026, 3, 20))
        self.assertEqual(target.revenue_achieved, 1300)

    def test_recompute_reads_all_targets_in_a_bounded_number_of_queries(self):
        targets = self._target(user_id=self.anan.id, team_id=self.north.id)
        targets |= self._target(user_id=self.bua.id, team_id=self.north.id)
        targets.flush_recordset()
        targets._mark_achieved_stale()
        with self.assertQueryCount(4):
            targets.flush_recordset()
        self.assertEqual(targets.mapped("revenue_achieved"), [500, 1200])
        many = self.Target._generate_year(self.north, 2027, 100, 1)
        many.flush_recordset()
        self._won(self.anan, self.north, 10, datetime(2027, 1, 2))
        many.invalidate_recordset()
        many._mark_achieved_stale()
        with self.assertQueryCount(4):
            many.flush_recordset()


@tagged("post_install", "-at_install")
class TestTargetValidation(TargetCase):
    def test_overlapping_target_for_the_same_rep_is_refused(self):
        self._target(user_id=self.anan.id, team_id=self.north.id, period="quarter")
        with self.assertRaisesRegex(ValidationError, "overlaps"):
            self._target(
                user_id=self.anan.id,
                team_id=self.north.id,
                date_from=date(2026, 4, 1),
            )
        # another rep, the team and the company may have theirs
        self._target(user_id=self.bua.id, team_id=self.north.id)
        self._target(team_id=self.north.id)
        self._target()

    def test_rep_outside_the_team_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "not a member"):
            self._target(user_id=self.chai.id, team_id=self.north.id)

    def test_negative_target_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "negative"):
            self._target(user_id=self.anan.id, revenue_target=-1)

    def test_period_covers_whole_months(self):
        with (
            self.assertRaisesRegex(ValidationError, "whole months"),
            self.env.cr.savepoint(),
        ):
            self._target(user_id=self.anan.id, date_from=date(2026, 3, 5))
        with self.assertRaisesRegex(ValidationError, "whole months"):
            self._target(
                user_id=self.anan.id,
                date_from=date(2026, 3, 1),
                date_to=date(2026, 3, 20),
            )

    def test_year_of_monthly_targets_for_the_team(self):
        self._target(user_id=self.anan.id, team_id=self.north.id)  # March kept
        wizard = (
            self.env["crm.sales.target.generate"]
            .with_user(self.lek)
            .create(
                {
                    "team_id": self.north.id,
                    "year": 2026,
                    "revenue_target": 500,
                    "won_count_target": 2,
                }
            )
        )
        wizard.action_apply()
        targets = self.Target.search([("team_id", "=", self.north.id)])
        self.assertEqual(len(targets), 24)
        self.assertEqual(set(targets.user_id), {self.anan, self.bua})
        march = targets.filtered(
            lambda t: t.user_id == self.anan and t.date_from == date(2026, 3, 1)
        )
        self.assertEqual(march.revenue_target, 1000)
        self.assertEqual(
            sorted(t.date_to for t in targets if t.user_id == self.bua)[-1],
            date(2026, 12, 31),
        )


@tagged("post_install", "-at_install")
class TestTargetRights(TargetCase):
    """Reps read their own targets; leaders read and set their teams'; "All
    Documents" users read all; managers set all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Target = cls.env["crm.sales.target"]
        base = {"company_id": cls.company.id, "date_from": date(2026, 3, 1)}
        cls.targets = {
            "anan": Target.create(
                dict(base, user_id=cls.anan.id, team_id=cls.north.id)
            ),
            "bua": Target.create(dict(base, user_id=cls.bua.id, team_id=cls.north.id)),
            "north": Target.create(dict(base, team_id=cls.north.id)),
            "chai": Target.create(
                dict(base, user_id=cls.chai.id, team_id=cls.south.id)
            ),
            "south": Target.create(dict(base, team_id=cls.south.id)),
            "company": Target.create(dict(base)),
        }
        cls.key = {target.id: key for key, target in cls.targets.items()}

    def _visible(self, user):
        found = self.Target.with_user(user).search([("id", "in", list(self.key))])
        return {self.key[target.id] for target in found}

    def _writable(self, user):
        writable = set()
        for key, target in self.targets.items():
            try:
                with self.env.cr.savepoint():
                    target.with_user(user).write({"revenue_target": 5})
                    writable.add(key)
            except AccessError:
                continue
        return writable

    def test_matrix(self):
        everything = set(self.targets)
        expected = {
            "anan": ({"anan"}, set()),
            "chai": ({"chai"}, set()),
            "lek": ({"anan", "bua", "north"}, {"anan", "bua", "north"}),
            "dao": (everything, set()),
            "mana": (everything, everything),
        }
        for login, (read, write) in expected.items():
            user = getattr(self, login)
            with self.subTest(user=login):
                self.assertEqual(self._visible(user), read)
                self.assertEqual(self._writable(user), write)

    def test_leader_sets_targets_of_their_team_only(self):
        Target = self.Target.with_user(self.lek)
        Target.create(
            {
                "user_id": self.anan.id,
                "team_id": self.north.id,
                "date_from": date(2026, 4, 1),
            }
        )
        with self.assertRaisesRegex(AccessError, "teams you lead"):
            Target.create(
                {
                    "user_id": self.chai.id,
                    "team_id": self.south.id,
                    "date_from": date(2026, 4, 1),
                }
            )
        with self.assertRaisesRegex(AccessError, "whole company"):
            Target.create({"date_from": date(2026, 4, 1)})
        with self.assertRaisesRegex(AccessError, "teams you lead"):
            self.targets["anan"].with_user(self.lek).write({"team_id": self.south.id})
        with self.assertRaisesRegex(AccessError, "teams you lead"):
            self.env["crm.sales.target.generate"].with_user(self.lek).create(
                {"team_id": self.south.id, "year": 2026}
            ).action_apply()

    def test_manager_of_another_company_sees_none(self):
        company_2 = self.env["res.company"].create({"name": "Target Company 2"})
        other = new_test_user(
            self.env,
            login="t_other_co",
            groups=f"base.group_user,{MANAGER}",
            company_id=company_2.id,
            company_ids=[Command.set(company_2.ids)],
        )
        self.assertEqual(self._visible(other), set())
        target = self.Target.with_user(other).create({"date_from": date(2026, 3, 1)})
        self.assertEqual(target.company_id, company_2)
        self.assertNotIn(target, self.Target.with_user(self.mana).search([]))

    def test_leader_cannot_touch_the_company_target(self):
        both = self.targets["north"] | self.targets["company"]
        with self.assertRaises(AccessError):
            both.with_user(self.lek).write({"revenue_target": 1})
        with self.assertRaises(AccessError):
            self.targets["company"].with_user(self.lek).unlink()

    def test_rep_cannot_delete_their_target(self):
        with self.assertRaises(AccessError):
            self.targets["anan"].with_user(self.anan).unlink()

    def test_rep_opens_the_ranking_of_their_team_not_the_targets(self):
        action = self.Target.with_user(self.anan).action_open_leaderboard()
        self.assertEqual(action["res_model"], "crm.sales.target.ranking")
        self.assertEqual(self._visible(self.anan), {"anan"})


@tagged("post_install", "-at_install")
class TestTargetRightsRpc(RpcLoginMixin, HttpCase):
    def setUp(self):
        super().setUp()
        self.rep = new_test_user(
            self.env, login="t_rpc_rep", password="t_rpc_rep_pw", groups=SALESMAN
        )
        self.team = self.env["crm.team"].create(
            {"name": "RPC Team", "member_ids": [Command.set(self.rep.ids)]}
        )
        self.target = self.env["crm.sales.target"].create(
            {
                "user_id": self.rep.id,
                "team_id": self.team.id,
                "date_from": date(2026, 3, 1),
                "revenue_target": 100,
            }
        )

    @mute_logger("odoo.http")
    def test_rep_reads_but_cannot_raise_or_lower_their_target_over_rpc(self):
        rows = self._rpc(
            self.rep,
            "crm.sales.target",
            "search_read",
            [],
            ["revenue_target", "user_id"],
        )
        self.assertEqual([row["user_id"][0] for row in rows], [self.rep.id])
        refusal = self._rpc_refused(
            self.rep,
            "crm.sales.target",
            "write",
            [self.target.id],
            {"revenue_target": 1},
        )
        self.assertIn("teams you lead", refusal.faultString)
        self._rpc_refused(
            self.rep,
            "crm.sales.target",
            "create",
            {"user_id": self.rep.id, "date_from": "2026-05-01"},
        )
        self.assertEqual(self.target.revenue_target, 100)
