from psycopg2.errors import UniqueViolation

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .stage_common import StageCase


@tagged("post_install", "-at_install")
class TestStageConfiguration(StageCase):
    def test_probability_outside_0_100_is_refused(self):
        for probability in (-1, 100.5, 150):
            with self.subTest(probability=probability):
                with self.assertRaises(ValidationError):
                    self.presented.probability = probability

    def test_won_stage_gets_100_on_save(self):
        stage = self.env["crm.stage"].create({"name": "Signed", "is_won": True})
        self.assertEqual(stage.probability, 100)
        self.quoted.is_won = True
        self.assertEqual(self.quoted.probability, 100)

    def test_won_stage_at_99_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "always 100"):
            self.won.probability = 99
        with self.assertRaisesRegex(ValidationError, "always 100"):
            self.env["crm.stage"].create(
                {"name": "Signed", "is_won": True, "probability": 99}
            )

    def test_new_lead_starts_in_the_team_default_stage(self):
        self.presented.is_default = True
        lead = self.env["crm.lead"].create({"name": "Lead", "team_id": self.team.id})
        self.assertEqual(lead.stage_id, self.presented)

    def test_team_without_default_starts_in_the_shared_default(self):
        shared = self.env["crm.stage"].create(
            {"name": "Shared Start", "sequence": 50, "is_default": True}
        )
        other_team = self.env["crm.team"].create({"name": "Other Team"})
        lead = self.env["crm.lead"].create({"name": "Lead", "team_id": other_team.id})
        self.assertEqual(lead.stage_id, shared)

    def test_team_default_wins_over_the_shared_default(self):
        self.env["crm.stage"].create(
            {"name": "Shared Start", "sequence": 50, "is_default": True}
        )
        self.quoted.is_default = True
        lead = self.env["crm.lead"].create({"name": "Lead", "team_id": self.team.id})
        self.assertEqual(lead.stage_id, self.quoted)

    def test_without_default_new_lead_starts_in_first_stage_as_in_odoo(self):
        lead = self.env["crm.lead"].create({"name": "Lead", "team_id": self.team.id})
        self.assertEqual(lead.stage_id, self.interested)

    def test_explicit_stage_of_a_new_lead_is_kept(self):
        self.presented.is_default = True
        lead = self._opportunity(stage_id=self.quoted.id)
        self.assertEqual(lead.stage_id, self.quoted)

    def test_marking_a_second_default_moves_the_mark(self):
        self.interested.is_default = True
        self.presented.is_default = True
        self.assertFalse(self.interested.is_default)
        self.assertTrue(self.presented.is_default)

    def test_default_of_another_scope_is_kept(self):
        shared = self.env["crm.stage"].create({"name": "Shared", "is_default": True})
        self.presented.is_default = True
        self.assertTrue(shared.is_default)
        self.assertTrue(self.presented.is_default)

    def test_two_defaults_in_one_save_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "one default stage per scope"):
            (self.interested | self.presented).is_default = True

    @mute_logger("odoo.sql_db")
    def test_database_refuses_two_defaults_in_one_scope(self):
        # Backs the ORM against two saves committed at the same time.
        self.interested.is_default = True
        self.env.flush_all()
        with self.assertRaises(UniqueViolation), self.env.cr.savepoint():
            self.env.cr.execute(
                "UPDATE crm_stage SET is_default = TRUE WHERE id = %s",
                [self.presented.id],
            )

    def test_won_stage_cannot_be_default(self):
        with self.assertRaisesRegex(ValidationError, "cannot be the default"):
            self.won.is_default = True


