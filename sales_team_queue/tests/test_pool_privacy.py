"""Pool privacy: a lead waiting in the pool of a queue with ``pool_hide_contact``
shows no contact details to the reps (read, search_read, web_read,
web_search_read, export, search, grouping, write) until one of them claims it;
the team leader and sales managers always see them. The same over XML-RPC with a
real login."""

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged, users

from .common import QueueCase

CONTACT = {
    "email_from": "anong@example.com",
    "phone": "+66 2 123 4567",
    "mobile": "+66 81 234 5678",
    "street": "99 Sukhumvit Road",
    "street2": "Floor 12",
    "zip": "10110",
    "city": "Bangkok",
    "contact_name": "Anong",
    "partner_name": "Siam Widgets",
    "website": "https://siam-widgets.example.com",
}
PRIVATE = [*CONTACT, "partner_id", "email_normalized", "phone_sanitized"]
PUBLIC = ["name", "priority", "expected_revenue", "country_id", "queue_state"]


class PoolPrivacyCase(QueueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.group_allow_export").users |= cls.reps
        for user in cls.reps | cls.niran:
            user.password = f"{user.login}_pw"
        cls.manager = cls.env.ref("base.user_admin")
        cls.queue = cls._create_queue(strategy="pool", pool_hide_contact=True)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Anong Siam", "email": "anong@example.com"}
        )
        cls.country = cls.env.ref("base.th")
        cls.lead = cls._new_pool_lead("Widgets for Siam")

    @classmethod
    def _new_pool_lead(cls, name, team=None, **vals):
        values = dict(
            CONTACT,
            name=name,
            team_id=(team or cls.team).id,
            user_id=False,
            type="lead",
            priority="2",
            expected_revenue=5000,
            country_id=cls.country.id,
            partner_id=cls.customer.id,
        )
        values.update(vals)
        lead = cls.env["crm.lead"].create(values)
        # the customer's computes (e-mail, phone, address) replace what was given
        lead.write({fname: values[fname] for fname in CONTACT})
        return lead


