"""Pool privacy by record rules: a lead waiting in the pool of a queue with
``pool_hide_contact`` cannot be read by the reps ("Own Documents Only"),
whatever the path (the lead itself, its partner's leads, its meetings, its
chatter, followers, notifications, attachments, activity analysis, templates
rendered on it), until one of them claims it from its card. Its team leader,
"All Documents" users and sales managers read it as Odoo says for their group.
The pool card shows the lead without any contact field. The same over XML-RPC
and JSON-RPC with real logins."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR
from odoo.addons.sales_team_queue.models.base import (
    PRIVATE_POOLS_OUT,
    PRIVATE_POOLS_OUT_TOKEN,
)

from .common import MANAGER, SALESMAN, QueueCase
from .common_rpc import RpcLoginMixin

CONTACT = {
    "email_from": "anong@example.com",
    "phone": "+66 2 123 4567",
    "mobile": "+66 81 234 5678",
    "street": "99 Sukhumvit Road",
    "zip": "10110",
    "city": "Bangkok",
    "contact_name": "Anong",
    "partner_name": "Siam Widgets",
    "website": "https://siam-widgets.example.com",
}
# Any of these in what a user gets back names the customer.
SECRETS = ("anong", "Anong", "234 5678", "Sukhumvit", "Siam Widgets")
CONTACT_FIELDS = {*CONTACT, "partner_id", "email_normalized", "phone_sanitized"}
ALL_LEADS = "sales_team.group_sale_salesman_all_leads"
RULE_LOGGERS = ("odoo.addons.base.models.ir_rule", "odoo.http")


class PoolPrivacyCase(QueueCase):
    """A pool (queue of Queue Team, members Somchai, Wei, Linh) that hides
    contact details, with one opportunity waiting in it, for the customer
    Anong Siam. Leader: a plain rep (not a manager). Mai is a rep of another
    team; Niran a sales manager; Dara an "All Documents" user; Kim a sales
    manager of another company only; Pim a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.group_allow_export").users |= cls.reps | cls.mai
        cls.leader = new_test_user(
            cls.env, login="q_leader", name="Lek Leader", groups=SALESMAN
        )
        # a team of the company, so that its leads are the company's
        cls.team.write({"user_id": cls.leader.id, "company_id": cls.env.company.id})
        cls.all_docs = new_test_user(
            cls.env, login="q_dara", name="Dara", groups=f"{SALESMAN},{ALL_LEADS}"
        )
        cls.company_2 = cls.env["res.company"].create({"name": "Other Company"})
        cls.other_co = new_test_user(
            cls.env,
            login="q_kim",
            name="Kim",
            groups=MANAGER,
            company_id=cls.company_2.id,
            company_ids=[Command.set(cls.company_2.ids)],
        )
        cls.portal = new_test_user(
            cls.env, login="q_pim", name="Pim", groups="base.group_portal"
        )
        for user in (
            cls.reps | cls.mai | cls.niran | cls.leader | cls.all_docs | cls.other_co
        ) | cls.portal:
            user.password = f"{user.login}_pw"
        cls.queue = cls._create_queue(strategy="pool", pool_hide_contact=True)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Anong Siam", "email": "anong@example.com", "phone": "234 5678"}
        )
        cls.lead = cls._new_pool_lead("Widgets for Siam")

    @classmethod
    def _new_pool_lead(cls, name, **vals):
        values = dict(
            CONTACT,
            name=name,
            team_id=cls.team.id,
            user_id=False,
            type="opportunity",
            priority="2",
            expected_revenue=5000,
            country_id=cls.env.ref("base.th").id,
            partner_id=cls.customer.id,
        )
        values.update(vals)
        lead = cls.env["crm.lead"].create(values)
        # the customer's computes (e-mail, phone, address) replace what was given
        lead.write({fname: values[fname] for fname in CONTACT})
        return lead

    def _reads(self, user, lead=None):
        """Whether ``user`` can read the lead (by id, as a client would)."""
        lead = (lead or self.lead).with_user(user)
        self.env.invalidate_all()
        try:
            with mute_logger(*RULE_LOGGERS):
                lead.read(["email_from", "partner_id"])
        except AccessError:
            return False
        return True

    def assertNoSecret(self, value, msg=None):
        text = str(value)
        for secret in SECRETS:
            self.assertNotIn(secret, text, msg)


