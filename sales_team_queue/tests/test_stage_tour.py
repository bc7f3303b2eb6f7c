from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestStageHistoryTour(HttpCase):
    def test_rep_drags_an_opportunity_and_sees_probability_and_history(self):
        stages = {
            "crm.stage_lead1": 10,
            "crm.stage_lead2": 30,
            "crm.stage_lead3": 60,
        }
        for xmlid, probability in stages.items():
            self.env.ref(xmlid).probability = probability
        admin = self.env.ref("base.user_admin")
        team = self.env["crm.team"].create(
            {
                "name": "Tour Stage Team",
                "probability_mode": "stage",
                "member_ids": [Command.link(admin.id)],
            }
        )
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
