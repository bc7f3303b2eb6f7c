"""Event registrations (event_crm) with pool leads: an attendee's lead count
does not tell a rep who may not read a private pool lead that the attendee has
one, and a rep editing the attendee does not change a lead of the pool."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.sales_team_queue.hooks import install_ready_bridges
from odoo.addons.sales_team_queue.tests.test_pool_privacy import (
    CONTACT,
    PoolPrivacyCase,
)

DESK = "event.group_event_registration_desk"


@tagged("post_install", "-at_install")
class TestEventRegistrationPoolPrivacy(PoolPrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref(DESK).users |= cls.somchai | cls.mai | cls.leader | cls.niran
        now = fields.Datetime.now()
        cls.event = cls.env["event.event"].create(
            {
                "name": "Siam Expo",
                "date_begin": now + timedelta(days=1),
                "date_end": now + timedelta(days=2),
            }
        )
        cls.rule = cls.env["event.lead.rule"].create(
            {
                "name": "Attendees",
                "lead_creation_basis": "attendee",
                "lead_creation_trigger": "create",
            }
        )
        # no lead of its own (the event's rules): the pool lead is its lead
        cls.registration = (
            cls.env["event.registration"]
            .with_context(event_lead_rule_skip=True)
            .create(
                {
                    "event_id": cls.event.id,
                    "name": "Anong Siam",
                    "email": "anong@example.com",
                }
            )
            .with_env(cls.env)
        )
        cls.lead.write(
            {
                "event_lead_rule_id": cls.rule.id,
                "registration_ids": [Command.link(cls.registration.id)],
            }
        )

    def _lead_count(self, user):
        self.env.invalidate_all()
        return self.registration.with_user(user).read(["lead_count"])[0]["lead_count"]

    def _tracking(self):
        """The lead's tracking messages, once the transaction's are written."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        return self.lead.message_ids.filtered("tracking_value_ids")

    def test_the_attendee_does_not_count_the_hidden_lead(self):
        for user in (self.leader, self.niran):
            with self.subTest(user=user.login):
                self.assertEqual(self._lead_count(user), 1)
        for user in (self.somchai, self.mai):
            with self.subTest(user=user.login):
                self.assertEqual(self._lead_count(user), 0)
        # once the rep claims the lead, it is theirs to count
        self.lead.with_user(self.somchai).action_claim()
        self.assertEqual(self._lead_count(self.somchai), 1)

    def test_a_rep_editing_the_attendee_leaves_the_pool_lead_alone(self):
        for hidden in (True, False):
            self.queue.pool_hide_contact = hidden
            self.env.invalidate_all()  # a request of its own
            with self.subTest(hidden=hidden):
                self.registration.with_user(self.somchai).write(
                    {"email": f"attacker.{hidden}@example.com", "name": f"Hi {hidden}"}
                )
                self.assertEqual(self.lead.email_from, "anong@example.com")
                self.assertEqual(self.lead.contact_name, "Anong")
                self.assertFalse(self._tracking())

    def test_the_leader_editing_the_attendee_updates_the_lead(self):
        self.registration.with_user(self.leader).write(
            {"email": "anong.siam@example.com"}
        )
        self.assertEqual(self.lead.email_from, "anong.siam@example.com")
        tracking = self._tracking()
        self.assertEqual(tracking[:1].author_id, self.leader.partner_id)
        # once claimed, the lead is its owner's to update from the attendee
        self.lead.with_user(self.somchai).action_claim()
        self.registration.with_user(self.somchai).write({"phone": "+66 2 111 2222"})
        self.assertEqual(self.lead.phone, "+66 2 111 2222")

    def test_odoo_writing_as_superuser_updates_the_pool_lead(self):
        # an employee's flow that writes as superuser (a quotation's customer)
        self.registration.with_user(self.somchai).sudo().write({"phone": "+1 000"})
        self.assertEqual(self.lead.phone, CONTACT["phone"])
        # a ticket bought on the website: Odoo writes as superuser, for the
        # public user
        public = self.env.ref("base.public_user")
        buyer = self.registration.with_user(public).sudo()
        buyer.write({"email": "anong.buyer@example.com"})
        self.assertEqual(self.lead.email_from, "anong.buyer@example.com")
        tracking = self._tracking()
        self.assertTrue(tracking)
        # not the public user's (authors read their messages): OdooBot's
        self.assertEqual(tracking.author_id, self.env.ref("base.partner_root"))

    def test_an_upgrade_installs_the_bridge_where_its_app_is(self):
        bridge = self.env["ir.module.module"].search(
            [("name", "=", "sales_team_queue_event_crm")]
        )
        bridge.state = "uninstalled"
        install_ready_bridges(self.env, ["sales_team_queue_event_crm"])
        self.assertEqual(bridge.state, "to install")

    def test_a_search_by_the_hidden_lead_names_no_registration(self):
        Registration = self.env["event.registration"]
        by_lead = [("lead_ids", "in", self.lead.ids)]
        self.assertFalse(Registration.with_user(self.somchai).search(by_lead))
        self.assertEqual(
            Registration.with_user(self.leader).search(by_lead), self.registration
        )
