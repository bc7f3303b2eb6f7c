"""Pool privacy on website visitors (website_crm): a visitor linked to a private
pool lead tells a rep who may not read the lead neither its contact details
nor, by a search on its leads, which visitor the lead came from."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.sales_team_queue.tests.test_pool_privacy import PoolPrivacyCase


@tagged("post_install", "-at_install")
class TestWebsiteVisitorPoolPrivacy(PoolPrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visitor = (
            cls.env["website.visitor"]
            .sudo()
            .create(
                {
                    "access_token": "f9d28aad05ebee0bca215837b129aa01",
                    "lead_ids": [Command.link(cls.lead.id)],
                }
            )
        )
        cls.by_lead = [("lead_ids", "in", cls.lead.ids)]

    def _visitor(self, user):
        self.env.invalidate_all()
        return self.visitor.with_user(user).read(["email", "mobile", "lead_count"])[0]

    def test_the_visitor_does_not_show_the_hidden_leads_contact(self):
        self.assertFalse(self.visitor.partner_id)
        contact = {"email": "anong@example.com", "mobile": "+66 81 234 5678"}
        for user in (self.leader, self.niran):
            with self.subTest(user=user.login):
                seen = self._visitor(user)
                self.assertEqual({k: seen[k] for k in contact}, contact)
                self.assertEqual(seen["lead_count"], 1)
        for user in (self.somchai, self.mai):
            with self.subTest(user=user.login):
                seen = self._visitor(user)
                self.assertEqual(
                    (seen["email"], seen["mobile"], seen["lead_count"]),
                    (False, False, 0),
                )
        # once the rep claims the lead, it is theirs to see
        self.lead.with_user(self.somchai).action_claim()
        self.assertEqual(self._visitor(self.somchai)["email"], contact["email"])

    def test_the_visitor_shows_the_leads_the_rep_may_read(self):
        own = self.env["crm.lead"].create(
            {
                "name": "Somchai's deal",
                "user_id": self.somchai.id,
                "email_from": "buyer@visible.example",
                "phone": "+66 2 765 4321",
            }
        )
        self.visitor.sudo().lead_ids |= own
        seen = self._visitor(self.somchai)
        self.assertEqual(
            (seen["email"], seen["mobile"], seen["lead_count"]),
            ("buyer@visible.example", own.phone, 1),
        )
        # the hidden lead is the newest, and what the leader sees first
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = create_date - interval '1 day' "
            "WHERE id = %s",
            [own.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self._visitor(self.leader)["email"], "anong@example.com")
        self.assertEqual(self._visitor(self.somchai)["email"], "buyer@visible.example")

    def test_a_search_by_the_hidden_lead_names_no_visitor(self):
        Visitor = self.env["website.visitor"]
        self.assertFalse(Visitor.with_user(self.somchai).search(self.by_lead))
        self.assertEqual(
            Visitor.with_user(self.leader).search(self.by_lead), self.visitor
        )

    def test_the_visitor_of_a_lost_lead_keeps_its_leads(self):
        """Website's clean-up of inactive visitors keeps those with leads
        (website_crm): a lost (archived) lead still counts, as in Odoo."""
        self.lead.action_set_lost()
        self.assertFalse(self.lead.active)
        has_none = [("id", "=", self.visitor.id), ("lead_ids", "=", False)]
        for Visitor in (
            self.env["website.visitor"].sudo(),
            self.env["website.visitor"].with_user(self.leader),
        ):
            with self.subTest(user=Visitor.env.user.login):
                self.assertFalse(Visitor.search(has_none))
