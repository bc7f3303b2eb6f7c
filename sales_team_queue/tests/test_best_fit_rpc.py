"""Best fit tried as hostile clients would: each user logs in with their own
password and calls Odoo over XML-RPC and JSON-RPC (``/jsonrpc``, the external
API).

Team *Alpha* (leader ``leader``, a salesperson; members ``rep`` and ``mate``)
has a best-fit queue and a history: ``mate`` wins Thai leads, ``rep`` loses
them. Team *Bravo* has its own leader. ``manager`` is a sales manager,
``other_co`` a sales manager of another company whose own team routes by best
fit too.
"""

import re

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common_rpc import TwoTeamsRpcCase
from .test_best_fit import FitHistoryMixin

FREQUENCY = "crm.lead.fit.frequency"
# The bounds the refusals of out-of-bounds settings give.
BAND = "Fairness Band (%) goes from 0 to 100."
WINDOW = "Fairness Window (days) goes from 1 to 90."
QUEUE = "crm.team.queue"
# What a refusal over JSON-RPC is (the exception's class).
JSON_REFUSED = (
    "odoo.exceptions.AccessError",
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
)


class BestFitRpcCase(FitHistoryMixin, TwoTeamsRpcCase):
    """The two teams' cast (``TwoTeamsRpcCase``) with a Thai history in
    Alpha: mate wins Thai leads (6 of 10), rep does not (2 of 10)."""

    QUIET = {"notify_assignee": False, "activity_type_id": False}

    @classmethod
    def _alpha_fit_cast(cls, prefix, name):
        """The cast of logins ``prefix``... and the Thai history in Alpha."""
        cls._two_teams_cast(prefix, name)
        cls._fit_setup()
        cls.team = cls.alpha
        cls._closed(cls.rep, cls.thailand, 2, 8)
        cls._closed(cls.mate, cls.thailand, 6, 4)

    @classmethod
    def _alpha_fit_queue(cls, name):
        """Alpha's best-fit queue of rep and mate (band 100: the best wins)."""
        cls.queue = cls.env[QUEUE].create(
            dict(
                cls.QUIET,
                name=f"{name} Alpha Queue",
                team_id=cls.alpha.id,
                strategy="best_fit",
                fairness_band=100,
                member_ids=[
                    Command.create({"user_id": user.id}) for user in (cls.rep, cls.mate)
                ],
            )
        )


