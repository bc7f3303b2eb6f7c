"""The resellers' actions and the partnership analysis with pool privacy
(website_crm_partner_assign): an employee cannot change a pool lead, or another
salesperson's, through the actions Odoo runs as superuser for resellers, nor
count a reseller's hidden leads."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.sales_team_queue.tests.test_pool_privacy import PoolPrivacyCase


@tagged("post_install", "-at_install")
class TestResellerActionsPerimeter(PoolPrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reseller = cls.env["res.partner"].create(
            {"name": "Reseller Co", "is_company": True}
        )
        cls.own = cls.env["crm.lead"].create(
            {
                "name": "Somchai's deal",
                "team_id": cls.team.id,
                "user_id": cls.somchai.id,
                "phone": "+66 2 765 4321",
            }
        )
        (cls.lead | cls.own).write({"partner_assigned_id": cls.reseller.id})

    def _actions(self, lead):
        return {
            "contact details": lambda: lead.update_contact_details_from_portal(
                {"phone": "+66 2 000 4242"}
            ),
            "not interested": lambda: lead.partner_desinterested(comment="no"),
            "interested": lambda: lead.partner_interested(comment="yes"),
        }

    def test_a_rep_cannot_act_as_a_reseller_on_a_pool_lead(self):
        before = self.lead.read(["phone", "partner_assigned_id", "type"])
        for user in (self.somchai, self.mai):
            for name, action in self._actions(self.lead.with_user(user)).items():
                with self.subTest(user=user.login, action=name):
                    with self.assertRaisesRegex(UserError, "wait in a pool"):
                        action()
        self.assertEqual(
            self.lead.read(["phone", "partner_assigned_id", "type"]), before
        )
        self.assertFalse(self.lead.user_id)

    def test_a_rep_cannot_act_as_a_reseller_on_another_reps_lead(self):
        with self.assertRaisesRegex(UserError, "another salesperson"):
            self.own.with_user(self.wei).update_contact_details_from_portal(
                {"phone": "+66 2 000 4242"}
            )
        self.assertEqual(self.own.phone, "+66 2 765 4321")

    def test_the_leader_and_the_owner_act_as_odoo_lets_them(self):
        self.own.with_user(self.somchai).update_contact_details_from_portal(
            {"phone": "+66 2 111 1111"}
        )
        self.assertEqual(self.own.phone, "+66 2 111 1111")
        self.lead.with_user(self.leader).update_contact_details_from_portal(
            {"phone": "+66 2 222 2222"}
        )
        self.assertEqual(self.lead.phone, "+66 2 222 2222")
        self.lead.with_user(self.leader).partner_desinterested(comment="no")
        self.assertFalse(self.lead.partner_assigned_id)

    def test_the_partnership_analysis_does_not_count_the_hidden_lead(self):
        Report = self.env["crm.partner.report.assign"]
        by_reseller = [("partner_id", "=", self.reseller.id)]

        def count(user):
            # a request of each user: the values read are not shared
            self.env.invalidate_all()
            rows = Report.with_user(user).search_read(
                by_reseller, ["nbr_opportunities"]
            )
            return {row["nbr_opportunities"] for row in rows}

        self.assertEqual(count(self.leader), {2})
        self.assertEqual(count(self.niran), {2})
        self.assertEqual(count(self.somchai), {1})
        self.env.invalidate_all()
        groups = Report.with_user(self.somchai).read_group(
            by_reseller, ["nbr_opportunities:max"], ["partner_id"]
        )
        self.assertEqual([group["nbr_opportunities"] for group in groups], [1])
        self.lead.with_user(self.somchai).action_claim()
        self.assertEqual(count(self.somchai), {2})
