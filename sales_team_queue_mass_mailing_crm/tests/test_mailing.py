"""Pool privacy on mailings (mass_mailing_crm): a rep who also does email
marketing cannot map a pool card to its customer's e-mail through the mailing
traces, count the hidden leads a mailing brought, or mail a private pool."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.sales_team_queue.tests.test_pool_privacy import PoolPrivacyCase

MARKETING = "mass_mailing.group_mass_mailing_user"


@tagged("post_install", "-at_install")
class TestMailingPoolPrivacy(PoolPrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref(MARKETING).users |= cls.somchai | cls.mai | cls.leader
        cls.mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Siam Expo invitation",
                "mailing_model_id": cls.env.ref("crm.model_crm_lead").id,
            }
        )
        cls.own = own = cls.env["crm.lead"].create(
            {
                "name": "Somchai's reply",
                "user_id": cls.somchai.id,
                "email_from": "somchai.reply@example.com",
            }
        )
        (cls.lead | own).write({"source_id": cls.mailing.source_id.id})
        cls.traces = cls.env["mailing.trace"].create(
            [
                {
                    "mass_mailing_id": cls.mailing.id,
                    "model": "crm.lead",
                    "res_id": lead.id,
                    "email": lead.email_from or "somchai.reply@example.com",
                }
                for lead in cls.lead | own
            ]
        )
        cls.by_lead = [("model", "=", "crm.lead"), ("res_id", "=", cls.lead.id)]

    def _seen(self, user):
        self.env.invalidate_all()
        Trace = self.env["mailing.trace"].with_user(user)
        count = self.mailing.with_user(user).read(["crm_lead_count"])[0]
        return Trace.search(self.by_lead), count["crm_lead_count"]

    def test_the_hidden_leads_trace_and_count_are_not_shown(self):
        self.assertEqual(self._seen(self.leader), (self.traces[0], 2))
        for user in (self.somchai, self.mai):
            with self.subTest(user=user.login):
                traces, count = self._seen(user)
                self.assertFalse(traces)
                self.assertEqual(count, 1)
                with self.assertRaises(AccessError):
                    self.traces[0].with_user(user).read(["email"])
        # once claimed, the lead is Somchai's to see
        self.lead.with_user(self.somchai).action_claim()
        self.assertEqual(self._seen(self.somchai), (self.traces[0], 2))

    def test_a_mailing_on_leads_leaves_the_private_pool_out(self):
        mailing = (
            self.env["mailing.mailing"]
            .with_user(self.mai)
            .create(
                {
                    "subject": "Offer",
                    "body_html": "<p>Hello</p>",
                    "mailing_model_id": self.env.ref("crm.model_crm_lead").id,
                    "mailing_domain": repr([("id", "in", (self.lead | self.own).ids)]),
                }
            )
        )
        self.assertEqual(mailing.sudo()._get_recipients(), self.own.ids)
        self.env.invalidate_all()
        self.assertEqual(mailing.sudo().total, 1)
        self.queue.pool_hide_contact = False
        self.assertEqual(
            sorted(mailing.sudo()._get_recipients()), sorted((self.lead | self.own).ids)
        )

    def test_a_mailing_on_contacts_does_not_reach_a_private_pool_lead(self):
        self.customer.email = "anong@example.com"
        for domain in (
            [("opportunity_ids", "in", self.lead.ids)],
            [("opportunity_ids.queue_id", "=", self.queue.id)],
            [("opportunity_ids", "any", [("name", "=", self.lead.name)])],
        ):
            with self.subTest(domain=domain):
                mailing = self.env["mailing.mailing"].create(
                    {
                        "subject": "Offer",
                        "body_html": "<p>Hello</p>",
                        "mailing_model_id": self.env.ref("base.model_res_partner").id,
                        "mailing_domain": repr(domain),
                    }
                )
                self.assertFalse(mailing.sudo()._get_recipients())
                self.env.invalidate_all()
                self.assertEqual(mailing.sudo().total, 0)
        # Odoo's own searches as superuser are Odoo's
        Partner = self.env["res.partner"].sudo()
        self.assertEqual(Partner.search(domain), self.customer)

    def test_the_rule_is_on_only_while_a_pool_hides(self):
        rule = self.env.ref(
            "sales_team_queue_mass_mailing_crm.mailing_trace_rule_pool_private"
        )
        self.assertTrue(rule.active)
        self.queue.pool_hide_contact = False
        self.assertFalse(rule.active)
        self.assertEqual(self._seen(self.somchai), (self.traces[0], 2))
        self.queue.pool_hide_contact = True
        self.assertTrue(rule.active)