@tagged("post_install", "-at_install")
class TestBestFitRpc(BestFitRpcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._alpha_fit_cast("bf", "Fit")
        # 40 closed leads: the Thai history, and both win half of their
        # Vietnamese ones.
        cls._closed(cls.rep, cls.vietnam, 5, 5)
        cls._closed(cls.mate, cls.vietnam, 5, 5)
        cls._alpha_fit_queue("Fit")
        cls.frequencies = cls._frequencies(cls.alpha)
        cls._other_company_history(cls.QUIET)

    @classmethod
    def _other_company_history(cls, quiet):
        """Team *Fit Co 2 Team* of the other company, its manager's history
        (20 closed leads) and its best-fit queue."""
        cls.team_2 = cls.env["crm.team"].create(
            {
                "name": "Fit Co 2 Team",
                "company_id": cls.company_2.id,
                "member_ids": [Command.set(cls.other_co.ids)],
            }
        )
        Lead = cls.env["crm.lead"].with_context(**ROUTING_OFF)
        Lead.create(
            [
                {
                    "name": f"Co 2 Won {index}",
                    "team_id": cls.team_2.id,
                    "user_id": cls.other_co.id,
                    "company_id": cls.company_2.id,
                    "stage_id": cls.won_stage.id,
                }
                for index in range(20)
            ]
        )
        cls.env[QUEUE].create(
            dict(
                quiet,
                name="Fit Co 2 Queue",
                team_id=cls.team_2.id,
                strategy="best_fit",
                member_ids=[Command.create({"user_id": cls.other_co.id})],
            )
        )

    @classmethod
    def _frequencies(cls, team):
        return cls.env[FREQUENCY].search([("team_id", "=", team.id)])

    def _counts(self, user, variable="", value=""):
        """(won, lost) of ``user`` in Alpha on ``(variable, value)``."""
        self.env.invalidate_all()
        row = self.env[FREQUENCY].search(
            [
                ("team_id", "=", self.alpha.id),
                ("user_id", "=", user.id),
                ("variable", "=", variable),
                ("value", "=", value),
            ]
        )
        return row.won_count, row.lost_count

    def _thai(self, user):
        return self._counts(user, "country_id", str(self.thailand.id))

    def _json_refused(self, user, model, method, *args, **kwargs):
        """:meth:`_jsonrpc`, which the server must refuse: return the
        refusal's message."""
        with mute_logger("odoo.http", "odoo.addons.base.models.ir_rule"):
            _result, error = self._jsonrpc(user, model, method, *args, **kwargs)
        self.assertTrue(error, f"{user.login}: {method} refused over JSON-RPC")
        self.assertIn(error["name"], JSON_REFUSED, error["message"])
        self.env.invalidate_all()
        return error["message"]

    def _refused_both(self, user, model, method, *args, **kwargs):
        """Refused over XML-RPC and over JSON-RPC: return both messages."""
        return [
            refuse(user, model, method, *args, **kwargs)
            for refuse in (self._refused, self._json_refused)
        ]

    # ------------------------------------------------------------
    # THE COUNTS
    # ------------------------------------------------------------

    def test_rep_cannot_read_or_write_the_counts(self):
        ids = self.frequencies.ids
        self.assertTrue(ids)
        for user in (self.rep, self.leader, self.portal):
            for method, args in (
                ("search_read", ([("team_id", "=", self.alpha.id)],)),
                ("read", (ids, ["won_count"])),
                ("read_group", ([], ["won_count:sum"], ["user_id"])),
                ("write", (ids, {"won_count": 1000})),
                (
                    "create",
                    (
                        {
                            "team_id": self.alpha.id,
                            "user_id": user.id,
                            "variable": "country_id",
                            "value": str(self.thailand.id),
                            "won_count": 1000,
                        },
                    ),
                ),
                ("unlink", (ids,)),
            ):
                with self.subTest(user=user.login, method=method):
                    self._refused_both(user, FREQUENCY, method, *args)
        self.assertEqual(self._thai(self.rep), (2, 8))
        self.assertEqual(len(self._frequencies(self.alpha)), len(ids))

    def test_a_manager_reads_the_counts_but_never_writes_them(self):
        rows = self._rpc(
            self.manager,
            FREQUENCY,
            "search_read",
            [("team_id", "=", self.alpha.id), ("variable", "=", "")],
            ["user_id", "won_count", "lost_count"],
        )
        self.assertEqual(
            sorted((row["user_id"][0], row["won_count"]) for row in rows),
            sorted([(self.rep.id, 7), (self.mate.id, 11)]),
        )
        for method, args in (
            ("write", (self.frequencies.ids, {"won_count": 1000})),
            ("unlink", (self.frequencies.ids,)),
        ):
            with self.subTest(method=method):
                self._refused_both(self.manager, FREQUENCY, method, *args)
        self.assertEqual(self._thai(self.mate), (6, 4))

    def test_nobody_calls_the_refreshes_over_rpc(self):
        for user in (self.rep, self.leader, self.manager):
            for model, method, args in (
                (FREQUENCY, "_fit_refresh", ()),
                (FREQUENCY, "_fit_refresh", ([self.alpha.id],)),
                (FREQUENCY, "_cron_fit_refresh", ()),
                (FREQUENCY, "_fit_counts", ([self.alpha.id], [])),
                (QUEUE, "_fit_start", ([self.queue.id],)),
            ):
                with self.subTest(user=user.login, method=method):
                    for message in self._refused_both(user, model, method, *args):
                        self.assertIn("Private methods", message)

    def test_other_company_manager_reads_only_their_company_counts(self):
        other_team = self.env[FREQUENCY].search([("team_id", "=", self.team_2.id)])
        self.assertTrue(other_team)
        rows = self._rpc(self.other_co, FREQUENCY, "search_read", [], ["team_id"])
        self.assertEqual({row["team_id"][0] for row in rows}, {self.team_2.id})
        self._refused_both(
            self.other_co, FREQUENCY, "read", self.frequencies.ids, ["won_count"]
        )
        self.assertFalse(
            self._rpc(
                self.other_co,
                FREQUENCY,
                "search_count",
                [("team_id", "=", self.alpha.id)],
            )
        )
        # and Alpha's manager does not see the other company's counts
        rows = self._rpc(self.manager, FREQUENCY, "search_read", [], ["team_id"])
        self.assertNotIn(self.team_2.id, {row["team_id"][0] for row in rows})

    # ------------------------------------------------------------
    # THE QUEUE'S SETTINGS
    # ------------------------------------------------------------

    def test_rep_cannot_change_the_strategy_or_the_band(self):
        bravo_queue = self.env[QUEUE].create(
            {
                "name": "Fit Bravo Queue",
                "team_id": self.bravo.id,
                "strategy": "round_robin",
                "member_ids": [Command.create({"user_id": self.bravo_rep.id})],
            }
        )
        for user in (self.rep, self.leader, self.bravo_leader):
            for queue, vals in (
                (self.queue, {"fairness_band": 0}),
                (self.queue, {"fairness_window_days": 90}),
                (self.queue, {"strategy": "round_robin"}),
                (bravo_queue, {"strategy": "best_fit"}),
            ):
                with self.subTest(user=user.login, queue=queue.name, vals=vals):
                    self._refused_both(user, QUEUE, "write", queue.ids, vals)
            with self.subTest(user=user.login, method="create"):
                self._refused_both(
                    user,
                    QUEUE,
                    "create",
                    {
                        "name": "Rep's own",
                        "team_id": self.alpha.id,
                        "strategy": "best_fit",
                        "fairness_band": 100,
                    },
                )
        self.assertEqual(
            (
                self.queue.strategy,
                self.queue.fairness_band,
                self.queue.fairness_window_days,
            ),
            ("best_fit", 100, 1),
        )
        self.assertEqual(bravo_queue.strategy, "round_robin")

    @mute_logger("odoo.http")
    def test_out_of_bounds_settings_are_refused_with_the_bounds(self):
        for vals, bound in (
            ({"fairness_band": 101}, BAND),
            ({"fairness_band": -1}, BAND),
            ({"fairness_window_days": 0}, WINDOW),
            ({"fairness_window_days": 91}, WINDOW),
            ({"fairness_window_days": 10**6}, WINDOW),
        ):
            with self.subTest(vals=vals):
                refusal = self._rpc_refused(
                    self.manager, QUEUE, "write", self.queue.ids, vals
                )
                self.assertIn(bound, refusal.faultString)
                _result, error = self._jsonrpc(
                    self.manager, QUEUE, "write", self.queue.ids, vals
                )
                self.assertEqual(error["name"], "odoo.exceptions.ValidationError")
                self.assertIn(bound, error["message"])
                refusal = self._rpc_refused(
                    self.manager,
                    QUEUE,
                    "create",
                    dict(vals, name="Out of bounds", team_id=self.bravo.id),
                )
                self.assertIn(bound, refusal.faultString)
        self.env.invalidate_all()
        self.assertEqual(
            (self.queue.fairness_band, self.queue.fairness_window_days), (100, 1)
        )
        self.assertFalse(self.env[QUEUE].search([("name", "=", "Out of bounds")]))

    # ------------------------------------------------------------
    # A TEAM LEADER WHO IS NOT A SALES MANAGER
    # ------------------------------------------------------------

    def test_leader_reads_pauses_and_tests_their_queue_only(self):
        rows = self._rpc(
            self.leader,
            QUEUE,
            "read",
            self.queue.ids,
            ["strategy", "fairness_band", "fairness_window_days"],
        )
        self.assertEqual(
            (
                rows[0]["strategy"],
                rows[0]["fairness_band"],
                rows[0]["fairness_window_days"],
            ),
            ("best_fit", 100, 1),
        )
        rep_member = self.queue.member_ids.filtered(lambda m: m.user_id == self.rep)
        # pausing a member: theirs; the settings stay the manager's
        self._rpc(self.leader, "crm.team.queue.member", "action_pause", rep_member.ids)
        self.assertFalse(rep_member.active)
        self._refused_both(
            self.leader,
            "crm.team.queue.member",
            "write",
            rep_member.ids,
            {"weight": 10},
        )
        self._rpc(self.leader, "crm.team.queue.member", "action_resume", rep_member.ids)
        self.assertEqual((rep_member.active, rep_member.weight), (True, 1))
        self._refused_both(
            self.bravo_leader, "crm.team.queue.member", "action_pause", rep_member.ids
        )
        self.assertTrue(rep_member.active)
        # Test Routing: a Thai lead would go to the one who wins Thai leads
        lead = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create(
                {
                    "name": "Fit RPC Thai",
                    "team_id": self.alpha.id,
                    "user_id": False,
                    "country_id": self.thailand.id,
                }
            )
        )
        reason = self._tested_reason(self.leader, lead)
        self.assertRegex(
            reason,
            rf"^best fit: {re.escape(self.mate.name)} wins \d+ % of leads like this "
            r"one \(Thailand\), team \d+ %; within fair share: 1 of 1 today",
        )
        self.assertFalse(lead.user_id)
        self.assertFalse(lead.assignment_ids)
        # another team's leader, or a rep, may not test it (nor save a test)
        for user in (self.bravo_leader, self.rep):
            with self.subTest(user=user.login):
                message = self._refused(
                    user,
                    "crm.team.queue.simulation",
                    "create",
                    {"queue_id": self.queue.id},
                )
                self.assertIn("Only the leader of the team", message)

    def test_leader_reads_the_band_limits_of_their_queue_only(self):
        self.assertEqual(self._thai_lead("Thai routed").user_id, self.mate)
        fields = ["user_id", "fairness_band", "band_share"]
        domain = [("queue_id", "=", self.queue.id)]
        report = "crm.team.queue.fairness.report"
        rows = self._rpc(self.leader, report, "search_read", domain, fields)
        self.assertEqual(
            sorted((row["user_id"][0], row["band_share"]) for row in rows),
            sorted([(self.rep.id, 100.0), (self.mate.id, 100.0)]),
        )
        self.assertEqual({row["fairness_band"] for row in rows}, {100})
        for user in (self.bravo_leader, self.rep, self.other_co):
            with self.subTest(user=user.login):
                self.assertFalse(self._rpc(user, report, "search_read", domain, fields))

    def _tested_reason(self, user, lead):
        """The reason Test Routing gives ``user`` for ``lead`` (by filter)."""
        wizard_id = self._rpc(
            user,
            "crm.team.queue.simulation",
            "create",
            {
                "queue_id": self.queue.id,
                "scope": "domain",
                "lead_domain": repr([("id", "=", lead.id)]),
            },
        )
        self._rpc(user, "crm.team.queue.simulation", "action_simulate", [wizard_id])
        lines = self._rpc(
            user,
            "crm.team.queue.simulation.line",
            "search_read",
            [("simulation_id", "=", wizard_id)],
            ["lead_id", "user_id", "reason"],
        )
        self.assertEqual([line["lead_id"][0] for line in lines], lead.ids)
        return lines[0]["reason"]

    # ------------------------------------------------------------
    # GAMING THE HISTORY
    # ------------------------------------------------------------

    def _thai_lead(self, name):
        """A Thai lead of Alpha without salesperson, routed at creation (made
        by the superuser, as the mail gateway or a web form would)."""
        return self.env["crm.lead"].create(
            {
                "name": name,
                "team_id": self.alpha.id,
                "user_id": False,
                "country_id": self.thailand.id,
            }
        )

    def _rep_makes_thai_leads(self, user, count):
        """``count`` Thai leads of Alpha the rep makes over RPC for ``user``
        (none: without salesperson, routed)."""
        return self._rpc(
            self.rep,
            "crm.lead",
            "create",
            [
                {
                    "name": f"Made-up Thai deal {index}",
                    "team_id": self.alpha.id,
                    "user_id": user.id or False,
                    "country_id": self.thailand.id,
                }
                for index in range(count)
            ],
        )

    def test_leads_a_rep_made_for_themselves_and_won_do_not_count(self):
        """A rep makes 30 Thai leads of their own and marks them won, over RPC:
        they are not history (the salesperson created them), and Thai leads
        still go to the colleague who wins them."""
        self.assertEqual(self._thai_lead("Thai before").user_id, self.mate)
        ids = self._rep_makes_thai_leads(self.rep, 30)
        self._rpc(self.rep, "crm.lead", "action_set_won", ids)
        won = self.env["crm.lead"].browse(ids)
        self.assertEqual(set(won.mapped("stage_id.is_won")), {True})
        self.assertEqual(self._thai(self.rep), (2, 8))
        self.assertEqual(self._thai(self.mate), (6, 4))
        self.assertEqual(self._thai_lead("Thai after").user_id, self.mate)
        # the nightly count agrees
        self.env[FREQUENCY]._cron_fit_refresh()
        self.assertEqual(self._thai(self.rep), (2, 8))

    def test_rep_of_a_whole_team_cannot_load_losses_on_a_colleague(self):
        """A rep of a "Whole team" team (who may edit their colleagues' leads)
        makes 20 Thai leads without salesperson: best fit gives them to the
        colleague who wins Thai leads; the rep marks them lost. The colleague
        did not create them, so today they count as the colleague's losses
        (their Thai record falls from 6 won of 10 to 6 of 30): the assertion on
        the counts fails. Expected to fail until the history leaves such leads
        out (they say nothing of how the colleague wins)."""
        self.alpha.lead_visibility = "team"
        ids = self._rep_makes_thai_leads(self.env["res.users"], 20)
        made_up = self.env["crm.lead"].browse(ids)
        self.assertEqual(made_up.user_id, self.mate)
        # (over JSON-RPC: it answers None, which XML-RPC cannot carry)
        _result, error = self._jsonrpc(self.rep, "crm.lead", "action_set_lost", ids)
        self.assertIsNone(error)
        self.assertEqual(
            set(made_up.with_context(active_test=False).mapped("active")), {False}
        )
        self.assertEqual(self._thai(self.mate), (6, 4))
        self.assertEqual(self._thai_lead("Thai after").user_id, self.mate)
