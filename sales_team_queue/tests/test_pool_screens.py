"""What the Lead Pool screens read and do on the server: the lead that came
back (previous owner, reason), the wait, the release wizard and the optional
alert to the team leader on each claim."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestPoolScreens(QueueCase):
    def _pool(self, **vals):
        return self._create_queue(strategy="pool", **vals)

    def _release(self, leads, user, reason):
        wizard = (
            self.env["crm.lead.release"]
            .with_user(user)
            .with_context(active_model="crm.lead", active_ids=leads.ids)
            .create({"reason": reason})
        )
        return wizard.action_apply()

    def _leader_notifications(self):
        return self.env["mail.notification"].search(
            [("res_partner_id", "=", self.niran.partner_id.id)]
        )

    # ------------------------------------------------------------
    # Alert to the team leader
    # ------------------------------------------------------------

    def test_leader_gets_one_notification_per_claim_listing_the_leads(self):
        self._pool(notify_leader_on_claim=True)
        first, second = self._new_leads(2)
        with self.mock_mail_gateway():
            (first | second).with_user(self.somchai).action_claim()
        self.assertEqual((first | second).user_id, self.somchai)
        notification = self._leader_notifications()
        self.assertEqual(len(notification), 1)
        self.assertEqual(notification.notification_type, "inbox")
        message = notification.mail_message_id
        self.assertEqual(message.author_id, self.somchai.partner_id)
        self.assertEqual(message.subject, "Somchai claimed 2 lead(s)")
        self.assertIn(f"/odoo/crm/{first.id}", message.body)
        self.assertIn(f"/odoo/crm/{second.id}", message.body)

    def test_leader_alert_of_one_claim_is_on_the_lead(self):
        self._pool(notify_leader_on_claim=True)
        lead = self._new_leads(1)
        with self.mock_mail_gateway():
            lead.with_user(self.wei).action_claim()
        message = self._leader_notifications().mail_message_id
        self.assertEqual((message.model, message.res_id), ("crm.lead", lead.id))
        self.assertEqual(message.subject, "Wei claimed 1 lead(s)")

    def test_no_leader_alert_when_the_option_is_off(self):
        self._pool()
        lead = self._new_leads(1)
        with self.mock_mail_gateway():
            lead.with_user(self.somchai).action_claim()
        self.assertEqual(lead.user_id, self.somchai)
        self.assertFalse(self._leader_notifications())

    def test_no_leader_alert_for_a_refused_claim(self):
        self._pool(notify_leader_on_claim=True, claim_daily_limit=1)
        first, second = self._new_leads(2)
        first.with_user(self.somchai).action_claim()
        self._leader_notifications().unlink()
        with self.mock_mail_gateway(), self.assertRaises(UserError):
            second.with_user(self.somchai).action_claim()
        self.assertFalse(self._leader_notifications())

    # ------------------------------------------------------------
    # The card: the lead that came back, the wait
    # ------------------------------------------------------------

    def test_released_lead_shows_previous_owner_and_reason(self):
        self._pool()
        lead, fresh = self._new_leads(2)
        self.assertFalse(fresh.pool_return_user_id)
        self.assertFalse(fresh.pool_return_reason)
        lead.with_user(self.somchai).action_claim()
        self._release(lead, self.somchai, "Customer wants a Vietnamese speaker")
        self.env.invalidate_all()
        lead = lead.with_user(self.wei)
        self.assertEqual(lead.queue_state, "pool")
        self.assertEqual(lead.pool_return_user_id, self.somchai)
        self.assertEqual(lead.pool_return_reason, "Customer wants a Vietnamese speaker")
        lead.action_claim()
        self.assertFalse(lead.pool_return_user_id)
        self.assertFalse(lead.pool_return_reason)

    def test_lead_released_without_words_shows_the_ledger_reason(self):
        self._pool()
        lead = self._new_leads(1)
        lead.with_user(self.wei).action_claim()
        lead.with_user(self.wei).action_release()
        lead = lead.with_user(self.linh)
        self.assertEqual(lead.pool_return_user_id, self.wei)
        self.assertEqual(lead.pool_return_reason, "released to the pool by Wei")

    def _ledger_queries(self, leads):
        """The queries on the ledger made to show where ``leads`` came back
        from."""
        self.env.invalidate_all()
        leads.mapped("queue_state")
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            leads.mapped("pool_return_user_id")
        return [line for line in logs.output if 'FROM "crm_lead_assignment"' in line]

    def test_came_back_reads_the_ledger_once_for_all_the_leads(self):
        self._pool()
        leads = self._new_leads(6)
        leads.with_user(self.somchai).action_claim()
        leads.with_user(self.somchai).action_release(reason="not for me")
        self.assertEqual(leads.mapped("pool_return_user_id"), self.somchai)
        # One grouped read of the last line per lead, one read of those lines
        # (the reasons' own rendering reads the users they name).
        self.assertEqual(len(self._ledger_queries(leads[:1])), 2)
        self.assertEqual(len(self._ledger_queries(leads)), 2)

    def test_waiting_label(self):
        label = self.env["crm.lead"]._pool_waiting_label
        self.assertEqual(label(7), "7 min")
        self.assertEqual(label(185), "3 h 5 min")
        self.assertEqual(label(60 * 50), "2 d 2 h")

    def test_pool_lead_has_a_wait_and_an_assigned_one_none(self):
        self._pool()
        lead = self._new_leads(1)
        self.assertEqual(lead.pool_waiting, "0 min")
        lead.with_user(self.somchai).action_claim()
        self.assertFalse(lead.pool_waiting)

    # ------------------------------------------------------------
    # Release wizard
    # ------------------------------------------------------------

    def test_release_wizard_puts_the_lead_back_with_the_reason(self):
        self._pool()
        lead = self._new_leads(1)
        lead.with_user(self.somchai).action_claim()
        self._release(lead, self.somchai, "Wrong region")
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.queue_state, "pool")
        self._assert_last_line(
            lead,
            "recycle",
            self.somchai,
            "released to the pool by Somchai: Wrong region",
        )

    def test_release_wizard_refuses_the_lead_of_another_rep(self):
        self._pool()
        lead = self._new_leads(1)
        lead.with_user(self.somchai).action_claim()
        with self.assertRaises(UserError):  # AccessError is a UserError
            self._release(lead, self.wei, "Not mine but still")
        self.assertEqual(lead.user_id, self.somchai)

    def test_release_wizard_needs_a_reason(self):
        self._pool()
        lead = self._new_leads(1)
        lead.with_user(self.somchai).action_claim()
        with self.assertRaises(UserError):
            self._release(lead, self.somchai, "   ")
        self.assertEqual(lead.user_id, self.somchai)

    # ------------------------------------------------------------
    # The Lead Pool action
    # ------------------------------------------------------------

    def test_lead_pool_lists_the_pool_cards_oldest_first(self):
        self._pool()
        first, second, taken = self._new_leads(3)
        taken.with_user(self.somchai).action_claim()
        second.with_user(self.wei).action_claim()
        second.with_user(self.wei).action_release()
        action = self.env.ref("sales_team_queue.crm_lead_action_pool")
        self.assertEqual(action.res_model, "crm.lead.pool.card")
        self.assertFalse(action.domain)
        cards = self.env["crm.lead.pool.card"].with_user(self.linh).search([])
        self.assertIn(first.id, cards.ids)
        self.assertIn(second.id, cards.ids)
        self.assertNotIn(taken.id, cards.ids)
        self.assertLess(cards.ids.index(first.id), cards.ids.index(second.id))

    def test_pool_card_shows_what_the_lead_computes(self):
        self._pool(claim_daily_limit=1)
        lead, other = self._new_leads(2)
        lead.with_user(self.somchai).action_claim()
        lead.with_user(self.somchai).action_release(reason="not for me")
        card = self.env["crm.lead.pool.card"].with_user(self.somchai).browse(lead.id)
        self.assertEqual(card.pool_return_user_id, self.somchai)
        self.assertEqual(card.pool_return_reason, "not for me")
        self.assertEqual(card.pool_waiting, lead.pool_waiting)
        self.assertTrue(card.claim_block_reason, "daily limit reached")
        self.assertEqual(
            card.claim_block_reason,
            lead.with_user(self.somchai).claim_block_reason,
        )
        self.assertEqual(
            card.claim_block_rule, "daily_limit", "said in short on every card"
        )
        self.assertFalse(card.with_user(self.wei).claim_block_reason)
        self.assertFalse(card.with_user(self.wei).claim_block_rule)
        self.assertTrue(card.lead_readable, "an open pool: the lead is readable")

    def test_claim_from_the_card_says_so_with_a_link(self):
        self._pool()
        first, second = self._new_leads(2)
        Card = self.env["crm.lead.pool.card"].with_user(self.somchai)
        action = Card.browse((first | second).ids).action_claim()
        self.assertEqual((first | second).user_id, self.somchai)
        params = action["params"]
        self.assertEqual((params["type"], params["title"]), ("success", "Lead claimed"))
        self.assertEqual(
            [link["url"] for link in params["links"]],
            [f"/odoo/crm/{first.id}", f"/odoo/crm/{second.id}"],
        )
        self.assertEqual(params["message"].count("%s"), 2)
        self.assertEqual(params["next"]["tag"], "soft_reload")

    def test_claim_and_open_from_the_card_form(self):
        self._pool()
        lead = self._new_leads(1)
        card = self.env["crm.lead.pool.card"].with_user(self.wei).browse(lead.id)
        action = card.action_claim_and_open()
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual((action["res_model"], action["res_id"]), ("crm.lead", lead.id))

    def test_refused_claim_from_the_card_says_why(self):
        self._pool(claim_daily_limit=1)
        first, second = self._new_leads(2)
        Card = self.env["crm.lead.pool.card"].with_user(self.somchai)
        Card.browse(first.id).action_claim()
        with self.assertRaisesRegex(UserError, "Daily claim limit reached"):
            Card.browse(second.id).action_claim()
        self.assertFalse(second.user_id)
