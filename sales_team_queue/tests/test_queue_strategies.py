from odoo.tests import tagged

from .common import QueueCase

# Somchai (weight 2) and Wei (weight 1), smoothly interleaved.
TWO_TO_ONE = ["Somchai", "Wei", "Somchai", "Somchai", "Wei", "Somchai"]


@tagged("post_install", "-at_install")
class TestQueueStrategies(QueueCase):
    def _weighted_queue(self, *weights):
        """A weighted queue whose members are ``(user, weight)``, in that order."""
        return self._create_queue(
            members=[
                {"user_id": user.id, "weight": weight} for user, weight in weights
            ],
            strategy="weighted",
        )

    def test_round_robin_gives_turns_in_member_order(self):
        self._create_queue()
        leads = self._new_leads(6)
        self.assertEqual(
            self._owners(leads),
            ["Somchai", "Wei", "Linh", "Somchai", "Wei", "Linh"],
        )

    def test_round_robin_is_remembered_across_creations(self):
        self._create_queue()
        first = self._new_leads(1)
        second = self._new_leads(1)
        third = self._new_leads(2)
        self.assertEqual(first.user_id, self.somchai)
        self.assertEqual(second.user_id, self.wei)
        self.assertEqual(self._owners(third), ["Linh", "Somchai"])

    def test_round_robin_skipped_member_keeps_turn_order(self):
        queue = self._create_queue()
        self._new_leads(1)  # Somchai
        self._member(queue, self.wei).active = False
        paused = self._new_leads(2)
        self.assertEqual(self._owners(paused), ["Linh", "Somchai"])
        self._member(queue, self.wei).active = True
        back = self._new_leads(3)
        # Wei does not jump the line: the rotation goes on after Somchai.
        self.assertEqual(self._owners(back), ["Wei", "Linh", "Somchai"])

    def test_round_robin_new_member_takes_their_place_in_the_order(self):
        queue = self._create_queue(users=self.somchai | self.linh)
        self._new_leads(1)  # Somchai
        queue.member_ids = [(0, 0, {"user_id": self.wei.id, "sequence": 1})]
        self._member(queue, self.linh).sequence = 3
        leads = self._new_leads(3)
        self.assertEqual(self._owners(leads), ["Wei", "Linh", "Somchai"])

    def test_weighted_is_smooth_two_to_one(self):
        self._weighted_queue((self.somchai, 2), (self.wei, 1))
        leads = self._new_leads(6)
        self.assertEqual(self._owners(leads), TWO_TO_ONE)

    def test_weighted_is_remembered_across_runs(self):
        self._weighted_queue((self.somchai, 2), (self.wei, 1))
        names = []
        for _i in range(6):
            names += self._new_leads(1).mapped("user_id.name")
        self.assertEqual(names, TWO_TO_ONE)

    def test_weighted_shares_follow_weights(self):
        self._weighted_queue((self.somchai, 3), (self.wei, 2), (self.linh, 1))
        leads = self._new_leads(60)
        counts = [
            len(leads.filtered(lambda lead, u=u: lead.user_id == u)) for u in self.reps
        ]
        self.assertEqual(counts, [30, 20, 10])

    def test_load_balanced_picks_fewest_open_leads(self):
        self.env["crm.lead"].create(
            [
                {"name": "Open", "team_id": self.team.id, "user_id": self.somchai.id},
                {"name": "Open", "team_id": self.team.id, "user_id": self.somchai.id},
                {"name": "Open", "team_id": self.team.id, "user_id": self.wei.id},
            ]
        )
        self._create_queue(strategy="load_balanced")
        lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.linh)
        self.assertEqual(lead.assignment_ids.reason, "load balanced: 0 open vs 1")

    def test_load_balanced_ignores_won_and_lost_leads(self):
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        self.env["crm.lead"].create(
            [
                {
                    "name": "Won",
                    "team_id": self.team.id,
                    "user_id": self.somchai.id,
                    "stage_id": won_stage.id,
                },
                {
                    "name": "Lost",
                    "team_id": self.team.id,
                    "user_id": self.somchai.id,
                    "active": False,
                },
                {"name": "Open", "team_id": self.team.id, "user_id": self.wei.id},
                {"name": "Open", "team_id": self.team.id, "user_id": self.linh.id},
            ]
        )
        self._create_queue(strategy="load_balanced")
        self.assertEqual(self._new_leads(1).user_id, self.somchai)

    def test_load_balanced_tie_goes_to_who_waited_longest(self):
        queue = self._create_queue(strategy="load_balanced")
        first = self._new_leads(3)
        self.assertEqual(self._owners(first), ["Somchai", "Wei", "Linh"])
        # Somchai closes his lead: he and nobody else has 0 open.
        first[0].action_set_lost()
        self.assertEqual(self._new_leads(1).user_id, self.somchai)
        # All at 1 open now; Wei waited longest since his last lead.
        self.assertEqual(queue.member_ids.mapped("open_count"), [1, 1, 1])
        self.assertEqual(self._new_leads(1).user_id, self.wei)

    def test_load_balanced_counts_beside_a_rotation_of_the_same_team(self):
        """Routing counts open leads only for the queues whose strategy reads
        them: a rotation of the same team, read after, must not hide them."""
        self.env["crm.lead"].create(
            [
                {"name": "Open", "team_id": self.team.id, "user_id": self.somchai.id},
                {"name": "Open", "team_id": self.team.id, "user_id": self.somchai.id},
                {"name": "Open", "team_id": self.team.id, "user_id": self.wei.id},
            ]
        )
        self._create_queue(strategy="load_balanced", sequence=2)
        # Created after: its member rows come after the load-balanced ones.
        self._create_queue(sequence=1, min_expected_revenue=1000000)
        lead = self._new_leads(1, expected_revenue=10)
        self.assertEqual(lead.user_id, self.linh)
        self.assertEqual(lead.assignment_ids.reason, "load balanced: 0 open vs 1")

    def test_load_balanced_tie_beside_a_rotation_of_the_same_team(self):
        """Who waited longest is read for the load-balanced queue only: the
        rows of a rotation of the same team, read after, must not hide it."""
        self._create_queue(strategy="load_balanced", sequence=2)
        self._create_queue(sequence=1, min_expected_revenue=1000000)
        first = self._new_leads(3, expected_revenue=10)
        self.assertEqual(self._owners(first), ["Somchai", "Wei", "Linh"])
        first[0].action_set_lost()
        self.assertEqual(self._new_leads(1, expected_revenue=10).user_id, self.somchai)
        # All at 1 open; Wei waited longest (Somchai's last lead is the newest).
        self.assertEqual(self._new_leads(1, expected_revenue=10).user_id, self.wei)

    def test_pool_strategy_places_lead_in_pool(self):
        queue = self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.queue_id, queue)
        self.assertEqual(lead.queue_state, "pool")
        line = lead.assignment_ids
        self.assertEqual(
            (line.user_id, line.queue_id, line.reason),
            (self.env["res.users"], queue, "pool: waits to be claimed"),
        )

    def test_hybrid_strategy_places_lead_in_pool(self):
        queue = self._create_queue(strategy="hybrid")
        lead = self._new_leads(1)
        self.assertEqual((lead.queue_id, lead.queue_state), (queue, "pool"))
