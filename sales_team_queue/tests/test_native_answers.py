"""Every action answers the native way: a change of salesperson by the door is
tracked in the chatter like Odoo's own tracking (with method and reason), a
claim and a release answer with a notification, and a lead given to a rep who
does not work with leads (CRM's Leads setting off) lands in their pipeline."""

from odoo import Command
from odoo.tests import tagged

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestNativeAnswers(QueueCase):
    def _tracking(self, lead, field_name):
        """(old, new) names of the newest tracked change of ``field_name`` of
        ``lead``, and the body of its message."""
        values = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "crm.lead"),
                ("mail_message_id.res_id", "=", lead.id),
                ("field_id.name", "=", field_name),
            ],
            order="id desc",
            limit=1,
        )
        return (
            values.old_value_char,
            values.new_value_char,
            values.mail_message_id.body,
        )

    def _use_leads(self, users, on):
        group = self.env.ref("crm.group_use_lead")
        users.write(
            {"groups_id": [Command.link(group.id) if on else Command.unlink(group.id)]}
        )

    def test_reassign_wizard_tracks_salesperson_with_method_and_reason(self):
        self._create_queue()
        lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.somchai)
        wizard = (
            self.env["crm.lead.assign"]
            .with_user(self.niran)
            .with_context(active_model="crm.lead", active_ids=lead.ids)
            .create(
                {
                    "lead_ids": [Command.set(lead.ids)],
                    "action": "assign",
                    "user_id": self.wei.id,
                    "reason": "Speaks Mandarin",
                }
            )
        )
        answer = wizard.action_apply()
        self.assertEqual(answer["params"]["type"], "success")
        old, new, body = self._tracking(lead, "user_id")
        self.assertEqual((old, new), ("Somchai", "Wei"))
        self.assertIn("Assignment Wizard", body)
        self.assertIn("Speaks Mandarin", body)

    def test_first_placement_is_not_tracked_a_later_change_is(self):
        """As Odoo tracks no initial value, a lead placed by its first routing
        (at creation or later) has only its ledger line; a later change of
        salesperson is tracked."""
        queue = self._create_queue()
        lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.somchai)
        self.assertFalse(any(self._tracking(lead, "user_id")), "no tracking")
        queue.action_archive()
        later = self._new_leads(1)
        self.assertFalse(later.user_id)
        queue.action_unarchive()
        later.action_route()
        self.assertTrue(later.user_id, "routed by Route")
        self.assertFalse(any(self._tracking(later, "user_id")), "first placement")
        first = later.user_id
        other = (self.reps - first)[:1]
        later.with_user(self.niran).write({"user_id": other.id})
        old, new, body = self._tracking(later, "user_id")
        self.assertEqual((old, new), (first.name, other.name))
        self.assertIn("Manual", body)

    def test_a_change_is_told_once_when_odoo_tracks_the_same_write(self):
        """A write of the salesperson with another tracked field: Odoo's own
        tracking must not tell the change of salesperson a second time."""
        self._create_queue()
        lead = self._new_leads(1)
        lead.with_user(self.niran).write({"user_id": self.wei.id, "priority": "2"})
        lead.with_user(self.niran).write({"user_id": self.linh.id})
        self.flush_tracking()
        values = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "crm.lead"),
                ("mail_message_id.res_id", "=", lead.id),
                ("field_id.name", "=", "user_id"),
            ]
        )
        self.assertEqual(
            sorted((v.old_value_char, v.new_value_char) for v in values),
            [("Somchai", "Wei"), ("Wei", "Linh")],
        )

    def test_claim_answers_with_a_link_and_tracks_it(self):
        self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        answer = lead.with_user(self.wei).action_claim()
        self.assertEqual(answer["params"]["type"], "success")
        self.assertEqual(
            answer["params"]["links"],
            [{"label": lead.display_name, "url": f"/odoo/crm/{lead.id}"}],
        )
        self.assertEqual(self._tracking(lead, "user_id")[:2], ("", "Wei"))

    def test_release_answers_and_tracks_the_way_back_to_the_pool(self):
        queue = self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        lead.with_user(self.wei).action_claim()
        answer = lead.with_user(self.wei).action_release(reason="Wrong region")
        self.assertEqual(answer["params"]["type"], "success")
        self.assertIn(queue.name, answer["params"]["message"])
        old, new, body = self._tracking(lead, "user_id")
        self.assertEqual((old, new), ("Wei", ""))
        self.assertIn("Wrong region", body)

    def test_release_wizard_closes_with_the_notification(self):
        self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        lead.with_user(self.wei).action_claim()
        wizard = (
            self.env["crm.lead.release"]
            .with_user(self.wei)
            .create({"lead_ids": [Command.set(lead.ids)], "reason": "Not mine"})
        )
        answer = wizard.action_apply()
        self.assertEqual(answer["tag"], "display_notification")
        self.assertEqual(
            answer["params"]["next"], {"type": "ir.actions.act_window_close"}
        )
        self.assertFalse(lead.user_id)

    def test_leads_setting_off_routes_leads_into_the_pipeline(self):
        self._use_leads(self.reps, on=False)
        self._create_queue()
        lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.somchai)
        self.assertEqual(lead.type, "opportunity", "in Somchai's pipeline")
        self.assertTrue(lead.date_conversion)
        self.assertIn(
            lead,
            self.env["crm.lead"]
            .with_user(self.somchai)
            .search([("type", "=", "opportunity"), ("user_id", "=", self.somchai.id)]),
        )

    def test_leads_setting_off_claim_lands_in_the_pipeline(self):
        self._use_leads(self.reps, on=False)
        self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        self.assertEqual(lead.type, "lead", "waiting in the pool, as created")
        lead.with_user(self.wei).action_claim()
        self.assertEqual((lead.user_id, lead.type), (self.wei, "opportunity"))

    def test_leads_setting_on_keeps_leads(self):
        self._use_leads(self.reps, on=True)
        self._create_queue()
        lead = self._new_leads(1)
        self.assertEqual((lead.user_id, lead.type), (self.somchai, "lead"))

    def test_deleting_a_queue_unroutes_its_pool_leads(self):
        """The database empties the leads' queue behind the ORM: a lead that
        waited in the pool is unrouted (the backlog routes it), not a card of
        no pool."""
        queue = self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        self.assertEqual(lead.queue_state, "pool")
        queue.unlink()
        self.assertEqual(
            (lead.queue_id, lead.queue_state), (queue.browse(), "unrouted")
        )
        self.assertFalse(self.env["crm.lead.pool.card"].search([("id", "=", lead.id)]))

    def test_my_queues_shows_claims_against_the_limit_and_running_slas(self):
        """A rep's own page (My Queues): what they claimed today against the
        queue's daily limit, and their leads whose SLA runs."""
        queue = self._create_queue(strategy="pool", claim_daily_limit=3, sla_hours=4)
        leads = self._new_leads(2)
        leads[0].with_user(self.wei).action_claim()
        action = self.env["crm.team.queue"].with_user(self.wei).action_open_dashboard()
        mine = (
            self.env["crm.team.queue.member"]
            .with_user(self.wei)
            .with_context(action["context"])
            .search(action["domain"])
            .filtered(lambda member: member.queue_id == queue)
        )
        self.assertEqual(
            (mine.claimed_today, mine.claim_daily_limit, mine.sla_running_count),
            (1, 3, 1),
        )