@tagged("post_install", "-at_install")
class TestPoolPrivacy(PoolPrivacyCase):
    def _read(self, user, lead=None):
        lead = (lead or self.lead).with_user(user)
        self.env.invalidate_all()
        return lead.read(PRIVATE + PUBLIC)[0]

    def assertHidden(self, values):
        for fname in PRIVATE:
            self.assertIs(values[fname], False, f"{fname} is hidden")
        self.assertEqual(values["name"], "Widgets for Siam")
        self.assertEqual(values["priority"], "2")
        self.assertEqual(values["expected_revenue"], 5000)
        self.assertTrue(values["country_id"])

    def assertShown(self, values):
        for fname, value in CONTACT.items():
            self.assertEqual(values[fname], value, f"{fname} is shown")
        partner = values["partner_id"]
        partner_id = partner["id"] if isinstance(partner, dict) else partner[0]
        self.assertEqual(partner_id, self.customer.id)

    def test_lead_waits_in_pool_with_contact(self):
        self.assertEqual(self.lead.queue_id, self.queue)
        self.assertEqual(self.lead.queue_state, "pool")
        self.assertEqual(self.lead.email_from, "anong@example.com")
        self.assertEqual(self.lead.partner_id, self.customer)

    def test_rep_read_hides_contact(self):
        self.assertHidden(self._read(self.somchai))

    def test_rep_search_read_hides_contact(self):
        rows = (
            self.env["crm.lead"]
            .with_user(self.wei)
            .search_read([("id", "=", self.lead.id)], PRIVATE + PUBLIC)
        )
        self.assertEqual(len(rows), 1)
        self.assertHidden(rows[0])

    def test_rep_web_read_hides_contact(self):
        spec = {fname: {} for fname in PRIVATE + PUBLIC}
        spec["partner_id"] = {"fields": {"display_name": {}, "email": {}}}
        spec["country_id"] = {"fields": {"display_name": {}}}
        spec["duplicate_lead_ids"] = {"fields": {"display_name": {}}}
        spec["duplicate_lead_count"] = {}
        self._new_pool_lead("Same customer", user_id=self.linh.id)
        values = self.lead.with_user(self.linh).web_read(spec)[0]
        self.assertHidden(values)
        self.assertEqual(values["duplicate_lead_ids"], [], "similar leads hidden")
        self.assertIs(values["duplicate_lead_count"], False)
        self.assertEqual(self.lead.duplicate_lead_count, 1, "as the leader sees it")
        result = (
            self.env["crm.lead"]
            .with_user(self.linh)
            .web_search_read([("id", "=", self.lead.id)], spec)
        )
        self.assertHidden(result["records"][0])

    def test_rep_export_hides_contact(self):
        visible = self._new_pool_lead("Visible", user_id=self.somchai.id)
        leads = (self.lead | visible).with_user(self.somchai)
        columns = ["name", "email_from", "phone", "partner_id/name", "tag_ids/name"]
        self.env["crm.tag"].create([{"name": "T1"}, {"name": "T2"}])
        leads.sudo().tag_ids = self.env["crm.tag"].search(
            [("name", "in", ["T1", "T2"])]
        )
        self.env.invalidate_all()
        rows = leads.with_context(import_compat=False).export_data(columns)["datas"]
        # one line per tag: the main line and a sub-line per record
        self.assertEqual(len(rows), 4)
        self.assertEqual(rows[0][:4], ["Widgets for Siam", "", "", ""])
        self.assertEqual(rows[1][:4], ["", "", "", ""])
        self.assertEqual(
            rows[2][:4],
            ["Visible", CONTACT["email_from"], CONTACT["phone"], "Anong Siam"],
        )
        self.assertEqual({rows[0][4], rows[1][4]}, {"T1", "T2"})

    def test_rep_search_on_contact_finds_nothing(self):
        Lead = self.env["crm.lead"].with_user(self.somchai)
        ids = [self.lead.id]
        for domain in (
            [("email_from", "ilike", "anong")],
            [("phone", "ilike", "4567")],
            [("mobile", "ilike", "5678")],
            [("phone_mobile_search", "ilike", "1234567")],
            [("city", "=", "Bangkok")],
            [("partner_id", "=", self.customer.id)],
            [("partner_id", "ilike", "Anong")],
            [("partner_id.email", "ilike", "anong")],
            [("email_from", "not ilike", "nobody")],
            [("contact_name", "!=", False)],
        ):
            self.assertFalse(Lead.search([("id", "in", ids), *domain]), domain)
        # the negation of a condition tells nothing either: true whatever the value
        self.assertEqual(
            Lead.search([("id", "in", ids), "!", ("email_from", "ilike", "anong")]),
            self.lead,
        )
        self.assertEqual(
            Lead.search([("id", "in", ids), ("name", "ilike", "Siam")]), self.lead
        )
        # the search view's "Customer" filter
        customer = [
            "|",
            "|",
            "|",
            ("partner_id", "ilike", "Anong"),
            ("partner_name", "ilike", "Anong"),
            ("email_from", "ilike", "Anong"),
            ("contact_name", "ilike", "Anong"),
        ]
        self.assertFalse(Lead.search([("id", "in", ids), *customer]))
        groups = Lead._read_group([("id", "in", ids)], ["partner_id"], ["__count"])
        self.assertFalse(groups, "no group names the hidden customer")

    def test_rep_sort_on_contact_tells_nothing(self):
        first = self._new_pool_lead("Z first", email_from="zz@example.com")
        second = self._new_pool_lead("A second", email_from="aa@example.com")
        owned = self._new_pool_lead("Owned", user_id=self.somchai.id)
        leads = first | second | owned
        Lead = self.env["crm.lead"].with_user(self.somchai)
        for order in ("email_from", "email_from desc", "partner_id, email_from"):
            found = Lead.search([("id", "in", leads.ids)], order=order)
            self.assertEqual(found, first | second | owned, order)
        manager = self.env["crm.lead"].search(
            [("id", "in", leads.ids)], order="email_from"
        )
        self.assertEqual(manager, second | owned | first)

    def test_rep_cannot_write_contact(self):
        lead = self.lead.with_user(self.somchai)
        with self.assertRaises(UserError):
            lead.write({"email_from": "other@example.com"})
        with self.assertRaises(UserError):
            lead.write({"partner_id": False})
        lead.write({"description": "<p>Looks promising</p>"})
        self.assertEqual(self.lead.email_from, CONTACT["email_from"])
        self.assertEqual(self.lead.partner_id, self.customer)

    def test_rep_cannot_copy_merge_or_convert(self):
        lead = self.lead.with_user(self.somchai)
        own = self._new_pool_lead("Own", user_id=self.somchai.id)
        with self.assertRaises(UserError):
            lead.copy()
        with self.assertRaises(UserError):
            (lead | own.with_user(self.somchai)).merge_opportunity()
        with self.assertRaises(UserError):
            self.env["crm.lead2opportunity.partner"].with_user(
                self.somchai
            ).with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            ).default_get(["lead_id", "partner_id", "name"])
        self.assertTrue(self.lead.exists() and own.exists())

    def test_rep_onchange_sends_no_contact(self):
        other = self.env["res.partner"].create(
            {"name": "Other", "email": "other@example.com", "phone": "+66 2 000 0000"}
        )
        spec = {fname: {} for fname in ["partner_id", "phone", "email_from", "name"]}
        for user, shown in ((self.somchai, False), (self.niran, True)):
            result = self.lead.with_user(user).onchange(
                {"partner_id": other.id}, ["partner_id"], spec
            )
            values = result.get("value", {})
            self.assertEqual("email_from" in values, shown, user.name)
            self.assertEqual("phone" in values, shown, user.name)

    def test_claim_shows_contact(self):
        self.assertIs(self.lead.with_user(self.somchai).action_claim(), True)
        self.assertEqual(self.lead.user_id, self.somchai)
        self.assertShown(self._read(self.somchai))
        self.assertEqual(
            self.env["crm.lead"]
            .with_user(self.somchai)
            .search([("email_from", "ilike", "anong"), ("id", "=", self.lead.id)]),
            self.lead,
        )
        self.lead.with_user(self.somchai).write({"phone": "+66 2 765 4321"})
        self.assertEqual(self.lead.phone, "+66 2 765 4321")

    def test_leader_and_manager_see_contact(self):
        for user in (self.niran, self.manager):
            self.assertShown(self._read(user))
            self.assertEqual(
                self.env["crm.lead"]
                .with_user(user)
                .search([("email_from", "ilike", "anong"), ("id", "=", self.lead.id)]),
                self.lead,
            )

    def test_leader_without_manager_group_sees_contact(self):
        leader = self.wei
        self.team.user_id = leader
        self.assertShown(self._read(leader))
        self.assertHidden(self._read(self.somchai))

    def test_queue_without_option_shows_contact(self):
        self.queue.pool_hide_contact = False
        Lead = self.env["crm.lead"].with_user(self.somchai)
        self.assertFalse(Lead._pool_privacy_applies(), "inert when no queue hides")
        self.assertShown(self._read(self.somchai))
        self.assertEqual(
            self.env["crm.lead"]
            .with_user(self.somchai)
            .search([("phone", "ilike", "4567"), ("id", "=", self.lead.id)]),
            self.lead,
        )

    def test_suggested_recipients_hidden(self):
        lead = self.lead.with_user(self.somchai)
        self.assertEqual(lead._message_get_suggested_recipients(), [])
        self.assertTrue(self.lead._message_get_suggested_recipients())

    @users("q_somchai")
    def test_list_of_80_leads_no_query_per_lead(self):
        leads = (
            self.env["crm.lead"]
            .sudo()
            .create(
                [
                    dict(
                        CONTACT,
                        name=f"Pool {index}",
                        team_id=self.team.id,
                        user_id=False,
                        type="lead",
                    )
                    for index in range(80)
                ]
            )
        )
        self.assertEqual(set(leads.mapped("queue_state")), {"pool"})
        Lead = self.env["crm.lead"]
        spec = {fname: {} for fname in ["name", "email_from", "phone", "city"]}
        spec["partner_id"] = {"fields": {"display_name": {}}}
        domain = [("id", "in", leads.ids)]
        self.env.invalidate_all()
        Lead.web_search_read(domain, spec, limit=5)  # warm the caches
        self.env.invalidate_all()
        queries = self.cr.sql_log_count
        Lead.web_search_read(domain, spec, limit=5)
        few_count = self.cr.sql_log_count - queries
        self.env.invalidate_all()
        queries = self.cr.sql_log_count
        many = Lead.web_search_read(domain, spec, limit=80)
        many_count = self.cr.sql_log_count - queries
        self.assertEqual(len(many["records"]), 80)
        self.assertFalse(any(row["email_from"] for row in many["records"]))
        self.assertEqual(few_count, many_count, "as many queries for 5 or 80 leads")