@tagged("post_install", "-at_install")
class TestPoolPrivacyLead(PoolPrivacyCase):
    """The lead itself, for each kind of user."""

    def test_lead_waits_in_a_private_pool(self):
        self.assertEqual(self.lead.queue_id, self.queue)
        self.assertEqual(self.lead.queue_state, "pool")
        self.assertTrue(self.lead.pool_private)
        self.assertEqual(self.lead.partner_id, self.customer)
        self.assertEqual(
            self.env["crm.lead"].search([("pool_private", "=", True)]), self.lead
        )
        self.assertNotIn(
            self.lead, self.env["crm.lead"].search([("pool_private", "=", False)])
        )

    def test_reps_cannot_read_the_lead(self):
        for user in (self.somchai, self.mai):
            with self.subTest(user=user.name):
                self.assertFalse(self._reads(user))

    def test_reps_do_not_find_the_lead(self):
        for user in (self.somchai, self.mai):
            Lead = self.env["crm.lead"].with_user(user)
            ids = [("id", "=", self.lead.id)]
            self.assertFalse(Lead.search(ids))
            self.assertFalse(Lead.search([("email_from", "ilike", "anong")]))
            self.assertFalse(Lead.search([("partner_id", "=", self.customer.id)]))
            self.assertEqual(Lead.search_count(ids), 0)
            self.assertFalse(Lead.name_search("Widgets for Siam"))
            groups = Lead.read_group(ids, ["expected_revenue"], ["partner_id"])
            self.assertEqual(groups, [], "no group names the customer")
            self.assertFalse(Lead.search_read(ids, ["email_from"]))
            self.assertFalse(Lead.web_search_read(ids, {"email_from": {}})["length"])

    def test_reps_cannot_export_the_lead(self):
        lead = self.lead.with_user(self.somchai)
        with self.assertRaises(AccessError), mute_logger(*RULE_LOGGERS):
            lead.export_data(["name", "email_from", "partner_id/name"])

    def test_leader_manager_and_all_documents_read_the_lead(self):
        for user in (self.leader, self.niran, self.all_docs):
            with self.subTest(user=user.name):
                self.assertTrue(self._reads(user))
                found = (
                    self.env["crm.lead"]
                    .with_user(user)
                    .search([("email_from", "ilike", "anong")])
                )
                self.assertIn(self.lead, found)

    def test_other_company_and_portal_cannot_read_the_lead(self):
        self.assertFalse(self._reads(self.other_co))
        with self.assertRaises(AccessError), mute_logger(*RULE_LOGGERS):
            self.lead.with_user(self.portal).read(["name"])

    def test_reps_cannot_open_meeting_or_duplicates_of_the_lead(self):
        lead = self.lead.with_user(self.somchai)
        self.env.invalidate_all()
        for method in ("action_schedule_meeting", "action_show_potential_duplicates"):
            with self.subTest(method=method), mute_logger(*RULE_LOGGERS):
                with self.assertRaises(AccessError):
                    getattr(lead, method)()
        # the leader gets the customer in the meeting's defaults, as in Odoo
        action = self.lead.with_user(self.leader).action_schedule_meeting()
        self.assertIn(self.customer.id, action["context"]["default_partner_ids"])

    def test_rules_around_the_lead_are_on_only_while_a_pool_hides(self):
        xmlids = self.env["crm.team.queue"]._pool_privacy_rules()
        rules = [self.env.ref(xmlid) for xmlid in xmlids]
        self.assertEqual([rule.active for rule in rules], [True] * len(rules))
        self.queue.pool_hide_contact = False
        self.assertEqual([rule.active for rule in rules], [False] * len(rules))
        self.assertFalse(self.env["crm.lead"].search([("pool_private", "=", True)]))
        self.queue.pool_hide_contact = True
        self.assertEqual([rule.active for rule in rules], [True] * len(rules))

    def test_queue_without_the_option_is_odoo_behaviour(self):
        self.queue.pool_hide_contact = False
        self.assertFalse(self.lead.pool_private)
        self.assertTrue(self._reads(self.somchai))
        self.assertTrue(self._reads(self.mai), "an open pool is everybody's")

    def test_claimed_lead_is_read_by_its_owner_only(self):
        self.lead.with_user(self.somchai).action_claim()
        self.assertEqual(self.lead.user_id, self.somchai)
        self.assertFalse(self.lead.pool_private)
        self.assertTrue(self._reads(self.somchai))
        self.assertFalse(self._reads(self.wei), "Odoo's own rule: not Wei's")

    def test_released_lead_is_private_again(self):
        self.lead.with_user(self.somchai).action_claim()
        self.lead.with_user(self.somchai).action_release(reason="not for me")
        self.assertEqual(self.lead.queue_state, "pool")
        self.assertFalse(self._reads(self.somchai))


