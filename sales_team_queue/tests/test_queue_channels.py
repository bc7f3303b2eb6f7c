from odoo import Command
from odoo.tests import Form, tagged

from odoo.addons.crm.tests.common import INCOMING_EMAIL

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestQueueChannels(QueueCase):
    def test_form_lead_is_routed_when_saved(self):
        self._create_queue()
        form = Form(self.env["crm.lead"].with_context(default_team_id=self.team.id))
        self.assertFalse(form.user_id, "the queue picks the salesperson")
        form.name = "From the form"
        lead = form.save()
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(lead.queue_state, "assigned")

    def test_rep_keeps_the_lead_they_create_in_the_form(self):
        self._create_queue()
        form = Form(self.env["crm.lead"].with_user(self.wei))
        self.assertEqual(form.user_id, self.wei)
        form.name = "Walk-in met by Wei"
        lead = form.save()
        self.assertEqual(lead.user_id, self.wei)
        self.assertFalse(lead.queue_id)

    def test_lead_entered_by_a_manager_outside_the_team_is_routed(self):
        self._create_queue()
        form = Form(self.env["crm.lead"].with_user(self.niran))
        self.assertFalse(form.user_id, "the queue picks the salesperson")
        self.assertEqual(form.team_id, self.team)
        form.name = "Phone call taken by the leader"
        lead = form.save()
        self.assertEqual(lead.user_id, self.somchai)

    def test_rpc_create_without_owner_is_routed(self):
        queue = self._create_queue()
        lead = self.env["crm.lead"].create({"name": "RPC", "team_id": self.team.id})
        self.assertEqual((lead.queue_id, lead.user_id), (queue, self.somchai))

    def test_lead_created_with_an_owner_is_not_rerouted(self):
        self._create_queue()
        lead = self.env["crm.lead"].create(
            {"name": "Mine", "team_id": self.team.id, "user_id": self.wei.id}
        )
        self.assertEqual(lead.user_id, self.wei)
        self.assertFalse(lead.queue_id)
        # Given at creation: a change of owner all the same, in the ledger.
        line = lead.assignment_ids
        self.assertEqual(
            (line.user_id, line.previous_user_id, line.method, line.reason),
            (
                self.wei,
                self.env["res.users"],
                "manual",
                "salesperson given when the lead was created",
            ),
        )

    def test_team_without_queue_keeps_odoo_default_owner(self):
        self._create_queue()
        lead = (
            self.env["crm.lead"]
            .with_user(self.mai)
            .create({"name": "Team 2", "team_id": self.team_2.id})
        )
        self.assertEqual(lead.user_id, self.mai)

    def test_website_style_lead_without_user_is_routed(self):
        queue = self._create_queue()
        lead = (
            self.env["crm.lead"]
            .sudo()
            .create(
                {"name": "Contact us", "user_id": False, "email_from": "x@example.com"}
            )
        )
        self.assertEqual((lead.queue_id, lead.team_id), (queue, self.team))
        self.assertEqual(lead.user_id, self.somchai)

    def test_import_routes_each_row(self):
        self._create_queue()
        result = self.env["crm.lead"].load(
            ["name", "team_id/.id"],
            [["Imported 1", str(self.team.id)], ["Imported 2", str(self.team.id)]],
        )
        self.assertFalse(result["messages"])
        leads = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(self._owners(leads), ["Somchai", "Wei"])

    def test_email_to_team_alias_creates_a_routed_lead(self):
        queue = self._create_queue(notify_assignee=True)
        with self.mock_mail_gateway():
            lead = self.format_and_process(
                INCOMING_EMAIL,
                "customer@example.com",
                f"queue.team@{self.alias_domain}",
                subject="Quote for 20 pumps",
                target_model="crm.lead",
            )
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual((lead.queue_id, lead.user_id), (queue, self.somchai))
        self.assertEqual(
            self.env["mail.notification"].search_count(
                [("res_partner_id", "=", self.somchai.partner_id.id)]
            ),
            1,
        )

    def test_action_route_places_unrouted_leads(self):
        leads = self._new_leads(2)
        self.assertEqual(set(leads.mapped("queue_state")), {"unrouted"})
        self._create_queue()
        result = leads.action_route()
        self.assertEqual(self._owners(leads), ["Somchai", "Wei"])
        self.assertIn("2 assigned", result["params"]["message"])

    def test_action_route_leaves_owned_leads_alone(self):
        lead = self.env["crm.lead"].create(
            {"name": "Owned", "team_id": self.team.id, "user_id": self.wei.id}
        )
        self._create_queue()
        lead.action_route()
        self.assertEqual(lead.user_id, self.wei)
        self.assertFalse(lead.assignment_ids)

    def test_backlog_cron_routes_leads_created_while_engine_was_off(self):
        old = self._new_leads(2)
        queue = self._create_queue()
        self.env["crm.lead"]._cron_route_backlog()
        self.assertEqual(old.queue_id, queue)
        self.assertEqual(len(old.user_id), 2, "two different reps in turn")
        self.assertLessEqual(old.user_id, self.reps)

    def test_odoo_assignment_skips_teams_with_queues(self):
        leads = self._new_leads(3)
        leads_2 = self._new_leads(2, team_id=self.team_2.id)
        self.team_2.crm_team_member_ids.assignment_max = 30000
        self._create_queue(users=self.somchai, strategy="pool")
        (self.team | self.team_2)._action_assign_leads(
            force_quota=True, creation_delta_days=0
        )
        self.assertFalse(leads.user_id, "the team with a queue is left to the queue")
        self.assertEqual(leads_2.user_id, self.mai, "Odoo still assigns other teams")

    def test_opportunity_without_owner_is_routed(self):
        self._create_queue()
        opportunity = self.env["crm.lead"].create(
            {
                "name": "Opp",
                "type": "opportunity",
                "team_id": self.team.id,
                "user_id": False,
                "tag_ids": [Command.clear()],
            }
        )
        self.assertEqual(opportunity.user_id, self.somchai)
