"""18.0.1.5.0: returning customers. A member's turn credit (``wrr_current``)
now also holds, in a round-robin queue, the turns they owe for the returning
customers' leads they received; it belonged to the weighted strategy alone, and
a queue switched from weighted kept its members' credits. Those left in queues
that are not weighted are cleared, so that no member skips a turn after the
upgrade (a change of strategy now clears them)."""


def migrate(cr, version):
    cr.execute(
        """UPDATE crm_team_queue_member m SET wrr_current = 0
             FROM crm_team_queue q
            WHERE q.id = m.queue_id AND q.strategy <> 'weighted'
              AND COALESCE(m.wrr_current, 0) <> 0"""
    )