@tagged("post_install", "-at_install")
class TestPoolPrivacyPaths(PoolPrivacyCase):
    """The records around the lead, reached from other models."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        lead = cls.lead
        cls.customer_mail = lead.message_post(
            body="Please call me on +66 81 234 5678",
            author_id=cls.customer.id,
            email_from="anong@example.com",
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        cls.reply = lead.with_user(cls.niran).message_post(
            body="Dear Anong, thank you",
            partner_ids=cls.customer.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        lead.message_subscribe(partner_ids=cls.customer.ids)
        lead.activity_schedule(
            "mail.mail_activity_data_call", user_id=cls.leader.id
        ).action_feedback(feedback="Anong asked for a quote")
        cls.activity = lead.activity_schedule(
            "mail.mail_activity_data_todo", user_id=cls.leader.id, note="Call Anong"
        )
        cls.attachment = cls.env["ir.attachment"].create(
            {
                "name": "Anong business card.txt",
                "raw": b"Anong Siam, 234 5678",
                "res_model": "crm.lead",
                "res_id": lead.id,
            }
        )
        cls.meeting = cls.env["calendar.event"].create(
            {
                "name": "Demo",
                "opportunity_id": lead.id,
                "user_id": cls.leader.id,
                "partner_ids": [
                    Command.set((cls.customer | cls.leader.partner_id).ids)
                ],
                "start": "2026-11-23 09:00:00",
                "stop": "2026-11-23 10:00:00",
            }
        )

    def _search(self, user, model, domain):
        return self.env[model].with_user(user).search(domain)

    def test_partner_search_through_the_lead(self):
        for domain in (
            [("opportunity_ids", "in", self.lead.ids)],
            [("opportunity_ids", "=", self.lead.id)],
            # a string in a list is an id to Odoo
            [("opportunity_ids", "in", [str(self.lead.id)])],
            # Odoo reads every operator but "any" on an x2many as ids
            [("opportunity_ids", "=?", self.lead.id)],
            [("opportunity_ids", "<=", self.lead.id)],
            [("opportunity_ids", "child_of", self.lead.id)],
            [("opportunity_ids.email_from", "ilike", "anong")],
        ):
            with self.subTest(domain=domain):
                self.assertFalse(self._search(self.somchai, "res.partner", domain))
                self.assertEqual(
                    self._search(self.leader, "res.partner", domain), self.customer
                )
        # the negation is the complement among the leads the user may read
        found = self._search(
            self.somchai,
            "res.partner",
            [
                ("id", "=", self.customer.id),
                ("opportunity_ids", "not in", self.lead.ids),
            ],
        )
        self.assertEqual(found, self.customer)
        self.assertFalse(
            self._search(
                self.somchai,
                "res.partner",
                [("id", "=", self.customer.id), ("opportunity_ids", "!=", False)],
            ),
            "whether the customer has leads: only those the rep may read",
        )
        partner = self.customer.with_user(self.somchai)
        self.env.invalidate_all()
        self.assertFalse(partner.opportunity_ids)
        self.assertEqual(partner.opportunity_count, 0)

    def test_meeting_of_the_lead(self):
        domain = [("opportunity_id", "=", self.lead.id)]
        self.assertFalse(self._search(self.somchai, "calendar.event", domain))
        self.assertFalse(
            self._search(
                self.somchai, "calendar.attendee", [("event_id", "=", self.meeting.id)]
            )
        )
        self.env.invalidate_all()
        with self.assertRaises(AccessError), mute_logger(*RULE_LOGGERS):
            self.meeting.with_user(self.somchai).read(["partner_ids", "name"])
        self.assertEqual(
            self._search(self.leader, "calendar.event", domain), self.meeting
        )
        self.assertEqual(
            self._search(self.niran, "calendar.event", domain), self.meeting
        )
        # an attendee sees the meeting they are invited to, and is not told
        # that its lead waits in a private pool
        self.assertTrue(self.meeting.with_user(self.wei).pool_hidden)
        self.meeting.partner_ids |= self.wei.partner_id
        self.assertEqual(self._search(self.wei, "calendar.event", domain), self.meeting)
        self.env.invalidate_all()
        self.assertFalse(self.meeting.with_user(self.wei).pool_hidden)
        self.assertFalse(
            self._search(self.wei, "calendar.event", [("pool_hidden", "=", True)])
        )
        self.assertEqual(
            self._search(self.wei, "calendar.event", [("pool_hidden", "=", False)])
            & self.meeting,
            self.meeting,
        )
        # so does its organizer
        self.meeting.user_id = self.somchai
        self.env.invalidate_all()
        self.assertEqual(
            self._search(self.somchai, "calendar.event", domain), self.meeting
        )
        self.assertFalse(self.meeting.with_user(self.somchai).pool_hidden)
        self.assertEqual(
            self._search(
                self.wei, "calendar.attendee", [("event_id", "=", self.meeting.id)]
            ).partner_id,
            self.meeting.partner_ids,
        )

    def test_a_rep_cannot_link_a_meeting_to_the_lead(self):
        """Odoo shows the name of a meeting's lead to whoever reads the
        meeting: a rep's own meeting cannot point at a private pool lead."""
        own = (
            self.env["calendar.event"]
            .with_user(self.somchai)
            .create(
                {
                    "name": "Mine",
                    "start": "2026-11-24 09:00:00",
                    "stop": "2026-11-24 10:00:00",
                }
            )
        )
        lead_model = self.env["ir.model"]._get_id("crm.lead")
        for vals in (
            {"opportunity_id": self.lead.id},
            {"res_model_id": lead_model, "res_id": self.lead.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError) as refused:
                own.write(vals)
            self.assertIn("waits in a private pool", str(refused.exception))
        own.invalidate_recordset()
        self.assertFalse(own.sudo().opportunity_id)
        self.assertFalse(own.sudo().res_id)
        # the team leader may (and so may the rep once they own the lead)
        meeting = self.meeting.with_user(self.leader).copy({"name": "Follow-up"})
        self.assertEqual(meeting.opportunity_id, self.lead)

    def test_meetings_of_other_leads_are_odoo_behaviour(self):
        other = self.env["calendar.event"].create(
            {
                "name": "Unrelated",
                "user_id": self.leader.id,
                "start": "2026-11-23 09:00:00",
                "stop": "2026-11-23 10:00:00",
            }
        )
        self.assertEqual(
            self._search(self.somchai, "calendar.event", [("id", "=", other.id)]), other
        )
        self.queue.pool_hide_contact = False
        self.assertEqual(
            self._search(
                self.somchai, "calendar.event", [("id", "=", self.meeting.id)]
            ),
            self.meeting,
        )

    def test_messages_followers_notifications_of_the_lead(self):
        by_lead = [("model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]
        Message = self.env["mail.message"].with_user(self.somchai)
        self.assertFalse(Message.search_read(by_lead, ["body", "author_id"]))
        self.assertFalse(Message.search([("body", "ilike", "234 5678")]))
        self.env.invalidate_all()
        with self.assertRaises(AccessError), mute_logger(*RULE_LOGGERS):
            self.customer_mail.with_user(self.somchai).read(["body"])
        followers = [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]
        rows = (
            self.env["mail.followers"]
            .with_user(self.somchai)
            .search_read(followers, ["partner_id"])
        )
        self.assertEqual(rows, [])
        notifications = (
            self.env["mail.notification"]
            .with_user(self.somchai)
            .search_read([("mail_message_id", "=", self.reply.id)], ["res_partner_id"])
        )
        self.assertEqual(notifications, [])
        # a user keeps their own follower line (it names nobody else)
        self.lead.message_subscribe(partner_ids=self.somchai.partner_id.ids)
        rows = (
            self.env["mail.followers"]
            .with_user(self.somchai)
            .search_read(followers, ["partner_id"])
        )
        self.assertEqual(
            [row["partner_id"][0] for row in rows], self.somchai.partner_id.ids
        )
        # the leader sees them all
        self.assertIn(
            self.customer_mail,
            self.env["mail.message"].with_user(self.leader).search(by_lead),
        )
        leader_followers = self._search(self.leader, "mail.followers", followers)
        self.assertIn(self.customer, leader_followers.partner_id)
        self.assertTrue(
            self._search(
                self.leader,
                "mail.notification",
                [("mail_message_id", "=", self.reply.id)],
            )
        )

    def test_activities_attachments_and_analysis_of_the_lead(self):
        by_lead = [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]
        self.assertFalse(self._search(self.somchai, "mail.activity", by_lead))
        self.assertFalse(self._search(self.somchai, "ir.attachment", by_lead))
        self.env.invalidate_all()
        with self.assertRaises(AccessError), mute_logger(*RULE_LOGGERS):
            self.attachment.with_user(self.somchai).read(["raw"])
        report = [("lead_id", "=", self.lead.id)]
        self.assertFalse(self._search(self.somchai, "crm.activity.report", report))
        groups = (
            self.env["crm.activity.report"]
            .with_user(self.somchai)
            .read_group([], ["lead_id"], ["partner_id"])
        )
        self.assertNoSecret(groups)
        self.assertEqual(
            self._search(self.leader, "mail.activity", by_lead), self.activity
        )
        self.assertEqual(
            self._search(self.leader, "ir.attachment", by_lead), self.attachment
        )
        self.assertTrue(self._search(self.leader, "crm.activity.report", report))

    def test_templates_cannot_render_the_lead(self):
        template = self.env["mail.template"].create(
            {
                "name": "Quote",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "subject": "Quote for {{ object.email_from }}",
                "body_html": "<p>Dear <t t-out='object.contact_name'/></p>",
            }
        )
        preview = (
            self.env["mail.template.preview"]
            .with_user(self.somchai)
            .create(
                {
                    "mail_template_id": template.id,
                    "resource_ref": f"crm.lead,{self.lead.id}",
                }
            )
        )
        self.assertNoSecret([preview.subject, preview.body_html, preview.email_to])
        self.assertTrue(preview.error_msg, "the preview says it cannot")
        Composer = self.env["mail.compose.message"].with_user(self.somchai)
        # the rendering fails on the lead's AccessError (a UserError says so)
        with self.assertRaises(UserError) as caught, mute_logger(*RULE_LOGGERS):
            composer = Composer.create(
                {
                    "model": "crm.lead",
                    "res_ids": str(self.lead.ids),
                    "template_id": template.id,
                    "composition_mode": "comment",
                }
            )
            composer.read(["subject", "body", "partner_ids"])
        self.assertNoSecret(caught.exception)
        # once claimed, the rep renders it
        self.lead.with_user(self.somchai).action_claim()
        composer = Composer.with_context(
            default_model="crm.lead", default_res_ids=self.lead.ids
        ).create({"template_id": template.id})
        self.assertEqual(composer.subject, "Quote for anong@example.com")

    def test_claim_opens_everything(self):
        card = (
            self.env["crm.lead.pool.card"].with_user(self.somchai).browse(self.lead.id)
        )
        card.action_claim()
        self.assertEqual(self.lead.user_id, self.somchai)
        by_lead = [("model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]
        self.assertIn(
            self.customer_mail, self._search(self.somchai, "mail.message", by_lead)
        )
        followers = [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]
        self.assertIn(
            self.customer,
            self._search(self.somchai, "mail.followers", followers).partner_id,
        )
        self.assertEqual(
            self._search(
                self.somchai, "calendar.event", [("opportunity_id", "=", self.lead.id)]
            ),
            self.meeting,
        )
        self.assertEqual(
            self._search(
                self.somchai, "res.partner", [("opportunity_ids", "in", self.lead.ids)]
            ),
            self.customer,
        )

    # --- what a hostile rep tried once the rules were in place ---

    def test_similar_leads_do_not_name_the_pool_lead(self):
        # An unsaved lead (the form's onchange) for the same customer, and a
        # rep's own lead with the same e-mail.
        form = (
            self.env["crm.lead"]
            .with_user(self.mai)
            .new({"name": "Probe", "partner_id": self.customer.id, "type": "lead"})
        )
        self.assertNotIn(self.lead, form.duplicate_lead_ids)
        own = self.env["crm.lead"].create(
            {
                "name": "Mai's lead",
                "user_id": self.mai.id,
                "team_id": self.team_2.id,
                "email_from": "anong@example.com",
            }
        )
        mine = own.with_user(self.mai)
        self.assertNotIn(self.lead, mine.duplicate_lead_ids)
        self.assertEqual(mine.duplicate_lead_count, 0)
        self.assertIn(self.lead, own.with_user(self.leader).duplicate_lead_ids)

    def test_the_forms_onchange_does_not_name_the_pool_lead(self):
        """What the web client calls while a rep types the customer's e-mail,
        on a new lead and on one of theirs (the leader reads the pool lead)."""
        own = self.env["crm.lead"].create(
            {"name": "Mai's lead", "user_id": self.mai.id, "team_id": self.team_2.id}
        )
        spec = {"duplicate_lead_ids": {}, "duplicate_lead_count": {}}
        for leads, user, named in (
            (self.env["crm.lead"], self.leader, True),
            (self.env["crm.lead"], self.mai, False),
            (own, self.mai, False),
        ):
            for values in (
                {"email_from": "anong@example.com"},
                {"partner_id": self.customer.id},
            ):
                with self.subTest(lead=leads.ids, user=user.name, values=values):
                    result = leads.with_user(user).onchange(values, list(values), spec)[
                        "value"
                    ]
                    ids = {
                        command[1]
                        for command in result.get("duplicate_lead_ids", [])
                        if command[0] in (Command.LINK, Command.UPDATE)
                    }
                    self.assertEqual(self.lead.id in ids, named)

    def test_a_partner_search_through_meetings_names_nobody(self):
        customer, leader = self.customer, self.leader.partner_id
        for domain, attendee in (
            ([("meeting_ids", "in", self.meeting.ids)], customer),
            ([("meeting_ids", "=", self.meeting.id)], customer),
            ([("meeting_ids", "=?", self.meeting.id)], customer),
            ([("meeting_ids", ">=", self.meeting.id)], customer),
            ([("user_ids.meeting_ids", "in", self.meeting.ids)], leader),
            # user_ids is joined without the users' _search (auto_join)
            ([("user_ids", "any", [("meeting_ids", "=", self.meeting.id)])], leader),
            (
                [
                    "!",
                    ("user_ids", "not any", [("meeting_ids", "=?", self.meeting.id)]),
                ],
                leader,
            ),
        ):
            with self.subTest(domain=domain):
                self.assertFalse(self._search(self.somchai, "res.partner", domain))
                self.assertIn(
                    attendee, self._search(self.leader, "res.partner", domain)
                )

    def test_a_user_search_through_meetings_or_leads_names_nobody(self):
        """A user's leads and meetings are their contact's: the joins of
        res.users to its contact apply the rules too."""
        for domain in (
            [("meeting_ids", "in", self.meeting.ids)],
            [("meeting_ids", "=?", self.meeting.id)],
            [("partner_id.meeting_ids", "in", self.meeting.ids)],
            [("partner_id.meeting_ids", "=", self.meeting.id)],
            [("partner_id", "any", [("meeting_ids", "=", self.meeting.id)])],
            [
                (
                    "partner_id",
                    "any",
                    [("user_ids", "any", [("meeting_ids", "in", self.meeting.ids)])],
                )
            ],
        ):
            with self.subTest(domain=domain):
                self.assertFalse(self._search(self.somchai, "res.users", domain))
                self.assertIn(
                    self.leader, self._search(self.leader, "res.users", domain)
                )
        # an operator Odoo does not know is left for Odoo to refuse
        with self.assertRaises(ValueError):
            self._search(
                self.leader, "res.users", [("meeting_ids", "NOT IN", self.meeting.ids)]
            )
        # Odoo's meaning is kept: "has none" and "has some", among the
        # meetings the user may read
        has_none = [("id", "=", self.leader.id), ("meeting_ids", "=", False)]
        has_some = [("id", "=", self.leader.id), ("meeting_ids", "!=", False)]
        self.assertFalse(self._search(self.leader, "res.users", has_none))
        self.assertEqual(self._search(self.leader, "res.users", has_some), self.leader)
        self.assertEqual(self._search(self.somchai, "res.users", has_none), self.leader)

    def _recurring_meeting(self, name, **vals):
        return self.env["calendar.event"].create(
            {
                "name": name,
                "user_id": self.leader.id,
                "partner_ids": [
                    Command.set((self.customer | self.leader.partner_id).ids)
                ],
                "start": "2026-11-23 09:00:00",
                "stop": "2026-11-23 10:00:00",
                "recurrency": True,
                "rrule_type": "daily",
                "end_type": "count",
                "count": 2,
                **vals,
            }
        )

    def test_the_recurrence_of_the_meeting_is_hidden(self):
        """A recurrence names its first meeting: hidden with its meetings; an
        attendee of any of them reads it (Odoo's meeting form does)."""
        meeting = self._recurring_meeting(
            "Weekly call with Anong", opportunity_id=self.lead.id
        )
        recurrence = meeting.recurrence_id
        later = recurrence.calendar_event_ids.sorted("start")[-1]
        self.assertEqual(len(recurrence.calendar_event_ids), 2)
        self.assertNotEqual(later, recurrence.base_event_id)
        Recurrence = self.env["calendar.recurrence"]
        self.assertNotIn(recurrence, self._search(self.somchai, Recurrence._name, []))
        self.env.invalidate_all()
        with self.assertRaises(AccessError), mute_logger(*RULE_LOGGERS):
            recurrence.with_user(self.somchai).read(["base_event_id"])
        self.assertEqual(
            recurrence.with_user(self.leader).base_event_id.name,
            "Weekly call with Anong",
        )
        # invited to the later meeting only ("this event"): its form reads
        # the recurrence
        later.write({"partner_ids": [Command.link(self.somchai.partner_id.id)]})
        self.env.invalidate_all()
        self.assertIn(recurrence, self._search(self.somchai, Recurrence._name, []))
        form = later.with_user(self.somchai).read(["rrule_type_ui", "interval"])
        self.assertEqual(form[0]["rrule_type_ui"], "daily")

    def test_any_model_linked_to_the_meetings_leaves_the_hidden_ones_out(self):
        """A model the add-on does not name, linked to meetings (here a
        recurrence the rep may read; with website_crm a visitor's leads, with
        event_crm an attendee's): a search by a hidden meeting's id finds
        nothing (the hierarchy operators, which Odoo cannot run on meetings,
        read as "in")."""
        recurrence = self._recurring_meeting("Team call").recurrence_id
        hidden = recurrence.calendar_event_ids[-1]
        hidden.write({"opportunity_id": self.lead.id})
        self.assertEqual(hidden.recurrence_id, recurrence)
        Recurrence = self.env["calendar.recurrence"]
        self.assertTrue(Recurrence._pool_searches_private)
        self.assertFalse(self.env["res.country"]._pool_searches_private)
        self.assertIn(recurrence, self._search(self.somchai, Recurrence._name, []))
        for domain in (
            [("calendar_event_ids", "in", hidden.ids)],
            [("calendar_event_ids", "=", hidden.id)],
            [("calendar_event_ids", ">=", hidden.id)],
            [("calendar_event_ids", "child_of", hidden.id)],
        ):
            with self.subTest(domain=domain):
                self.assertFalse(self._search(self.somchai, Recurrence._name, domain))
                self.assertEqual(
                    self._search(self.leader, Recurrence._name, domain), recurrence
                )
                self.assertEqual(Recurrence.search(domain), recurrence)

    def test_searches_by_ids_keep_odoos_meaning_but_for_the_hidden(self):
        """Only what pool privacy hides is left out: another rep's lead, which
        the rep may not read either, still names its customer as in Odoo; "has
        none" counts an archived meeting as Odoo does; "= None" is no id."""
        other = self.env["res.partner"].create({"name": "Mai's customer"})
        mais = self.env["crm.lead"].create(
            {"name": "Mai's deal", "user_id": self.mai.id, "partner_id": other.id}
        )
        self.assertFalse(mais.with_user(self.somchai).has_access("read"))
        by_lead = [("opportunity_ids", "in", mais.ids)]
        self.assertEqual(self._search(self.somchai, "res.partner", by_lead), other)
        archived = self.env["calendar.event"].create(
            {
                "name": "Old call",
                "partner_ids": [Command.set(other.ids)],
                "start": "2026-11-20 09:00:00",
                "stop": "2026-11-20 10:00:00",
            }
        )
        archived.action_archive()
        for user in (self.somchai, self.leader):
            with self.subTest(user=user.login):
                found = self._search(
                    user,
                    "res.partner",
                    [("id", "=", other.id), ("meeting_ids", "=", False)],
                )
                self.assertFalse(found, "an archived meeting is a meeting")
                self.assertFalse(
                    self._search(user, "res.partner", [("opportunity_ids", "=", None)])
                )
        # after a many2one, Odoo counts archived leads too
        lost = self.env["crm.lead"].create(
            {
                "name": "Lost deal",
                "type": "opportunity",
                "partner_id": self.wei.partner_id.id,
            }
        )
        lost.action_set_lost()
        through_contact = [
            ("id", "=", self.wei.id),
            ("partner_id.opportunity_ids", "=", False),
        ]
        self.assertFalse(self.wei.partner_id.opportunity_ids)
        self.assertFalse(self._search(self.niran, "res.users", through_contact))

    def test_followers_and_notifications_of_the_meeting_are_hidden(self):
        by_meeting = [
            ("res_model", "=", "calendar.event"),
            ("res_id", "=", self.meeting.id),
        ]
        self.meeting.message_subscribe(partner_ids=self.customer.ids)
        Followers = self.env["mail.followers"]
        self.assertFalse(Followers.with_user(self.somchai).search(by_meeting))
        self.meeting.active = False
        self.assertFalse(
            Followers.with_user(self.somchai).search(by_meeting),
            "nor once the meeting is archived",
        )
        self.meeting.active = True
        self.assertIn(
            self.customer,
            Followers.with_user(self.leader).search(by_meeting).partner_id,
        )
        self.meeting.message_post(
            body="Invitation", partner_ids=self.customer.ids, message_type="comment"
        )
        notified = [("res_partner_id", "=", self.customer.id)]
        Notification = self.env["mail.notification"].with_user(self.somchai)
        self.assertFalse(
            Notification.search(notified).mail_message_id.filtered(
                lambda message: message.model == "calendar.event"
            )
        )

    def test_a_rep_who_gives_the_lead_back_stops_following_it(self):
        lead = self._new_pool_lead("Second widgets")
        lead.with_user(self.somchai).action_claim()
        self.assertIn(self.somchai.partner_id, lead.message_partner_ids)
        todo = lead.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.somchai.id, note="Call Anong"
        )
        leaders = lead.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.leader.id
        )
        lead.with_user(self.somchai).action_release("Not for me")
        self.assertEqual(lead.queue_state, "pool")
        self.assertNotIn(self.somchai.partner_id, lead.message_partner_ids)
        # his to-do is closed, in the lead's history; the leader's stays
        self.assertFalse(todo.exists())
        self.assertEqual(lead.activity_ids, leaders)
        self.assertTrue(
            lead.message_ids.filtered(
                lambda message: "went back to a private pool" in message.body
                and "Call Anong" in message.body
            )
        )
        # The customer still follows it, and her next e-mail reaches nobody
        # who may not read it (the rep's inbox keeps working).
        news = lead.message_post(
            body="Any news?",
            author_id=self.customer.id,
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertFalse(
            self.env["mail.notification"].search(
                [
                    ("mail_message_id", "=", news.id),
                    ("res_partner_id", "=", self.somchai.partner_id.id),
                ]
            )
        )

    def _customer_writes(self, lead, **extra):
        """An e-mail of the customer on ``lead``; the partners notified."""
        message = lead.message_post(
            body="Call me back on +66 81 999 0000",
            author_id=self.customer.id,
            message_type="email",
            subtype_xmlid="mail.mt_comment",
            **extra,
        )
        notified = self.env["mail.notification"].search(
            [("mail_message_id", "=", message.id)]
        )
        return message, notified.res_partner_id

    def test_a_follower_who_may_not_read_the_lead_is_not_notified(self):
        # subscribed by a manager, and by an activity assigned by the leader
        self.lead.message_subscribe(partner_ids=self.somchai.partner_id.ids)
        self.lead.with_user(self.leader).activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.mai.id
        )
        self.lead.message_subscribe(partner_ids=self.leader.partner_id.ids)
        followers = self.lead.message_partner_ids
        self.assertTrue((self.somchai | self.mai).partner_id <= followers)
        message, notified = self._customer_writes(self.lead)
        self.assertIn(self.leader.partner_id, notified)
        for user in (self.somchai, self.mai):
            with self.subTest(user=user.login):
                self.assertNotIn(user.partner_id, notified)
                Message = self.env["mail.message"].with_user(user)
                self.assertFalse(Message.search([("id", "=", message.id)]))
        # the leader names a rep in a message: that rep is told, as in Odoo
        named = self.lead.with_user(self.leader).message_post(
            body="Somchai, have a look", partner_ids=self.somchai.partner_id.ids
        )
        self.assertIn(self.somchai.partner_id, named.notified_partner_ids)
        # once Somchai claims it, the customer's mails reach him again
        self.lead.with_user(self.somchai).action_claim()
        self.assertIn(self.somchai.partner_id, self._customer_writes(self.lead)[1])

    def test_a_users_domain_run_as_superuser_leaves_private_pools_out(self):
        out = self.env(su=True, context={PRIVATE_POOLS_OUT: PRIVATE_POOLS_OUT_TOKEN})
        meeting = self.env["calendar.event"].create(
            {"name": "Demo", "opportunity_id": self.lead.id}
        )
        for model, domain, found in (
            ("res.partner", [("opportunity_ids", "in", self.lead.ids)], self.customer),
            ("res.partner", [("opportunity_ids.team_id", "=", self.team.id)], None),
            ("crm.lead", [("id", "=", self.lead.id)], self.lead),
            ("calendar.event", [("opportunity_id.name", "=", self.lead.name)], meeting),
            ("res.partner", [("meeting_ids", "in", meeting.ids)], None),
        ):
            with self.subTest(model=model, domain=domain):
                self.assertFalse(out[model].search(domain))
                if found:
                    self.assertIn(found, self.env[model].sudo().search(domain))
        # a JSON context cannot send the token
        self.assertTrue(
            self.env["res.partner"]
            .sudo()
            .with_context(**{PRIVATE_POOLS_OUT: True})
            .search([("opportunity_ids", "in", self.lead.ids)])
        )

    def test_a_follower_who_may_not_read_the_lead_cannot_post_on_it(self):
        self.lead.message_subscribe(partner_ids=self.somchai.partner_id.ids)
        before = self.lead.message_ids
        with self.assertRaises(AccessError):
            self.lead.with_user(self.somchai).message_post(
                body="Could you reply with your budget?",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(self.lead.message_ids, before)
        # the leader, who reads the lead, writes to the customer as in Odoo
        self.lead.with_user(self.leader).message_post(
            body="Hello", message_type="comment"
        )

    def test_a_reps_reply_by_e_mail_is_kept_as_an_internal_note(self):
        # Somchai owned the lead, then gave it back: his reply by e-mail to
        # an older notification reaches the lead through Odoo's gateway
        self.lead.message_subscribe(partner_ids=self.customer.ids)
        gateway = self.lead.with_user(self.env.ref("base.user_root")).with_context(
            from_alias=True
        )
        message = gateway.message_post(
            body="Let us talk outside the pool",
            author_id=self.somchai.partner_id.id,
            message_type="email",
            subtype_id=self.env.ref("mail.mt_comment").id,
        )
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertNotIn(self.customer, message.notified_partner_ids)
        # the customer's own e-mail is a comment, as in Odoo
        answer = gateway.message_post(
            body="Any news?",
            author_id=self.customer.id,
            message_type="email",
            subtype_id=self.env.ref("mail.mt_comment").id,
        )
        self.assertEqual(answer.subtype_id, self.env.ref("mail.mt_comment"))

    def test_a_message_from_two_companies_is_posted_and_not_notified(self):
        # the poster has both companies enabled, the follower only the first
        self.lead.message_subscribe(partner_ids=self.somchai.partner_id.ids)
        self.env.user.company_ids |= self.company_2
        both = self.lead.with_context(
            allowed_company_ids=[self.env.company.id, self.company_2.id]
        )
        self.assertNotIn(self.somchai.partner_id, self._customer_writes(both)[1])

    def test_a_follower_of_a_pool_that_becomes_private_is_not_notified(self):
        self.queue.pool_hide_contact = False
        lead = self._new_pool_lead("Public widgets")
        lead.with_user(self.somchai).action_claim()
        lead.with_user(self.somchai).action_release("Not for me")
        self.assertIn(self.somchai.partner_id, lead.message_partner_ids)
        self.queue.pool_hide_contact = True
        self.assertTrue(lead.pool_private)
        self.assertNotIn(self.somchai.partner_id, self._customer_writes(lead)[1])


@tagged("post_install", "-at_install")
class TestPoolCard(PoolPrivacyCase):
    """The card: what the pool shows, who sees it, claiming from it."""

    def _cards(self, user, domain=None):
        return self.env["crm.lead.pool.card"].with_user(user).search(domain or [])

    def test_card_has_no_contact_field(self):
        Card = self.env["crm.lead.pool.card"]
        self.assertFalse(CONTACT_FIELDS & set(Card._fields))
        self.assertFalse(
            {name for name, field in Card._fields.items() if field.type == "many2one"}
            & {"partner_id", "user_id", "message_partner_ids"}
        )

    def test_card_shows_the_pool_fields(self):
        card = self._cards(self.somchai, [("id", "=", self.lead.id)])
        self.assertEqual(card.id, self.lead.id)
        values = card.read()[0]
        self.assertEqual(values["name"], "Widgets for Siam")
        self.assertEqual(values["expected_revenue"], 5000)
        self.assertEqual(values["priority"], "2")
        self.assertEqual(values["country_id"][0], self.env.ref("base.th").id)
        self.assertEqual(values["queue_id"][0], self.queue.id)
        self.assertEqual(values["team_id"][0], self.team.id)
        self.assertEqual(values["pool_waiting"], "0 min")
        self.assertFalse(values["claim_block_reason"])
        self.assertTrue(values["pool_date"])
        self.assertNoSecret(values)

    def test_card_says_why_a_rep_cannot_claim(self):
        card = self._cards(self.mai, [("id", "=", self.lead.id)])
        self.assertEqual(card.lead_id.id, self.lead.id)
        self.assertIn("not an available member", card.claim_block_reason)

    def test_card_shows_who_released_it_and_why(self):
        self.lead.with_user(self.somchai).action_claim()
        self.lead.with_user(self.somchai).action_release(reason="Wants Thai speaker")
        card = self._cards(self.wei, [("id", "=", self.lead.id)])
        self.assertEqual(card.pool_return_user_id, self.somchai)
        self.assertEqual(card.pool_return_reason, "Wants Thai speaker")

    def test_cards_of_a_public_pool_too(self):
        self.queue.pool_hide_contact = False
        self.assertEqual(
            self._cards(self.somchai, [("id", "=", self.lead.id)]).id, self.lead.id
        )

    def test_only_pool_leads_have_cards(self):
        taken = self._new_pool_lead("Taken")
        taken.with_user(self.wei).action_claim()
        cards = self._cards(self.niran)
        self.assertIn(self.lead.id, cards.ids)
        self.assertNotIn(taken.id, cards.ids)
        self.lead.with_user(self.somchai).action_claim()
        self.assertNotIn(self.lead.id, self._cards(self.niran).ids)

    def test_card_is_read_only(self):
        Card = self.env["crm.lead.pool.card"].with_user(self.somchai)
        card = Card.browse(self.lead.id)
        with mute_logger("odoo.models"):
            with self.assertRaises(AccessError):
                card.write({"name": "Mine"})
            with self.assertRaises(AccessError):
                card.unlink()
            with self.assertRaises(AccessError):
                Card.create({"name": "New"})

    def test_claim_from_the_card(self):
        card = (
            self.env["crm.lead.pool.card"].with_user(self.somchai).browse(self.lead.id)
        )
        action = card.action_claim()
        self.assertEqual(self.lead.user_id, self.somchai)
        self.assertEqual(action["params"]["title"], "Lead claimed")
        self.assertEqual(
            action["params"]["links"][0]["url"], f"/odoo/crm/{self.lead.id}"
        )
        self.assertEqual(action["params"]["links"][0]["label"], "Widgets for Siam")
        self.assertTrue(self._reads(self.somchai))
        opened = card.action_open_lead()
        self.assertEqual(
            (opened["res_model"], opened["res_id"]), ("crm.lead", self.lead.id)
        )

    def test_open_lead_from_the_card_needs_the_lead(self):
        card = (
            self.env["crm.lead.pool.card"].with_user(self.somchai).browse(self.lead.id)
        )
        with self.assertRaises(AccessError), mute_logger(*RULE_LOGGERS):
            card.action_open_lead()
        leader_card = card.with_user(self.leader)
        self.assertEqual(leader_card.action_open_lead()["res_id"], self.lead.id)

    def test_lead_claim_works_on_ids_the_rep_cannot_read(self):
        lead = self.env["crm.lead"].with_user(self.somchai).browse(self.lead.id)
        self.assertEqual(lead.action_claim()["params"]["type"], "success")
        self.assertEqual(self.lead.user_id, self.somchai)

    def test_restricted_pool_cards_are_for_the_team(self):
        self.team.restrict_pool = True
        self.assertIn(self.lead, self._cards(self.somchai).lead_id)
        self.assertIn(self.lead, self._cards(self.leader).lead_id)
        self.assertIn(self.lead, self._cards(self.all_docs).lead_id)
        self.assertNotIn(self.lead, self._cards(self.mai).lead_id)
        with self.assertRaises(AccessError), mute_logger(*RULE_LOGGERS):
            self.env["crm.lead"].with_user(self.mai).browse(self.lead.id).action_claim()
        self.assertFalse(self.lead.user_id)
        self.team.restrict_pool = False
        self.assertIn(self.lead, self._cards(self.mai).lead_id)

    def test_card_list_queries_do_not_grow_with_the_cards(self):
        self.env["crm.lead"].create(
            [
                dict(CONTACT, name=f"Pool {index}", team_id=self.team.id, user_id=False)
                for index in range(80)
            ]
        )
        Card = self.env["crm.lead.pool.card"].with_user(self.somchai)
        spec = {
            fname: {}
            for fname in (
                "name",
                "expected_revenue",
                "pool_waiting",
                "claim_block_reason",
                "pool_return_reason",
                "lead_readable",
            )
        }
        spec["pool_return_user_id"] = {"fields": {"display_name": {}}}
        spec["tag_ids"] = {"fields": {"display_name": {}}}

        def count(limit):
            self.env.invalidate_all()
            queries = self.cr.sql_log_count
            # the cards of one queue (queries grow with queues, not with leads)
            result = Card.web_search_read(
                [("queue_id", "=", self.queue.id)], spec, limit=limit
            )
            self.assertEqual(len(result["records"]), limit)
            return self.cr.sql_log_count - queries

        count(5)  # warm the caches
        self.assertEqual(count(5), count(80), "as many queries for 5 or 80 cards")

    def test_other_company_and_portal_see_no_card(self):
        self.assertFalse(self._cards(self.other_co, [("id", "=", self.lead.id)]))
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self._cards(self.portal)


@tagged("post_install", "-at_install")
class TestPoolPrivacyRpc(RpcLoginMixin, PoolPrivacyCase, HttpCase):
    """The same with each user's own login and password, over XML-RPC (as an
    outside script) and JSON-RPC (as the web client)."""

    def assertRpcDenied(self, user, model, method, *args, **kwargs):
        with mute_logger(*RULE_LOGGERS):
            refusal = self._rpc_refused(user, model, method, *args, **kwargs)
        self.assertEqual(refusal.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        self.assertNoSecret(refusal.faultString)

    def test_rpc_rep_cannot_reach_the_lead(self):
        ids = self.lead.ids
        rep = self.somchai
        self.assertRpcDenied(rep, "crm.lead", "read", ids, ["email_from"])
        self.assertRpcDenied(rep, "crm.lead", "action_schedule_meeting", ids)
        self.assertRpcDenied(rep, "crm.lead", "action_show_potential_duplicates", ids)
        meeting = self.env["calendar.event"].create(
            {
                "name": "Demo",
                "opportunity_id": self.lead.id,
                "user_id": self.leader.id,
                "partner_ids": [Command.set(self.customer.ids)],
                "start": "2026-11-23 09:00:00",
                "stop": "2026-11-23 10:00:00",
            }
        )
        self.assertRpcDenied(
            rep, "calendar.event", "read", meeting.ids, ["partner_ids"]
        )
        self.assertEqual(self._rpc(rep, "crm.lead", "search", [("id", "in", ids)]), [])
        for model, domain in (
            ("res.partner", [("opportunity_ids", "in", ids)]),
            ("calendar.event", [("opportunity_id", "in", ids)]),
            ("mail.message", [("model", "=", "crm.lead"), ("res_id", "in", ids)]),
            ("mail.followers", [("res_model", "=", "crm.lead"), ("res_id", "in", ids)]),
            ("crm.activity.report", [("lead_id", "in", ids)]),
        ):
            with self.subTest(model=model):
                self.assertEqual(self._rpc(rep, model, "search_read", domain), [])

    def test_rpc_others_reach_the_lead_as_odoo_says(self):
        ids = self.lead.ids
        for user in (self.leader, self.niran, self.all_docs):
            values = self._rpc(user, "crm.lead", "read", ids, ["email_from"])
            self.assertEqual(values[0]["email_from"], CONTACT["email_from"], user.name)
        self.assertRpcDenied(self.other_co, "crm.lead", "read", ids, ["name"])
        self.assertRpcDenied(self.portal, "crm.lead", "read", ids, ["name"])

    def test_rpc_rep_claims_from_the_card_then_reads_the_lead(self):
        ids = self.lead.ids
        rep = self.somchai
        rows = self._rpc(
            rep,
            "crm.lead.pool.card",
            "search_read",
            [("id", "in", ids)],
            fields=["name", "expected_revenue", "queue_id", "claim_block_reason"],
        )
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["name"], "Widgets for Siam")
        self.assertFalse(rows[0]["claim_block_reason"])
        self.assertNoSecret(self._rpc(rep, "crm.lead.pool.card", "read", ids))
        action = self._rpc(rep, "crm.lead.pool.card", "action_claim", ids)
        self.assertEqual(action["params"]["title"], "Lead claimed")
        values = self._rpc(rep, "crm.lead", "read", ids, ["email_from", "user_id"])
        self.assertEqual(values[0]["email_from"], CONTACT["email_from"])
        self.assertEqual(values[0]["user_id"][0], rep.id)

    def test_rpc_lead_claim_on_an_unreadable_lead(self):
        answer = self._rpc(self.wei, "crm.lead", "action_claim", self.lead.ids)
        self.assertEqual(answer["params"]["type"], "success")
        self.assertEqual(self.lead.user_id, self.wei)
        self.assertEqual(
            answer["params"]["links"][0]["label"],
            self.lead.name,
            "once claimed, the lead is the rep's to name",
        )

    def test_rpc_non_member_cannot_see_or_claim_a_restricted_pool(self):
        self.team.restrict_pool = True
        ids = self.lead.ids
        self.assertEqual(
            self._rpc(self.mai, "crm.lead.pool.card", "search", [("id", "in", ids)]), []
        )
        self.assertRpcDenied(self.mai, "crm.lead", "action_claim", ids)
        self.assertRpcDenied(self.mai, "crm.lead.pool.card", "action_claim", ids)
        self.assertFalse(self.lead.user_id)

    def test_jsonrpc_chatter_and_web_read_of_the_lead(self):
        self.lead.message_post(
            body="Call me on 234 5678", author_id=self.customer.id, message_type="email"
        )
        self.authenticate("q_somchai", "q_somchai_pw")
        with mute_logger(*RULE_LOGGERS):
            for route, params in (
                (
                    "/mail/thread/messages",
                    {"thread_model": "crm.lead", "thread_id": self.lead.id},
                ),
                (
                    "/mail/thread/data",
                    {
                        "thread_model": "crm.lead",
                        "thread_id": self.lead.id,
                        "request_list": ["followers", "attachments"],
                    },
                ),
            ):
                with self.subTest(route=route):
                    try:
                        result = self.make_jsonrpc_request(route, params)
                    except JsonRpcException as error:  # the refusal
                        result = str(error)
                    self.assertNoSecret(result)
        with mute_logger(*RULE_LOGGERS), self.assertRaises(JsonRpcException) as caught:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/crm.lead/web_read",
                {
                    "model": "crm.lead",
                    "method": "web_read",
                    "args": [self.lead.ids],
                    "kwargs": {"specification": {"email_from": {}}},
                },
            )
        self.assertIn("AccessError", str(caught.exception))
        self.assertNoSecret(caught.exception)
