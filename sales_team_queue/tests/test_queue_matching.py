from odoo import Command
from odoo.tests import tagged

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestQueueMatching(QueueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Two queues of the same team: the specific one first, a catch-all second.
        cls.catch_all = cls._create_queue(users=cls.linh, name="Catch-all", sequence=20)

    def _specific(self, **criteria):
        return self._create_queue(
            users=self.somchai, name="Specific", sequence=10, **criteria
        )

    def _assert_routes(self, queue, matching, other):
        """A lead with ``matching`` values goes to ``queue``; one with ``other``
        values falls through to the catch-all queue."""
        lead = self._new_leads(1, **matching)
        self.assertEqual(lead.queue_id, queue, "matching lead")
        self.assertEqual(lead.user_id, self.somchai)
        lead = self._new_leads(1, **other)
        self.assertEqual(lead.queue_id, self.catch_all, "other lead")
        self.assertEqual(lead.user_id, self.linh)

    def test_first_matching_queue_by_sequence_wins(self):
        queue = self._specific()
        self.assertEqual(self._new_leads(1).queue_id, queue)

    def test_archived_queue_is_skipped(self):
        self._specific().action_archive()
        self.assertEqual(self._new_leads(1).queue_id, self.catch_all)

    def test_domain_criterion(self):
        queue = self._specific(domain="[('email_from', 'ilike', '@bigcorp.com')]")
        self._assert_routes(
            queue, {"email_from": "ceo@bigcorp.com"}, {"email_from": "a@small.com"}
        )

    def test_country_criterion(self):
        thailand = self.env.ref("base.th")
        queue = self._specific(country_ids=[Command.set(thailand.ids)])
        self._assert_routes(
            queue,
            {"country_id": thailand.id},
            {"country_id": self.env.ref("base.vn").id},
        )

    def test_state_criterion(self):
        states = self.env["res.country.state"].search([], limit=2)
        queue = self._specific(state_ids=[Command.set(states[:1].ids)])
        self._assert_routes(
            queue,
            {"state_id": states[0].id, "country_id": states[0].country_id.id},
            {"state_id": states[1].id, "country_id": states[1].country_id.id},
        )

    def test_zip_prefix_criterion(self):
        queue = self._specific(zip_prefixes="10, 11")
        self._assert_routes(queue, {"zip": "11 120"}, {"zip": "50200"})

    def test_zip_prefix_needs_a_zip(self):
        self._specific(zip_prefixes="10")
        self.assertEqual(self._new_leads(1, zip=False).queue_id, self.catch_all)

    def test_tag_criterion(self):
        vip, other = self.env["crm.tag"].create(
            [{"name": "Queue VIP"}, {"name": "Queue Other"}]
        )
        queue = self._specific(tag_ids=[Command.set(vip.ids)])
        self._assert_routes(
            queue,
            {"tag_ids": [Command.set((vip | other).ids)]},
            {"tag_ids": [Command.set(other.ids)]},
        )

    def test_customer_segment_criterion(self):
        segment = self.env["res.partner.category"].create({"name": "Hospitals"})
        hospital = self.env["res.partner"].create(
            {"name": "Hospital", "category_id": [Command.set(segment.ids)]}
        )
        shop = self.env["res.partner"].create({"name": "Shop"})
        queue = self._specific(partner_category_ids=[Command.set(segment.ids)])
        self._assert_routes(queue, {"partner_id": hospital.id}, {"partner_id": shop.id})

    def test_minimum_revenue_criterion(self):
        queue = self._specific(min_expected_revenue=10000)
        self._assert_routes(
            queue, {"expected_revenue": 10000}, {"expected_revenue": 9999}
        )

    def test_minimum_priority_criterion(self):
        queue = self._specific(min_priority="2")
        self._assert_routes(queue, {"priority": "3"}, {"priority": "1"})

    def test_language_criterion(self):
        english = self.env.ref("base.lang_en")
        other = (
            self.env["res.lang"]
            .with_context(active_test=False)
            .search([("id", "!=", english.id)], limit=1)
        )
        queue = self._specific(lang_ids=[Command.set(english.ids)])
        self._assert_routes(queue, {"lang_id": english.id}, {"lang_id": other.id})

    def test_source_criterion(self):
        web, fair = self.env["utm.source"].create([{"name": "Web"}, {"name": "Fair"}])
        queue = self._specific(source_ids=[Command.set(web.ids)])
        self._assert_routes(queue, {"source_id": web.id}, {"source_id": fair.id})

    def test_product_interest_criterion(self):
        pump, valve = self.env["product.template"].create(
            [{"name": "Pump"}, {"name": "Valve"}]
        )
        queue = self._specific(product_ids=[Command.set(pump.ids)])
        self._assert_routes(
            queue,
            {"product_interest_ids": [Command.set(pump.ids)]},
            {"product_interest_ids": [Command.set(valve.ids)]},
        )

    def test_product_category_criterion_includes_subcategories(self):
        machines = self.env["product.category"].create({"name": "Machines"})
        pumps = self.env["product.category"].create(
            {"name": "Pumps", "parent_id": machines.id}
        )
        pump = self.env["product.template"].create(
            {"name": "Pump", "categ_id": pumps.id}
        )
        pen = self.env["product.template"].create({"name": "Pen"})
        queue = self._specific(product_category_ids=[Command.set(machines.ids)])
        self._assert_routes(
            queue,
            {"product_interest_ids": [Command.set(pump.ids)]},
            {"product_interest_ids": [Command.set(pen.ids)]},
        )

    def test_criteria_are_combined(self):
        thailand = self.env.ref("base.th")
        queue = self._specific(
            country_ids=[Command.set(thailand.ids)], min_priority="2"
        )
        self._assert_routes(
            queue,
            {"country_id": thailand.id, "priority": "2"},
            {"country_id": thailand.id, "priority": "1"},
        )

    def test_lead_of_another_team_is_not_taken(self):
        self._specific()
        lead = self._new_leads(1, team_id=self.team_2.id)
        self.assertFalse(lead.queue_id)
        self.assertEqual(lead.queue_state, "unrouted")

    def test_lead_without_team_takes_the_team_of_its_queue(self):
        queue_2 = self._create_queue(users=self.mai, team=self.team_2, name="Team 2")
        lead = self._new_leads(1, team_id=False)
        # Queue Team comes first (team sequence): its queues are tried first.
        self.assertEqual(lead.team_id, self.team)
        thai = self.env.ref("base.th")
        self.catch_all.country_ids = [Command.set(thai.ids)]
        lead = self._new_leads(1, team_id=False, country_id=self.env.ref("base.vn").id)
        self.assertEqual((lead.queue_id, lead.team_id), (queue_2, self.team_2))
        self.assertEqual(lead.user_id, self.mai)

    def test_lead_of_another_company_is_not_taken(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.team.company_id = self.env.company
        self.env.user.company_ids |= other_company
        lead = self._new_leads(1, team_id=False, company_id=other_company.id)
        self.assertFalse(lead.queue_id)


@tagged("post_install", "-at_install")
class TestQueueMatchingSettingsChangedElsewhere(QueueCase):
    """Routing keeps the queues' settings in a cache: a change made through
    another model (a criterion's record deleted, a product category moved)
    reaches routing at once, as a change of the queue itself does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.catch_all = cls._create_queue(users=cls.linh, name="Catch-all", sequence=20)

    _specific = TestQueueMatching._specific

    def _route_once(self):
        # routing has read (and cached) the settings before the change
        self._new_leads(1)

    def test_deleted_tag_no_longer_restricts_the_queue(self):
        vip = self.env["crm.tag"].create({"name": "Queue VIP gone"})
        queue = self._specific(tag_ids=[Command.set(vip.ids)])
        self._route_once()
        vip.with_user(self.niran).unlink()
        self.assertFalse(queue.tag_ids)
        self.assertEqual(
            self._new_leads(1).queue_id, queue, "no tag left: every lead matches"
        )

    def test_deleted_source_no_longer_restricts_the_queue(self):
        source = self.env["utm.source"].create({"name": "Queue source gone"})
        queue = self._specific(source_ids=[Command.set(source.ids)])
        self._route_once()
        source.unlink()
        self.assertEqual(self._new_leads(1).queue_id, queue)

    def test_moved_product_category_keeps_matching_its_products(self):
        machines, parts = self.env["product.category"].create(
            [{"name": "Machines"}, {"name": "Parts"}]
        )
        pump = self.env["product.template"].create(
            {"name": "Pump", "categ_id": machines.id}
        )
        queue = self._specific(product_category_ids=[Command.set(machines.ids)])
        self._route_once()
        machines.parent_id = parts
        self.assertEqual(
            self._new_leads(1, product_interest_ids=[Command.set(pump.ids)]).queue_id,
            queue,
            "the pump is still in the queue's category",
        )
