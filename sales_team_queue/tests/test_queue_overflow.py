from odoo.tests import tagged

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestQueueOverflow(QueueCase):
    def _pause_all(self, queue):
        queue.member_ids.active = False

    def test_overflow_pool_keeps_the_lead_visible_in_the_pool(self):
        queue = self._create_queue(overflow="pool")
        self._pause_all(queue)
        lead = self._new_leads(1)
        self.assertFalse(lead.user_id)
        self.assertEqual((lead.queue_id, lead.queue_state), (queue, "pool"))
        self.assertEqual(queue.pool_count, 1)
        # Nobody could take it, and the ledger says why.
        self.assertEqual(
            lead.assignment_ids.reason,
            "no eligible member: Somchai paused, Wei paused, Linh paused",
        )

    def test_overflow_next_queue_tries_the_following_queue(self):
        first = self._create_queue(
            users=self.somchai, name="First", sequence=1, overflow="next_queue"
        )
        second = self._create_queue(users=self.wei, name="Second", sequence=2)
        self._pause_all(first)
        lead = self._new_leads(1)
        self.assertEqual((lead.queue_id, lead.user_id), (second, self.wei))
        self.assertEqual(
            lead.assignment_ids.reason, "overflow from First: round robin: first turn"
        )

    def test_overflow_next_queue_without_next_waits_in_first_pool(self):
        first = self._create_queue(overflow="next_queue")
        self._pause_all(first)
        lead = self._new_leads(1)
        self.assertEqual((lead.queue_id, lead.queue_state), (first, "pool"))

    def test_overflow_leader_gives_the_lead_to_the_team_leader(self):
        queue = self._create_queue(overflow="leader")
        self._pause_all(queue)
        lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.niran)
        self.assertEqual(
            lead.assignment_ids.reason,
            "overflow: team leader (no eligible member: Somchai paused, Wei paused, "
            "Linh paused)",
        )

    def test_overflow_leader_without_leader_waits_in_pool(self):
        self.team.user_id = False
        queue = self._create_queue(overflow="leader")
        self._pause_all(queue)
        lead = self._new_leads(1)
        self.assertEqual((lead.queue_id, lead.queue_state), (queue, "pool"))

    def test_capped_queue_never_loses_a_lead(self):
        queue = self._create_queue(users=self.somchai, overflow="pool")
        queue.member_ids.daily_cap = 2
        leads = self._new_leads(5)
        self.assertEqual(len(leads.filtered("user_id")), 2)
        self.assertEqual(set(leads.mapped("queue_state")), {"assigned", "pool"})
        self.assertEqual(queue.pool_count, 3)

    def test_queue_without_members_uses_the_pool(self):
        queue = self._create_queue(users=self.env["res.users"])
        lead = self._new_leads(1)
        self.assertEqual((lead.queue_id, lead.queue_state), (queue, "pool"))
