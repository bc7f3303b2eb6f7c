from odoo.exceptions import AccessError
from odoo.fields import Date
from odoo.tests import tagged
from odoo.tools.misc import format_date

from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestAccountOwner(QueueCase):
    """Returning customers go to their salesperson (``route_to_account_owner``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.siam = Partner.create(
            {"name": "Siam Co.", "is_company": True, "user_id": cls.wei.id}
        )
        cls.anna = Partner.create(
            {
                "name": "Anna",
                "parent_id": cls.siam.id,
                "email": "anna@siamco.example",
            }
        )
        cls.month = format_date(cls.env, Date.today(), date_format="MMM y")

    def _account_queue(self, **vals):
        return self._create_queue(route_to_account_owner=True, **vals)

    def _reason(self, lead):
        return self._last_line(lead).reason

    def test_off_by_default_the_strategy_decides(self):
        queue = self._create_queue()
        self.assertFalse(queue.route_to_account_owner)
        lead = self._new_leads(partner_id=self.anna.id)
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(self._reason(lead), "round robin: first turn")

    def test_the_customer_salesperson_gets_the_lead_of_a_contact(self):
        self._account_queue()
        lead = self._new_leads(partner_id=self.anna.id)
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(
            self._reason(lead), "returning customer: Siam Co. is Wei's account"
        )
        again = self._new_leads(partner_id=self.siam.id)
        self.assertEqual(again.user_id, self.wei)
        self.assertEqual(
            self._reason(again),
            f"returning customer: Siam Co. is Wei's account since {self.month}",
        )

    def test_a_lead_of_the_company_email_domain_finds_the_account(self):
        self._account_queue()
        lead = self._new_leads(email_from="Boss <boss@SiamCo.example>")
        self.assertEqual(lead.user_id, self.wei)
        self.assertIn("Siam Co. is Wei's account", self._reason(lead))

    def test_a_domain_of_several_companies_finds_nobody(self):
        self._account_queue()
        fake = self.env["res.partner"].create(
            {"name": "Siam Co. (fake)", "is_company": True, "user_id": self.linh.id}
        )
        self.env["res.partner"].create(
            {"name": "Fake", "parent_id": fake.id, "email": "x@siamco.example"}
        )
        lead = self._new_leads(email_from="boss@siamco.example")
        self.assertEqual(lead.user_id, self.somchai, "the strategy decides")
        self.assertEqual(self._reason(lead), "round robin: first turn")

    def test_public_mail_domains_and_unknown_domains_match_no_account(self):
        self._account_queue()
        self.anna.copy({"email": "anna.siam@gmail.com"})
        gmail = self._new_leads(email_from="someone@gmail.com")
        unknown = self._new_leads(email_from="someone@nowhere.example")
        self.assertEqual(self._owners(gmail | unknown), ["Somchai", "Wei"])
        self.env["ir.config_parameter"].set_param(
            "sales_team_queue.public_mail_domains", "siamco.example"
        )
        listed = self._new_leads(email_from="boss@siamco.example")
        self.assertEqual(listed.user_id, self.linh)

    def test_the_companies_using_odoo_are_nobodys_account(self):
        self._account_queue()
        self.env.company.partner_id.write(
            {"email": "info@ourcompany.example", "user_id": self.wei.id}
        )
        lead = self._new_leads(email_from="colleague@ourcompany.example")
        self.assertEqual(lead.user_id, self.somchai)

    def test_without_salesperson_the_owner_of_open_opportunities(self):
        self._account_queue()
        self.siam.user_id = False
        self.env["crm.lead"].create(
            [
                {
                    "name": f"Deal {index}",
                    "type": "opportunity",
                    "partner_id": self.anna.id,
                    "user_id": user.id,
                    "team_id": self.team.id,
                }
                for index, user in enumerate([self.linh, self.linh, self.somchai])
            ]
        )
        lead = self._new_leads(email_from="new@siamco.example")
        self.assertEqual(lead.user_id, self.linh)
        self.assertEqual(
            self._reason(lead),
            f"returning customer: Siam Co. is Linh's account since {self.month}",
        )

    def test_an_owner_who_may_not_take_it_is_skipped_and_the_reason_says_why(self):
        queue = self._account_queue()
        self._member(queue, self.wei).active = False
        lead = self._new_leads(partner_id=self.anna.id)
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(
            self._reason(lead),
            "returning customer (Wei paused); round robin: first turn",
        )
        self.siam.user_id = self.mai
        lead = self._new_leads(partner_id=self.anna.id)
        self.assertEqual(lead.user_id, self.linh)
        self.assertEqual(
            self._reason(lead),
            "returning customer (Mai not a member of this queue); "
            "round robin: next after Somchai",
        )

    def test_a_pool_queue_gives_returning_customers_to_their_owner(self):
        self._account_queue(strategy="pool")
        known = self._new_leads(partner_id=self.anna.id)
        other = self._new_leads(email_from="x@nowhere.example")
        self.assertEqual(known.user_id, self.wei)
        self.assertEqual(known.queue_state, "assigned")
        self.assertFalse(other.user_id)
        self.assertEqual(other.queue_state, "pool")

    def test_counted_as_a_turn_round_robin_skips_the_owners_next_turn(self):
        self._account_queue()
        account = self._new_leads(partner_id=self.anna.id)
        self.assertEqual(account.user_id, self.wei)
        leads = self._new_leads(5)
        # Wei's turn in the first round was the customer's lead.
        self.assertEqual(
            self._owners(leads), ["Somchai", "Linh", "Somchai", "Wei", "Linh"]
        )

    def test_counted_as_a_turn_the_daily_cap_holds(self):
        queue = self._account_queue()
        self._member(queue, self.wei).daily_cap = 1
        first = self._new_leads(partner_id=self.anna.id)
        second = self._new_leads(partner_id=self.anna.id)
        self.assertEqual(first.user_id, self.wei)
        self.assertEqual(second.user_id, self.somchai)
        self.assertEqual(
            self._reason(second),
            "returning customer (Wei at daily cap (1 of 1)); round robin: first turn",
        )

    def test_not_counted_the_owner_gets_it_past_caps_and_keeps_their_turns(self):
        queue = self._account_queue(account_owner_counts_as_turn=False)
        self._member(queue, self.wei).daily_cap = 1
        accounts = self._new_leads(2, partner_id=self.anna.id)
        self.assertEqual(self._owners(accounts), ["Wei", "Wei"])
        leads = self._new_leads(4)
        # Neither the rotation nor Wei's cap of one lead a day counted them.
        self.assertEqual(self._owners(leads), ["Somchai", "Wei", "Linh", "Somchai"])

    def test_not_counted_through_an_overflow_either(self):
        # reached through another queue's overflow, the reason is wrapped
        # ("from queue ...: returning customer ..."): still not a lead of the
        # day against the owner's cap
        self._create_queue(
            users=self.linh, sequence=1, overflow="next_queue", name="First"
        ).member_ids.active = False
        queue = self._account_queue(sequence=2, account_owner_counts_as_turn=False)
        self._member(queue, self.wei).daily_cap = 1
        accounts = self._new_leads(2, partner_id=self.anna.id)
        self.assertEqual(self._owners(accounts), ["Wei", "Wei"])
        self.assertIn("returning customer", self._reason(accounts[1]))
        today = self.env["crm.team.queue"]._routing_assigned_today(queue, self.wei)
        self.assertEqual(today[(queue.id, self.wei.id)], 0)

    def test_weighted_charges_the_owners_credit(self):
        queue = self._account_queue(
            strategy="weighted",
            members=[
                {"user_id": self.somchai.id, "weight": 1},
                {"user_id": self.wei.id, "weight": 1},
            ],
        )
        self._new_leads(partner_id=self.anna.id)
        # As if Wei had taken a turn: Somchai takes the next two.
        self.assertEqual(self._member(queue, self.wei).wrr_current, -1)
        leads = self._new_leads(3)
        self.assertEqual(self._owners(leads), ["Somchai", "Somchai", "Wei"])

    def test_changing_strategy_forgets_owed_turns(self):
        queue = self._account_queue()
        self._new_leads(partner_id=self.anna.id)
        self.assertEqual(self._member(queue, self.wei).wrr_current, -1)
        queue.strategy = "weighted"
        self.assertEqual(self._member(queue, self.wei).wrr_current, 0)

    def test_test_routing_shows_the_match(self):
        queue = self._account_queue()
        self._new_leads(partner_id=self.siam.id)
        lead = (
            self.env["crm.lead"]
            .with_context(**ROUTING_OFF)
            .create(
                {
                    "name": "Again",
                    "team_id": self.team.id,
                    "user_id": False,
                    "partner_id": self.anna.id,
                }
            )
        )
        wizard = self.env["crm.team.queue.simulation"].create({"queue_id": queue.id})
        wizard.action_simulate()
        line = wizard.line_ids.filtered(lambda line: line.lead_id == lead)
        self.assertEqual(line.user_id, self.wei)
        self.assertEqual(
            line.reason,
            f"returning customer: Siam Co. is Wei's account since {self.month}",
        )

    def test_matching_a_batch_costs_the_same_queries_for_1_or_20_leads(self):
        self._account_queue()
        companies = self.env["res.partner"].create(
            [
                {
                    "name": f"Company {index}",
                    "is_company": True,
                    "user_id": (self.somchai, self.wei, self.linh)[index % 3].id,
                    "email": f"info@company{index}.example",
                }
                for index in range(20)
            ]
        )
        queue_model = self.env["crm.team.queue"]

        def leads(count):
            return self.env["crm.lead"].create(
                [
                    {"name": f"L{index}", "email_from": f"x@company{index}.example"}
                    for index in range(count)
                ]
            )

        one, twenty = leads(1), leads(20)
        # the first run fills the caches (rules, system parameters)
        self._queries(lambda: queue_model._account_matches(one))
        count_one = self._queries(lambda: queue_model._account_matches(one))
        count_twenty = self._queries(lambda: queue_model._account_matches(twenty))
        self.assertEqual(count_one, count_twenty)
        self.assertLessEqual(count_one, 5)
        self.assertEqual(len(queue_model._account_matches(twenty)), len(companies))

    def test_the_assignment_report_counts_returning_customers(self):
        self._account_queue()
        leads = self._new_leads(partner_id=self.anna.id) | self._new_leads(2)
        self.env.flush_all()
        rows = self.env["crm.lead.assignment.report"].search(
            [("lead_id", "in", leads.ids)]
        )
        self.assertEqual(sum(rows.mapped("account_count")), 1)
        self.assertEqual(rows.filtered("account_count").user_id, self.wei)

    def test_a_rep_cannot_switch_it_on(self):
        queue = self._create_queue()
        with self.assertRaises(AccessError):
            queue.with_user(self.somchai).write({"route_to_account_owner": True})