@tagged("post_install", "-at_install")
class TestStageProbabilityMode(StageCase):
    def test_predictive_is_the_default_mode(self):
        team = self.env["crm.team"].create({"name": "New Team"})
        self.assertEqual(team.probability_mode, "predictive")

    def test_stage_mode_lead_takes_stage_probability_on_create(self):
        self._set_mode("stage")
        lead = self._opportunity(stage_id=self.presented.id)
        self.assertEqual(lead.probability, 20)

    def test_stage_mode_lead_in_default_stage_takes_its_probability(self):
        self._set_mode("stage")
        self.quoted.is_default = True
        lead = self.env["crm.lead"].create({"name": "Lead", "team_id": self.team.id})
        self.assertEqual((lead.stage_id, lead.probability), (self.quoted, 50))

    def test_stage_mode_stage_change_sets_probability(self):
        self._set_mode("stage")
        lead = self._opportunity()
        lead.stage_id = self.quoted
        self.assertEqual(lead.probability, 50)

    def test_stage_mode_typed_probability_is_kept_until_next_stage_change(self):
        self._set_mode("stage")
        lead = self._opportunity()
        lead.probability = 35
        lead.write({"description": "Call back Monday"})
        self.assertEqual(lead.probability, 35)
        lead.stage_id = self.presented
        self.assertEqual(lead.probability, 20)

    def test_stage_mode_probability_given_with_the_stage_is_kept(self):
        self._set_mode("stage")
        lead = self._opportunity(probability=5)
        self.assertEqual(lead.probability, 5)
        lead.write({"stage_id": self.quoted.id, "probability": 45})
        self.assertEqual(lead.probability, 45)

    def test_stage_mode_won_sets_100(self):
        self._set_mode("stage")
        lead = self._opportunity()
        lead.action_set_won()
        self.assertEqual((lead.stage_id, lead.probability), (self.won, 100))

    def test_stage_mode_lost_sets_0(self):
        self._set_mode("stage")
        lead = self._opportunity(stage_id=self.quoted.id)
        lead.action_set_lost()
        self.assertEqual((lead.active, lead.probability), (False, 0))

    def test_stage_mode_archived_by_write_sets_0(self):
        self._set_mode("stage")
        lead = self._opportunity(stage_id=self.quoted.id)
        lead.active = False
        self.assertEqual(lead.probability, 0)

    def test_stage_mode_restore_takes_stage_probability_again(self):
        self._set_mode("stage")
        lead = self._opportunity(stage_id=self.quoted.id)
        lead.action_set_lost()
        lead.toggle_active()
        self.assertEqual((lead.active, lead.probability), (True, 50))

    def test_stage_mode_lead_moved_while_lost_stays_at_0(self):
        self._set_mode("stage")
        lead = self._opportunity()
        lead.action_set_lost()
        lead.stage_id = self.quoted
        self.assertEqual(lead.probability, 0)

    def test_stage_mode_mixed_batch_follows_each_team(self):
        self._set_mode("stage")
        predictive_team = self.env["crm.team"].create({"name": "Predictive Team"})
        stage_lead = self._opportunity()
        predictive_lead = self._opportunity(team_id=predictive_team.id)
        (stage_lead | predictive_lead).stage_id = self.quoted
        self.assertEqual(stage_lead.probability, 50)
        self.assertEqual(
            predictive_lead.probability, predictive_lead.automated_probability
        )

    def test_predictive_mode_keeps_odoo_scoring(self):
        lead = self._opportunity()
        lead.stage_id = self.quoted
        self.assertNotEqual(lead.probability, 50)
        self.assertTrue(lead.is_automated_probability)

    def _seed_scoring(self):
        """Past results of the team: won leads had a phone, lost ones had none,
        so Odoo's scoring puts a lead with a phone near 100 and one without
        near 0."""
        phone = {"phone": "+32 456 00 11 22"}
        won = self._opportunity("W1", **phone) | self._opportunity("W2", **phone)
        won.action_set_won()
        lost = self._opportunity("L1") | self._opportunity("L2")
        lost.action_set_lost()
        lead = self._opportunity("Scored", **phone)
        self.assertTrue(lead.is_automated_probability)
        self.assertGreater(lead.probability, 90)
        return lead

    def test_predictive_scoring_rescores_predictive_leads(self):
        lead = self._seed_scoring()
        lead.phone = False
        self.assertLess(lead.probability, 10)

    def test_predictive_scoring_leaves_stage_mode_leads_alone(self):
        lead = self._seed_scoring()
        probability = lead.probability
        self._set_mode("stage")
        lead.phone = False
        self.env["crm.lead"]._cron_update_automated_probabilities()
        lead.invalidate_recordset()
        self.assertEqual(lead.probability, probability)

    def test_new_lead_form_shows_stage_probability(self):
        self._set_mode("stage")
        form = Form(
            self.env["crm.lead"].with_context(
                default_team_id=self.team.id, default_type="opportunity"
            )
        )
        form.name = "Form Lead"
        form.stage_id = self.quoted
        self.assertEqual(form.probability, 50)
        lead = form.save()
        self.assertEqual(lead.probability, 50)


@tagged("post_install", "-at_install")
class TestApplyStageProbabilities(StageCase):
    def setUp(self):
        super().setUp()
        self.open_leads = self._opportunity("A") | self._opportunity(
            "B", stage_id=self.quoted.id
        )
        self.lost = self._opportunity("Lost")
        self.lost.action_set_lost()
        self.typed = self._opportunity("Typed", stage_id=self.presented.id)
        self._set_mode("stage")

    def test_switching_to_stage_mode_counts_open_leads_off_their_stage(self):
        self.typed.probability = 20  # already at its stage's value
        self.assertEqual(self.team.stage_probability_lead_count, 2)

    def test_apply_gives_open_leads_their_stage_probability(self):
        self.team.action_apply_stage_probabilities()
        self.assertEqual(self.open_leads.mapped("probability"), [10, 50])
        self.assertEqual(self.typed.probability, 20)
        self.assertEqual(self.lost.probability, 0)
        self.assertEqual(self.team.stage_probability_lead_count, 0)
