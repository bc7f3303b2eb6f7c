"""The live pool, on the server: what enters or leaves a pool is told once the
transaction commits, in one bus message per company (ids only), never when it
is rolled back; the members of a queue with ``notify_pool_members`` who can
claim the new leads now get one notification each.

The bus tests commit on real cursors (``CommittedQueueCase``) and read the
``bus.bus`` rows the commit wrote; the notification tests call the step the
commit runs (``_live_notify_members``) with what the transaction gathered."""

import json

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, fields
from odoo.tests import tagged

from ..models.crm_lead_pool_live import (
    LIVE_KEY,
    POOL_CHANGED,
    POOL_CHANNEL,
    POOL_SUBCHANNEL,
)
from .common import CommittedQueueCase, QueueCase

WED_1000 = "2026-03-04 03:00:00"  # Wednesday 10:00 in Bangkok, 03:00 UTC
SUBJECT = "New leads to claim in the pool"


@tagged("post_install", "-at_install")
class TestPoolLiveBus(CommittedQueueCase):
    def setUp(self):
        super().setUp()
        with self._worker_env(SUPERUSER_ID) as env:
            self.company_id = env.ref("base.main_company").id
            env["crm.team"].browse(self.team_id).company_id = self.company_id
        self._make_queue(strategy="pool")
        self.since = self._last_bus_id()
        self.addCleanup(self._remove_bus_rows)

    def _last_bus_id(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM bus_bus")
            return cr.fetchone()[0]

    def _remove_bus_rows(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM bus_bus WHERE id > %s", [self.since])

    def _pool_messages(self):
        """(channel, payload) of the pool messages committed since the test
        began (and, for the next call, since this one)."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id, channel, message FROM bus_bus WHERE id > %s ORDER BY id",
                [self.since],
            )
            rows = cr.fetchall()
        messages = []
        for _id, channel, message in rows:
            message = json.loads(message)
            if message["type"] == POOL_CHANGED:
                messages.append((json.loads(channel), message["payload"]))
        if rows:
            self.since = rows[-1][0]
        return messages

    def _company_channel(self):
        return [self.env.cr.dbname, "res.company", self.company_id, POOL_SUBCHANNEL]

    def _pool_leads(self, count, **vals):
        """``count`` leads routed into the pool, committed."""
        with self._worker_env() as env:
            leads = env["crm.lead"].create(
                [
                    dict(
                        vals,
                        name=f"Live Lead {index}",
                        email_from=f"secret{index}@example.com",
                        team_id=self.team_id,
                        user_id=False,
                    )
                    for index in range(count)
                ]
            )
            self.assertEqual(set(leads.mapped("queue_state")), {"pool"})
            return leads.ids

    def test_routing_into_the_pool_sends_one_message_after_the_commit(self):
        lead_ids = self._pool_leads(250)
        messages = self._pool_messages()
        self.assertEqual(len(messages), 1, "one message for the whole transaction")
        channel, payload = messages[0]
        self.assertEqual(channel, self._company_channel())
        self.assertEqual(len(lead_ids), 250)
        self.assertEqual(payload, {}, "no lead, queue or number: heard by all")

    def test_leads_of_no_company_are_told_to_every_sales_user(self):
        with self._worker_env(SUPERUSER_ID) as env:
            env["crm.team"].browse(self.team_id).company_id = False
            salesmen = env.ref("sales_team.group_sale_salesman").id
        self._pool_leads(1)
        ((channel, payload),) = self._pool_messages()
        self.assertEqual(
            channel, [self.env.cr.dbname, "res.groups", salesmen, POOL_SUBCHANNEL]
        )
        self.assertEqual(payload, {})

    def test_a_rolled_back_transaction_sends_nothing(self):
        with self._worker_env() as env:
            leads = env["crm.lead"].create(
                {"name": "Rolled Back", "team_id": self.team_id, "user_id": False}
            )
            self.assertEqual(leads.queue_state, "pool")
            self.assertTrue(env.cr.postcommit.data.get(LIVE_KEY))
            env.cr.rollback()
        self.assertEqual(self._pool_messages(), [])

    def test_leaving_the_pool_by_claim_assignment_archive_or_delete_is_told(self):
        claimed, assigned, archived, deleted, kept = self._pool_leads(5)
        self._pool_messages()
        anan = self.user_ids[0]
        with self._worker_env(anan) as env:
            env["crm.lead.pool.card"].browse(claimed).action_claim()
        # a plain write of the salesperson (form, list, import, RPC)
        with self._worker_env() as env:
            env["crm.lead"].browse(assigned).user_id = self.user_ids[1]
        with self._worker_env() as env:
            env["crm.lead"].browse(archived).action_archive()
        with self._worker_env() as env:
            env["crm.lead"].browse(deleted).unlink()
        messages = self._pool_messages()
        self.assertEqual(
            [payload for _channel, payload in messages],
            [{}, {}, {}, {}],
            "one message per transaction: claim, assignment, archive, delete",
        )
        with self._worker_env() as env:
            self.assertEqual(
                env["crm.lead.pool.card"].search([("team_id", "=", self.team_id)]).ids,
                [kept],
            )

    def test_a_write_that_leaves_the_pools_alone_sends_nothing(self):
        (lead_id,) = self._pool_leads(1)
        self._pool_messages()
        with self._worker_env() as env:
            env["crm.lead"].browse(lead_id).write({"description": "<p>Called</p>"})
            assigned = env["crm.lead"].create(
                {"name": "Mine", "team_id": self.team_id, "user_id": self.admin_id}
            )
            assigned.write({"name": "Mine, renamed", "priority": "2"})
        self.assertEqual(self._pool_messages(), [])

    def test_the_pool_channels_are_given_to_sales_users_of_their_companies(self):
        with self._worker_env(SUPERUSER_ID) as env:
            Websocket = env["ir.websocket"]
            company = env["res.company"].browse(self.company_id)
            salesmen = env.ref("sales_team.group_sale_salesman")
            other = env["res.company"].create({"name": "Live Other Company"})
            anan = env["res.users"].browse(self.user_ids[0])
            channels = Websocket.with_user(anan)._live_pool_channels([POOL_CHANNEL])
            self.assertEqual(
                channels,
                [(company, POOL_SUBCHANNEL), (salesmen, POOL_SUBCHANNEL)],
            )
            self.assertNotIn((other, POOL_SUBCHANNEL), channels)
            for xmlid in ("base.public_user", "base.demo_user0"):
                user = env.ref(xmlid, raise_if_not_found=False)
                if user:
                    self.assertEqual(
                        Websocket.with_user(user)._live_pool_channels([POOL_CHANNEL]),
                        [],
                        f"{xmlid} gets no pool channel",
                    )
            env.cr.rollback()


@tagged("post_install", "-at_install")
class TestPoolLiveNotify(QueueCase):
    """Somchai (Bangkok, available), Wei (paused), Linh (available, but her
    time zone puts her outside the claim window) in a pool queue that claims
    from 09:00 to 12:00; Mai in the second team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.linh.tz = "UTC"
        cls.queue = cls._create_queue(
            strategy="pool",
            notify_pool_members=True,
            claim_window_start=9.0,
            claim_window_end=12.0,
            members=[
                {"user_id": cls.somchai.id},
                {"user_id": cls.wei.id, "active": False},
                {"user_id": cls.linh.id},
            ],
        )
        cls.queue_2 = cls._create_queue(
            team=cls.team_2,
            strategy="pool",
            notify_pool_members=True,
            name="Second Pool",
            members=[{"user_id": cls.mai.id}],
        )

    def _enter(self, count=3, **vals):
        """``count`` leads routed into the pool now, and what the commit
        would tell the members."""
        self.env.cr.postcommit.data.pop(LIVE_KEY, None)
        leads = self._new_leads(count, **vals)
        self.assertEqual(set(leads.mapped("queue_state")), {"pool"})
        changes = self.env.cr.postcommit.data[LIVE_KEY]
        self.env["crm.team.queue"]._live_notify_members(changes.entered)
        return leads, changes

    def _notifications(self, user):
        return self._messages_to(user, SUBJECT, "=")

    def test_only_members_who_can_claim_now_are_notified_once(self):
        with freeze_time(fields.Datetime.to_datetime(WED_1000)):
            leads, changes = self._enter(3)
        self.assertEqual(
            {queue: set(entries) for queue, entries in changes.entered.items()},
            {self.queue.id: set(leads.ids)},
        )
        (message,) = self._notifications(self.somchai)
        self.assertEqual(message.model, False)
        for lead in leads:
            self.assertIn(
                f"/odoo/action-sales_team_queue.crm_lead_action_pool/{lead.id}",
                message.body,
            )
        self.assertIn("3 new lead(s) you can claim now", message.body)
        self.assertFalse(self._notifications(self.wei), "paused")
        self.assertFalse(self._notifications(self.linh), "outside the claim window")
        self.assertFalse(self._notifications(self.mai), "another team")
        self.assertFalse(self._notifications(self.niran), "not a member")

    def test_a_member_who_left_the_queue_company_is_not_notified(self):
        other = self.env["res.company"].create({"name": "Live Other Company"})
        self.team.company_id = self.env.ref("base.main_company")
        self.assertTrue(self.queue.company_id)
        self.somchai.write(
            {"company_ids": [Command.set(other.ids)], "company_id": other.id}
        )
        with freeze_time(fields.Datetime.to_datetime(WED_1000)):
            self._enter(2)
        self.assertFalse(self._notifications(self.somchai))

    def test_nobody_is_notified_outside_the_claim_window(self):
        with freeze_time("2026-03-04 10:00:00"):  # 17:00 in Bangkok
            self._enter(2)
        self.assertFalse(self._notifications(self.somchai))

    def test_a_queue_without_the_option_notifies_nobody(self):
        self.queue.notify_pool_members = False
        with freeze_time(fields.Datetime.to_datetime(WED_1000)):
            _leads, changes = self._enter(2)
        self.assertFalse(changes.entered, "no transaction of its own after the commit")
        self.assertFalse(self._notifications(self.somchai))

    def test_a_member_at_the_daily_claim_limit_is_not_notified(self):
        self.queue.claim_daily_limit = 1
        with freeze_time(fields.Datetime.to_datetime(WED_1000)):
            first = self._new_leads(1)
            first.with_user(self.somchai).action_claim()
            self._enter(2)
        self.assertFalse(self._notifications(self.somchai))

    def test_one_notification_per_rep_for_two_queues(self):
        other = self._create_queue(
            strategy="pool",
            notify_pool_members=True,
            name="VIP Pool",
            sequence=1,
            domain="[('priority', '=', '3')]",
            members=[{"user_id": self.somchai.id}],
        )
        self.queue.sequence = 2
        with freeze_time(fields.Datetime.to_datetime(WED_1000)):
            self.env.cr.postcommit.data.pop(LIVE_KEY, None)
            vip = self._new_leads(1, priority="3")
            plain = self._new_leads(2)
            self.assertEqual(vip.queue_id, other)
            self.assertEqual(plain.queue_id, self.queue)
            changes = self.env.cr.postcommit.data[LIVE_KEY]
            self.env["crm.team.queue"]._live_notify_members(changes.entered)
        (message,) = self._notifications(self.somchai)
        self.assertIn("3 new lead(s) you can claim now", message.body)
        self.assertIn("VIP Pool", message.body)

    def test_a_private_pool_notification_shows_no_contact(self):
        self.queue.pool_hide_contact = True
        partner = self.env["res.partner"].create(
            {"name": "Hidden Customer", "email": "hidden@example.com"}
        )
        with freeze_time(fields.Datetime.to_datetime(WED_1000)):
            self._enter(
                1,
                partner_id=partner.id,
                contact_name="Hidden Contact",
                email_from="hidden@example.com",
                phone="+66 2 555 0101",
            )
        (message,) = self._notifications(self.somchai)
        for secret in ("Hidden", "hidden@example.com", "555 0101"):
            self.assertNotIn(secret, message.body)
        self.assertFalse(message.model)
        self.assertFalse(message.res_id)

    def test_leads_claimed_before_the_commit_runs_are_not_listed(self):
        with freeze_time(fields.Datetime.to_datetime(WED_1000)):
            self.env.cr.postcommit.data.pop(LIVE_KEY, None)
            leads = self._new_leads(2)
            changes = self.env.cr.postcommit.data[LIVE_KEY]
            leads[0].with_user(self.somchai).action_claim()
            self.env["crm.team.queue"]._live_notify_members(changes.entered)
        (message,) = self._notifications(self.somchai)
        self.assertIn("1 new lead(s) you can claim now", message.body)
        self.assertNotIn(f'crm_lead_action_pool/{leads[0].id}"', message.body)
