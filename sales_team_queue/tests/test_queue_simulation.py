from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestQueueSimulation(QueueCase):
    """The "Test Routing" dry run of a queue: where each lead would go and why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only the leads a test creates wait for a salesperson (not the demo's).
        cls.env["crm.lead"].search([("user_id", "=", False)]).with_context(
            tracking_disable=True
        ).write({"active": False})

    def _unrouted_leads(self, count, **vals):
        """Leads without salesperson that no queue has placed yet (created while
        routing was off, like leads that arrived before the queues existed)."""
        values = {"team_id": self.team.id, "user_id": False, "type": "lead"}
        values.update(vals)
        return (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create([dict(values, name=f"Waiting {index}") for index in range(count)])
        )

    def _simulate(self, queue, **vals):
        """Run the test as the "Test Again" button does and return its lines,
        one per lead, oldest lead first."""
        wizard = queue.env["crm.team.queue.simulation"].create(
            dict({"queue_id": queue.id}, **vals)
        )
        wizard.action_simulate()
        return wizard, wizard.line_ids.sorted(lambda line: line.lead_id.id)

    def _snapshot(self, leads, queues):
        """Everything routing could change: owners, queues, states, stages, SLA,
        the ledger, the fairness pointers, activities and messages."""
        self.env.flush_all()
        self.env.invalidate_all()
        return {
            "leads": [
                (
                    lead.user_id.id,
                    lead.queue_id.id,
                    lead.queue_state,
                    lead.team_id.id,
                    lead.stage_id.id,
                    lead.sla_deadline,
                    lead.write_date,
                )
                for lead in leads
            ],
            "ledger": self.env["crm.lead.assignment"].search_count([]),
            "pointers": [
                (queue.rr_last_member_id, queue.rr_last_sequence, queue.write_date)
                for queue in queues
            ],
            "credits": [
                (member.wrr_current, member.write_date)
                for member in queues.with_context(active_test=False).member_ids
            ],
            "activities": self.env["mail.activity"].search_count([]),
            "messages": self.env["mail.message"].search_count([]),
            "notifications": self.env["mail.notification"].search_count([]),
        }

    def test_test_routing_opens_on_where_each_lead_would_go_and_why(self):
        queue = self._create_queue()
        leads = self._unrouted_leads(4)
        form = Form(
            self.env["crm.team.queue.simulation"].with_context(
                default_queue_id=queue.id
            )
        )
        self.assertEqual(form.lead_total, 4)
        self.assertEqual(form.assigned_total, 4)
        self.assertEqual(form.this_queue_total, 4)
        users = self.env["res.users"].browse
        result = {
            line["lead_id"]: (
                users(line["user_id"]).name,
                line["queue_id"],
                line["reason"],
            )
            for line in form.line_ids._records
        }
        self.assertEqual(
            [result[lead.id] for lead in leads],
            [
                ("Somchai", queue.id, "round robin: first turn"),
                ("Wei", queue.id, "round robin: next after Somchai"),
                ("Linh", queue.id, "round robin: next after Wei"),
                ("Somchai", queue.id, "round robin: next after Linh"),
            ],
        )

    def test_test_routing_writes_nothing(self):
        thailand = self.env.ref("base.th")
        round_robin = self._create_queue(
            sequence=1,
            country_ids=[thailand.id],
            activity_type_id=self.env.ref("mail.mail_activity_data_todo").id,
            notify_assignee=True,
            sla_hours=4,
        )
        weighted = self._create_queue(
            sequence=2,
            members=[
                {"user_id": self.somchai.id, "weight": 1},
                {"user_id": self.wei.id, "weight": 2},
            ],
            strategy="weighted",
            notify_assignee=True,
        )
        queues = round_robin | weighted
        self._new_leads(1, country_id=thailand.id)  # the pointer is set
        in_thailand = self._unrouted_leads(2, country_id=thailand.id)
        leads = in_thailand | self._unrouted_leads(2)
        before = self._snapshot(leads, queues)
        _wizard, lines = self._simulate(round_robin)
        self.assertEqual(lines.mapped("outcome"), ["assigned"] * 4)
        self.assertEqual(lines.queue_id, queues)
        self.assertEqual(self._snapshot(leads, queues), before)
        # The same leads really routed change every part of the snapshot.
        leads.action_route()
        after = self._snapshot(leads, queues)
        for key in ("leads", "ledger", "pointers", "credits", "activities"):
            self.assertNotEqual(after[key], before[key], key)

    def test_test_routing_predicts_what_routing_then_does(self):
        queue = self._create_queue(
            members=[
                {"user_id": self.somchai.id, "weight": 1},
                {"user_id": self.wei.id, "weight": 3},
                {"user_id": self.linh.id, "weight": 2},
            ],
            strategy="weighted",
        )
        self._new_leads(2)  # the turn credits are no longer at zero
        leads = self._unrouted_leads(7)
        _wizard, lines = self._simulate(queue)
        predicted = [(line.lead_id, line.user_id) for line in lines]
        leads.action_route()
        self.assertEqual(predicted, [(lead, lead.user_id) for lead in leads])

    def test_test_routing_explains_overflow_to_the_team_leader(self):
        queue = self._create_queue(overflow="leader")
        queue.member_ids.active = False
        self._unrouted_leads(1)
        _wizard, lines = self._simulate(queue)
        self.assertEqual(
            (lines.outcome, lines.user_id, lines.reason),
            (
                "assigned",
                self.niran,
                "overflow: team leader (no eligible member: Somchai paused, "
                "Wei paused, Linh paused)",
            ),
        )

    def test_test_routing_shows_pool_and_leads_no_queue_matches(self):
        pool = self._create_queue(
            strategy="pool", country_ids=[self.env.ref("base.th").id]
        )
        in_pool = self._unrouted_leads(1, country_id=self.env.ref("base.th").id)
        unmatched = self._unrouted_leads(1, country_id=self.env.ref("base.vn").id)
        wizard, lines = self._simulate(pool)
        by_lead = {line.lead_id: line for line in lines}
        self.assertEqual(
            (by_lead[in_pool].outcome, by_lead[in_pool].queue_id), ("pool", pool)
        )
        self.assertFalse(by_lead[in_pool].user_id)
        self.assertEqual(
            (by_lead[unmatched].outcome, by_lead[unmatched].reason),
            ("unrouted", "matches no queue"),
        )
        self.assertEqual((wizard.pool_total, wizard.unrouted_total), (1, 1))

    def test_test_routing_names_the_queue_that_takes_the_lead_first(self):
        thailand = self._create_queue(
            name="Thailand", sequence=1, country_ids=[self.env.ref("base.th").id]
        )
        everyone = self._create_queue(name="Everyone", sequence=2)
        lead = self._unrouted_leads(1, country_id=self.env.ref("base.th").id)
        wizard, lines = self._simulate(everyone)
        self.assertEqual(
            lines.filtered(lambda line: line.lead_id == lead).queue_id, thailand
        )
        self.assertEqual(wizard.this_queue_total, 0)

    def test_test_routing_on_a_filter_includes_assigned_leads(self):
        queue = self._create_queue()
        owned = self._new_leads(1, name="Owned by Somchai")
        self.assertEqual(owned.user_id, self.somchai)
        self._unrouted_leads(2)
        _wizard, lines = self._simulate(
            queue, scope="domain", lead_domain=f"[('id', '=', {owned.id})]"
        )
        self.assertEqual(lines.lead_id, owned)
        self.assertEqual(lines.current_user_id, self.somchai)
        self.assertEqual(lines.user_id, self.wei)

    def test_test_routing_refuses_a_broken_filter(self):
        queue = self._create_queue()
        with self.assertRaisesRegex(UserError, "The filter is not valid"):
            self._simulate(
                queue, scope="domain", lead_domain="[('no_such_field', '=', 1)]"
            )

    def test_test_routing_is_for_the_team_leader_and_sales_managers(self):
        queue = self._create_queue()
        self._unrouted_leads(1)
        Wizard = self.env["crm.team.queue.simulation"]
        with self.assertRaises(AccessError):
            Wizard.with_user(self.somchai).create(
                {"queue_id": queue.id}
            ).action_simulate()
        _wizard, lines = self._simulate(queue.with_user(self.niran))
        self.assertEqual(lines.user_id, self.somchai)
        # a leader who is not a sales manager: their own team's queues only
        leader = new_test_user(
            self.env,
            login="q_sim_leader",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        self.team_2.user_id = leader
        other = self._create_queue(team=self.team_2, users=self.mai)
        self._unrouted_leads(1, team_id=self.team_2.id)
        _wizard, lines = self._simulate(
            other.with_user(leader), scope="all_teams", limit=0
        )
        self.assertTrue(lines, "the leader tests their queue")
        self.assertFalse(
            lines.lead_id.filtered(lambda lead: lead.team_id == self.team),
            "nor the leads of another team",
        )
        with self.assertRaises(AccessError):
            self._simulate(queue.with_user(leader))

    def test_a_manager_of_another_company_learns_nothing_of_a_queue(self):
        self.team.write({"company_id": self.env.company.id, "name": "Quokka Sales"})
        queue = self._create_queue()
        queue.name = "Zebra Intake"
        self.assertEqual(queue.company_id, self.env.company)
        company = self.env["res.company"].create({"name": "Sim Other Co"})
        manager = new_test_user(
            self.env,
            login="q_sim_other_co",
            groups="sales_team.group_sale_manager",
            company_id=company.id,
            company_ids=[company.id],
        )
        Wizard = self.env["crm.team.queue.simulation"].with_user(manager)
        spec = {"queue_id": {"fields": {"display_name": {}}}, "team_id": {}}
        for attempt in (
            lambda: Wizard.create({"queue_id": queue.id}).read(["queue_id"]),
            lambda: Wizard.onchange({"queue_id": queue.id}, ["queue_id"], spec),
        ):
            with self.assertRaises(AccessError) as refused:
                attempt()
            self.assertNotIn(queue.name, str(refused.exception))
            self.assertNotIn(self.team.name, str(refused.exception))
