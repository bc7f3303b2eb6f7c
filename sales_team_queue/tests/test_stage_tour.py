"""The stage history in a real browser: a rep drags an opportunity to the next
stage, sees its probability follow the stage and the move in its history."""

from odoo.tests import tagged

from .common import TourCase


@tagged("post_install", "-at_install")
class TestStageHistoryTour(TourCase):
    def test_rep_drags_an_opportunity_and_sees_probability_and_history(self):
        stages = {
            "crm.stage_lead1": 10,
            "crm.stage_lead2": 30,
            "crm.stage_lead3": 60,
        }
        for xmlid, probability in stages.items():
            self.env.ref(xmlid).probability = probability
        admin = self.env.ref("base.user_admin")
        team = self._tour_team("Tour Stage Team", admin, probability_mode="stage")
        lead = self.env["crm.lead"].create(
            {
                "name": "Tour Stage Lead",
                "type": "opportunity",
                "team_id": team.id,
                "user_id": admin.id,
                "stage_id": self.env.ref("crm.stage_lead1").id,
            }
        )
        self.assertEqual(lead.probability, 10)

        self.start_tour("/odoo", "sales_team_queue_stage_history", login="admin")

        self.assertEqual(lead.stage_id, self.env.ref("crm.stage_lead2"))
        self.assertEqual(lead.probability, 30)
        self.assertEqual(
            [
                (line.event, line.previous_stage_id.id, line.stage_id.id)
                for line in lead.stage_history_ids
            ],
            [
                ("stage", self.env.ref("crm.stage_lead1").id, lead.stage_id.id),
                ("create", False, self.env.ref("crm.stage_lead1").id),
            ],
        )
        self.assertEqual(lead.stage_history_ids[0].user_id, admin)