@tagged("post_install", "-at_install")
class AroundCase(PoolPrivacyCase):
    """A pool lead with a story around it: an e-mail from the customer, a reply
    sent to them, a colleague's internal note, a tracked change of its e-mail,
    the customer among its followers, a logged activity and a meeting with the
    customer organised by the leader."""

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
        cls.note = lead.with_user(cls.niran).message_post(
            body="Big prospect, be quick", subtype_xmlid="mail.mt_note"
        )
        lead.message_subscribe(partner_ids=cls.customer.ids)
        # changes made in the transaction that created the lead are not tracked
        cls.env.flush_all()
        cls.env.cr.precommit.run()
        lead.write({"email_from": "anong.new@example.com"})
        cls.env.flush_all()
        cls.env.cr.precommit.run()
        cls.tracking = lead.message_ids.tracking_value_ids.filtered(
            lambda tracking: tracking.field_id.name == "email_from"
        )
        lead.activity_schedule(
            "mail.mail_activity_data_call", user_id=cls.niran.id
        ).action_feedback(feedback="Asked for a quote")
        cls.meeting = cls.env["calendar.event"].create(
            {
                "name": "Demo for Siam Widgets",
                "opportunity_id": lead.id,
                "user_id": cls.niran.id,
                "partner_ids": [(6, 0, (cls.customer | cls.niran.partner_id).ids)],
                "start": "2026-11-23 09:00:00",
                "stop": "2026-11-23 10:00:00",
            }
        )

    def _messages(self, user):
        return (
            self.env["mail.message"]
            .with_user(user)
            .search([("model", "=", "crm.lead"), ("res_id", "=", self.lead.id)])
        )


