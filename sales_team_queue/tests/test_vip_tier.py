"""Hot leads to seniors: the VIP tier by Odoo's predicted probability
(``vip_min_probability``, read on ``automated_probability``) and, in the queues
that assign, VIP leads given to a senior member first.

Odoo's Predictive Lead Scoring is fed a frequency table of its own here (the
database's is emptied): a lead whose e-mail is valid is predicted at 90 %, one
whose e-mail is not at 10 %, one without e-mail at 50 %."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import QueueCase
from .common_rpc import TwoTeamsRpcCase

HOT = {"email_from": "buyer@hot-lead.example"}  # predicted 90 %
COLD = {"email_from": "not an e-mail"}  # predicted 10 %
T0 = datetime(2026, 1, 6, 3, 0, 0)


def _feed_prediction(env):
    """A frequency table for Odoo's scoring: half of the leads won; 9 in 10
    of those with a valid e-mail, 1 in 10 of those with an invalid one."""
    Frequency = env["crm.lead.scoring.frequency"].sudo()
    Frequency.search([]).unlink()
    first_stage = env["crm.stage"].search(
        [("team_id", "=", False)], order="sequence, id", limit=1
    )
    Frequency.create(
        [
            {
                "variable": "stage_id",
                "value": str(first_stage.id),
                "won_count": 10,
                "lost_count": 10,
            },
            {
                "variable": "email_state",
                "value": "correct",
                "won_count": 9,
                "lost_count": 1,
            },
            {
                "variable": "email_state",
                "value": "incorrect",
                "won_count": 1,
                "lost_count": 9,
            },
        ]
    )


@tagged("post_install", "-at_install")
class TestVipTier(QueueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _feed_prediction(cls.env)

    def _lead(self, **vals):
        values = {"name": "Lead", "team_id": self.team.id, "type": "lead"}
        return self.env["crm.lead"].create(dict(values, **vals))

    def _leads(self, *vals_list):
        """Leads created at once, in order (routed as one batch)."""
        base = {"team_id": self.team.id, "type": "lead", "user_id": False}
        return self.env["crm.lead"].create(
            [
                dict(base, name=f"Lead {index}", **vals)
                for index, vals in enumerate(vals_list)
            ]
        )

    def _reason(self, lead):
        return self._last_line(lead).reason

    # ------------------------------------------------------------
    # is_vip by the predicted probability
    # ------------------------------------------------------------

    def test_prediction_of_the_frequency_table(self):
        self._create_queue(strategy="pool")
        hot, cold, unknown = self._lead(**HOT), self._lead(**COLD), self._lead()
        self.assertEqual(
            [hot.automated_probability, cold.automated_probability],
            [90.0, 10.0],
        )
        self.assertEqual(unknown.automated_probability, 50.0)

    def test_lead_predicted_above_the_threshold_is_vip_at_creation(self):
        queue = self._create_queue(strategy="pool", vip_min_probability=80)
        hot, cold = self._lead(**HOT), self._lead(**COLD)
        self.assertEqual((hot.queue_id, cold.queue_id), (queue, queue))
        self.assertTrue(hot.is_vip)
        self.assertFalse(cold.is_vip)

    def test_threshold_is_reached_at_equal_probability(self):
        queue = self._create_queue(strategy="pool", vip_min_probability=90)
        hot = self._lead(**HOT)
        self.assertTrue(hot.is_vip)
        queue.vip_min_probability = 90.01
        self.assertFalse(hot.is_vip)
        queue.vip_min_probability = 50
        self.assertTrue(hot.is_vip)
        self.assertTrue(self._lead().is_vip)  # 50 %

    def test_zero_threshold_makes_no_lead_vip(self):
        self._create_queue(strategy="pool", vip_min_probability=0)
        self.assertFalse(self._lead(**HOT).is_vip)

    def test_vip_follows_a_write_that_changes_the_prediction(self):
        self._create_queue(strategy="pool", vip_min_probability=80)
        lead = self._lead(**COLD)
        self.assertFalse(lead.is_vip)
        lead.email_from = HOT["email_from"]
        self.assertEqual(lead.automated_probability, 90.0)
        self.assertTrue(lead.is_vip)
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertTrue(lead.is_vip, "stored")
        lead.email_from = COLD["email_from"]
        self.assertFalse(lead.is_vip)

    def test_other_tiers_still_make_a_lead_vip(self):
        self._create_queue(
            strategy="pool", vip_min_probability=95, vip_min_priority="2"
        )
        self.assertFalse(self._lead(**HOT).is_vip)
        self.assertTrue(self._lead(priority="2", **COLD).is_vip)

    def test_team_with_probability_from_stage_has_no_predicted_tier(self):
        """Odoo predicts nothing for the leads of a team whose probability
        comes from the stage: the probability tier does not apply there."""
        self.team.probability_mode = "stage"
        queue = self._create_queue(strategy="pool", vip_min_probability=1)
        lead = self._lead(**HOT)
        self.assertEqual(lead.queue_id, queue)
        self.assertEqual(lead.probability, lead.stage_id.probability)
        self.assertFalse(lead.is_vip)
        # a prediction made before (the lead came from a predictive team)
        # is not used either
        lead.sudo().write({"automated_probability": 99})
        self.assertFalse(lead.is_vip)
        self.team.probability_mode = "predictive"
        self.assertTrue(lead.is_vip)

    def test_nightly_scoring_updates_the_vip_tier(self):
        """Odoo's nightly scoring writes the predictions in SQL: the VIP flag
        follows them."""
        self._create_queue(strategy="pool", vip_min_probability=80)
        lead = self._lead(**COLD)
        self.assertFalse(lead.is_vip)
        # the company learnt that invalid e-mails win, valid ones lose
        frequencies = self.env["crm.lead.scoring.frequency"].sudo()
        for value, won, lost in (("incorrect", 9, 1), ("correct", 1, 9)):
            frequencies.search(
                [("variable", "=", "email_state"), ("value", "=", value)]
            ).write({"won_count": won, "lost_count": lost})
        self.env["ir.config_parameter"].sudo().set_param(
            "crm.pls_start_date", "2000-01-01"
        )
        self.env["crm.lead"]._update_automated_probabilities()
        self.assertEqual(lead.automated_probability, 90.0)
        self.assertTrue(lead.is_vip)

    # ------------------------------------------------------------
    # bounds
    # ------------------------------------------------------------

    def test_probability_threshold_above_100_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "at most 100"):
            self._create_queue(vip_min_probability=100.5)
        queue = self._create_queue(vip_min_probability=100)
        with self.assertRaisesRegex(ValidationError, "at most 100"):
            queue.vip_min_probability = 101

    def test_negative_probability_threshold_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self._create_queue(vip_min_probability=-1)

    def test_queue_form_sets_the_tier_and_seniors_of_a_round_robin(self):
        queue = self._create_queue()
        with Form(queue) as form:
            form.vip_min_probability = 85
            with form.member_ids.edit(2) as member:
                member.is_senior = True
        self.assertEqual(queue.vip_min_probability, 85)
        self.assertTrue(self._member(queue, self.linh).is_senior)

    # ------------------------------------------------------------
    # routing: VIP leads to senior members first
    # ------------------------------------------------------------

    def _senior_queue(self, strategy="round_robin", senior=None, **vals):
        """A queue of Somchai, Wei and Linh (``senior``, default Linh, is
        senior) whose leads predicted at 80 % or more are VIP."""
        senior = senior or self.linh
        members = [
            {"user_id": user.id, "is_senior": user == senior} for user in self.reps
        ]
        return self._create_queue(
            members=members, strategy=strategy, vip_min_probability=80, **vals
        )

    def test_round_robin_gives_vip_lead_to_senior(self):
        self._senior_queue()
        leads = self._leads(COLD, HOT)
        self.assertEqual(self._owners(leads), ["Somchai", "Linh"])
        self.assertEqual(
            self._reason(leads[1]),
            "VIP lead: senior members first: round robin: next after Somchai",
        )
        self.assertEqual(self._reason(leads[0]), "round robin: first turn")

    def test_round_robin_vip_turn_keeps_the_others_rotation(self):
        """The VIP lead counts as the senior's turn: the pointer does not jump
        to them (Wei keeps his turn), and the senior's next turn is skipped,
        so everyone gets as many leads."""
        self._senior_queue()
        leads = self._leads(COLD, HOT, COLD, COLD, COLD, COLD)
        self.assertEqual(
            self._owners(leads), ["Somchai", "Linh", "Wei", "Somchai", "Wei", "Linh"]
        )
        self.assertEqual(self._reason(leads[2]), "round robin: next after Somchai")

    def test_round_robin_vip_leads_rotate_among_seniors(self):
        members = [
            {"user_id": self.somchai.id, "is_senior": True},
            {"user_id": self.wei.id},
            {"user_id": self.linh.id, "is_senior": True},
        ]
        self._create_queue(members=members, vip_min_probability=80)
        leads = self._leads(HOT, HOT, HOT, HOT)
        self.assertEqual(self._owners(leads), ["Somchai", "Linh", "Somchai", "Linh"])

    def test_non_vip_leads_route_as_without_tier(self):
        self._senior_queue()
        leads = self._leads(COLD, COLD, COLD, COLD)
        self.assertEqual(self._owners(leads), ["Somchai", "Wei", "Linh", "Somchai"])
        self.assertNotIn("VIP", " ".join(leads.assignment_ids.mapped("reason")))

    def test_queue_without_senior_routes_vip_leads_by_its_strategy(self):
        self._create_queue(vip_min_probability=80)
        leads = self._leads(HOT, HOT)
        self.assertEqual(self._owners(leads), ["Somchai", "Wei"])
        self.assertEqual(self._reason(leads[1]), "round robin: next after Somchai")

    def test_team_with_probability_from_stage_routes_by_its_strategy(self):
        self.team.probability_mode = "stage"
        self._senior_queue()
        leads = self._leads(HOT, HOT)
        self.assertEqual(self._owners(leads), ["Somchai", "Wei"])
        self.assertEqual(self._reason(leads[1]), "round robin: next after Somchai")

    def test_weighted_gives_vip_lead_to_senior_counted_as_turn(self):
        members = [
            {"user_id": self.somchai.id, "weight": 2},
            {"user_id": self.wei.id, "weight": 1, "is_senior": True},
        ]
        self._create_queue(members=members, strategy="weighted", vip_min_probability=80)
        leads = self._leads(HOT, COLD, COLD, COLD, COLD, COLD)
        self.assertEqual(leads[0].user_id, self.wei)
        self.assertEqual(
            self._reason(leads[0]),
            "VIP lead: senior members first: weighted: weight 1 of 1",
        )
        # the VIP lead was Wei's turn: the shares still follow the weights
        self.assertEqual(
            [self._owners(leads).count(name) for name in ("Somchai", "Wei")], [4, 2]
        )

    def test_load_balanced_gives_vip_lead_to_senior(self):
        self.env["crm.lead"].create(
            [
                {"name": "Open", "team_id": self.team.id, "user_id": self.linh.id},
                {"name": "Open", "team_id": self.team.id, "user_id": self.linh.id},
            ]
        )
        self._senior_queue(strategy="load_balanced")
        hot, cold = self._leads(HOT, COLD)
        self.assertEqual((hot.user_id, cold.user_id), (self.linh, self.somchai))
        self.assertEqual(
            self._reason(hot),
            "VIP lead: senior members first: load balanced: 2 open, only eligible "
            "member",
        )

    def test_vip_lead_goes_to_the_others_when_the_senior_is_paused(self):
        queue = self._senior_queue()
        self._member(queue, self.linh).active = False
        lead = self._lead(**HOT)
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(
            self._reason(lead),
            "VIP lead, no senior member eligible (Linh paused): round robin: "
            "first turn",
        )

    def test_vip_lead_goes_to_the_others_when_the_senior_is_at_daily_cap(self):
        queue = self._senior_queue()
        self._member(queue, self.linh).daily_cap = 1
        first, second = self._leads(HOT, HOT)
        self.assertEqual((first.user_id, second.user_id), (self.linh, self.somchai))
        self.assertEqual(
            self._reason(second),
            "VIP lead, no senior member eligible (Linh at daily cap (1 of 1)): "
            "round robin: first turn",
        )

    def test_dispatch_gives_vip_lead_to_senior(self):
        """The hybrid dispatch (like the SLA's reassign) plans a pool lead
        again in its queue, by workload: a VIP lead goes to a senior member
        there too, even when a junior has fewer open leads."""
        self._lead(user_id=self.linh.id)
        self._senior_queue(strategy="hybrid", dispatch_after_minutes=30)
        with freeze_time(T0):
            hot, cold = self._leads(HOT, COLD)
        self.assertEqual((hot.queue_state, hot.is_vip), ("pool", True))
        self._run_timers(T0 + timedelta(minutes=31))
        self.assertEqual((hot.user_id, cold.user_id), (self.linh, self.somchai))
        self.assertEqual(
            self._reason(hot),
            "dispatched after 31 min unclaimed; VIP lead: senior members first: "
            "load balanced: 1 open, only eligible member",
        )
        self.assertEqual(
            self._reason(cold),
            "dispatched after 31 min unclaimed; load balanced: 0 open vs 0",
        )

    def test_test_routing_explains_the_vip_choice(self):
        """Test Routing (the dry run) decides VIP against the queue it tries:
        the lead has no queue yet."""
        queue = self._senior_queue()
        lead = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create(dict(HOT, name="Waiting", team_id=self.team.id, type="lead"))
        )
        self.assertFalse(lead.queue_id or lead.is_vip)
        wizard = self.env["crm.team.queue.simulation"].create(
            {
                "queue_id": queue.id,
                "scope": "domain",
                "lead_domain": f"[('id', '=', {lead.id})]",
            }
        )
        wizard.action_simulate()
        self.assertEqual(
            (wizard.line_ids.user_id, wizard.line_ids.reason),
            (self.linh, "VIP lead: senior members first: round robin: first turn"),
        )


@tagged("post_install", "-at_install")
class TestVipTierRpc(TwoTeamsRpcCase):
    """A rep and a team leader, over XML-RPC with their own logins, can set
    neither the VIP threshold of a queue nor the VIP flag of a lead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._two_teams_cast("vip", "VIP")
        cls.queue = cls.env["crm.team.queue"].create(
            {
                "name": "VIP Alpha Queue",
                "team_id": cls.alpha.id,
                "strategy": "round_robin",
                "notify_assignee": False,
                "activity_type_id": False,
                # Odoo predicts at most 99.99 %: only a won lead reaches it
                "vip_min_probability": 100,
                "member_ids": [Command.create({"user_id": cls.rep.id})],
            }
        )

    def test_rep_cannot_set_the_probability_threshold(self):
        for user in (self.rep, self.leader):
            self._refused(
                user,
                "crm.team.queue",
                "write",
                [self.queue.id],
                {"vip_min_probability": 1},
            )
        self.assertEqual(self.queue.vip_min_probability, 100)

    def test_rep_cannot_make_their_lead_vip(self):
        lead = self.env["crm.lead"].create(
            {"name": "Mine", "team_id": self.alpha.id, "type": "lead"}
        )
        self.assertEqual(lead.user_id, self.rep)
        self.assertFalse(lead.is_vip)
        self._refused(self.rep, "crm.lead", "write", [lead.id], {"is_vip": True})
        self.assertFalse(lead.is_vip)
        # the rep reads it
        read = self._rpc(self.rep, "crm.lead", "read", [lead.id], ["is_vip"])
        self.assertEqual(read[0]["is_vip"], False)