@tagged("post_install", "-at_install")
class TestPoolPrivacyAround(AroundCase):
    def test_setup(self):
        self.assertEqual(self.lead.queue_state, "pool")
        self.assertTrue(self.tracking, "the change of e-mail is tracked")
        self.assertIn(self.customer, self.lead.message_partner_ids)

    def test_rep_chatter_shows_logs_not_the_customer(self):
        messages = self._messages(self.somchai)
        self.assertNotIn(self.customer_mail, messages, "the customer's e-mail")
        self.assertNotIn(self.reply, messages, "the reply sent to the customer")
        self.assertIn(self.note, messages, "internal notes stay")
        self.assertIn(self.tracking.mail_message_id, messages, "logs stay")
        found = (
            self.env["mail.message"]
            .with_user(self.somchai)
            ._message_fetch([("model", "=", "crm.lead"), ("res_id", "=", self.lead.id)])
        )["messages"]
        self.assertNotIn(self.customer_mail, found)
        self.assertEqual(
            self.env["mail.message"]
            .with_user(self.somchai)
            .search_count([("body", "ilike", "234 5678")]),
            0,
            "searching the messages finds nothing either",
        )

    def test_rep_reading_a_customer_message_by_id_gets_nothing(self):
        self.env.invalidate_all()
        values = self.customer_mail.with_user(self.wei).read(
            ["body", "author_id", "email_from", "subject", "partner_ids"]
        )[0]
        self.assertFalse(values["body"])
        self.assertFalse(values["author_id"])
        self.assertFalse(values["email_from"])
        self.assertEqual(values["partner_ids"], [])
        self.assertIn("234 5678", self.customer_mail.body, "not changed in the db")

    def test_rep_tracked_contact_changes_hidden(self):
        lead = self.lead.with_user(self.somchai)
        self.assertFalse(lead._track_filter_for_display(self.tracking))
        leader_lead = self.lead.with_user(self.niran)
        self.assertEqual(
            leader_lead._track_filter_for_display(self.tracking), self.tracking
        )

    def test_rep_followers_hide_the_customer(self):
        followers = (
            self.env["mail.followers"]
            .with_user(self.somchai)
            .search([("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)])
        )
        self.assertNotIn(self.customer, followers.partner_id)
        self.assertIn(self.niran.partner_id, followers.partner_id, "users stay")
        self.env.invalidate_all()
        values = self.lead.with_user(self.somchai).read(
            ["message_partner_ids", "message_follower_ids"]
        )[0]
        self.assertEqual(values["message_partner_ids"], [])
        self.assertEqual(values["message_follower_ids"], [])
        customer_follower = self.lead.message_follower_ids.filtered(
            lambda follower: follower.partner_id == self.customer
        )
        self.env.invalidate_all()
        self.assertEqual(
            customer_follower.with_user(self.somchai).read(["partner_id", "email"]),
            [],
            "read by its id, the customer's follower line is not found",
        )

    def test_rep_activity_analysis_leaves_the_lead_out(self):
        Report = self.env["crm.activity.report"]
        self.assertTrue(Report.search([("lead_id", "=", self.lead.id)]))
        self.assertFalse(
            Report.with_user(self.somchai).search([("lead_id", "=", self.lead.id)])
        )
        groups = Report.with_user(self.somchai)._read_group(
            [("partner_id", "=", self.customer.id)], ["partner_id"], ["__count"]
        )
        self.assertEqual(groups, [])
        self.assertTrue(
            Report.with_user(self.niran).search([("lead_id", "=", self.lead.id)]),
            "the leader sees it",
        )

    def test_rep_meetings_of_the_lead_hidden_unless_invited(self):
        Event = self.env["calendar.event"]
        domain = [("opportunity_id", "=", self.lead.id)]
        self.assertFalse(Event.with_user(self.somchai).search(domain))
        self.assertEqual(Event.with_user(self.niran).search(domain), self.meeting)
        self.meeting.partner_ids |= self.wei.partner_id
        self.assertEqual(
            Event.with_user(self.wei).search(domain), self.meeting, "an attendee"
        )

    def test_rep_cannot_open_the_composer_on_the_lead(self):
        template = self.env["mail.template"].create(
            {
                "name": "Quote",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "subject": "Quote for {{ object.email_from }}",
            }
        )
        Composer = self.env["mail.compose.message"].with_user(self.somchai)
        context = {"default_model": "crm.lead", "default_res_ids": self.lead.ids}
        with self.assertRaisesRegex(UserError, "claim it first"):
            Composer.with_context(**context).default_get(["body", "res_ids"])
        with self.assertRaisesRegex(UserError, "claim it first"):
            Composer.create(
                {
                    "model": "crm.lead",
                    "res_ids": str(self.lead.ids),
                    "template_id": template.id,
                }
            )
        # once claimed, the composer opens and renders the template
        self.lead.with_user(self.somchai).action_claim()
        composer = Composer.with_context(**context).create({"template_id": template.id})
        self.assertEqual(composer.subject, "Quote for anong.new@example.com")

    def test_claim_shows_everything(self):
        self.lead.with_user(self.somchai).action_claim()
        messages = self._messages(self.somchai)
        self.assertIn(self.customer_mail, messages)
        self.assertIn(self.reply, messages)
        self.assertIn(
            self.customer, self.lead.with_user(self.somchai).message_partner_ids
        )
        self.assertEqual(
            self.env["calendar.event"]
            .with_user(self.somchai)
            .search([("opportunity_id", "=", self.lead.id)]),
            self.meeting,
        )

    def test_manager_sees_everything(self):
        manager = self.env.ref("base.user_admin")
        self.assertIn(self.customer_mail, self._messages(manager))


class TestPoolPrivacyRpc(PoolPrivacyCase, HttpCase):
    """The same over XML-RPC, with each user's own login and password."""

    def _rpc(self, user, method, *args, **kwargs):
        login = user.login
        uid = self.xmlrpc_common.authenticate(
            self.env.cr.dbname, login, f"{login}_pw", {}
        )
        self.assertEqual(uid, user.id, f"{login} logs in")
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            uid,
            f"{login}_pw",
            "crm.lead",
            method,
            list(args),
            kwargs,
        )

    def test_rpc_rep_read_and_search_hide_contact(self):
        ids = [self.lead.id]
        values = self._rpc(self.somchai, "read", ids, PRIVATE + PUBLIC)[0]
        for fname in PRIVATE:
            self.assertIs(values[fname], False, fname)
        self.assertEqual(values["name"], "Widgets for Siam")
        rows = self._rpc(
            self.somchai, "search_read", [("id", "in", ids)], fields=["email_from"]
        )
        self.assertEqual(rows, [{"id": self.lead.id, "email_from": False}])
        self.assertEqual(
            self._rpc(
                self.somchai,
                "search",
                [("id", "in", ids), ("email_from", "ilike", "anong")],
            ),
            [],
        )
        self.assertEqual(
            self._rpc(
                self.somchai, "search", [("id", "in", ids), ("phone", "ilike", "4567")]
            ),
            [],
        )

    def test_rpc_leader_and_claimer_see_contact(self):
        ids = [self.lead.id]
        for user in (self.niran,):
            values = self._rpc(user, "read", ids, ["email_from", "partner_id"])[0]
            self.assertEqual(values["email_from"], CONTACT["email_from"])
            self.assertEqual(values["partner_id"][0], self.customer.id)
            self.assertEqual(
                self._rpc(
                    user,
                    "search",
                    [("id", "in", ids), ("email_from", "ilike", "anong")],
                ),
                ids,
            )
        self._rpc(self.somchai, "action_claim", ids)
        values = self._rpc(self.somchai, "read", ids, ["email_from", "phone"])[0]
        self.assertEqual(values["email_from"], CONTACT["email_from"])
        self.assertEqual(values["phone"], CONTACT["phone"])
        self.assertEqual(
            self._rpc(
                self.somchai, "search", [("id", "in", ids), ("phone", "ilike", "4567")]
            ),
            ids,
        )


@tagged("post_install", "-at_install")
class TestPoolPrivacyChatterHttp(AroundCase, HttpCase):
    """The chatter as the web client loads it, with a real login."""

    def _thread(self, user):
        self.authenticate(user.login, f"{user.login}_pw")
        messages = self.make_jsonrpc_request(
            "/mail/thread/messages",
            {"thread_model": "crm.lead", "thread_id": self.lead.id},
        )
        data = self.make_jsonrpc_request(
            "/mail/thread/data",
            {
                "thread_model": "crm.lead",
                "thread_id": self.lead.id,
                "request_list": ["followers"],
            },
        )
        return messages, data

    def test_chatter_of_a_pool_lead(self):
        messages, data = self._thread(self.somchai)
        self.assertNotIn(self.customer_mail.id, messages["messages"])
        self.assertIn(self.note.id, messages["messages"])
        text = str(messages["data"]) + str(data)
        for secret in ("234 5678", "anong", "Anong"):
            self.assertNotIn(secret, text)
        messages, data = self._thread(self.niran)
        self.assertIn(self.customer_mail.id, messages["messages"])
        self.assertIn("anong", str(messages["data"]) + str(data))
