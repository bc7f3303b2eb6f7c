"""Hot leads to seniors: the VIP tier of a queue (``vip_min_priority``,
``vip_min_revenue``, ``vip_min_probability``) is decided by one method,
:meth:`_vip_lead_for`, which both the lead's ``is_vip`` flag and routing read.

In the pool, senior members may claim VIP leads first (``crm_lead_pool.py``).
A queue that assigns (round robin, weighted, load balanced...) gives a VIP
lead to one of its eligible senior members (:meth:`_select_member_vip`,
called by ``_select_member``), chosen by the queue's strategy among them; the
lead counts as that senior's turn, so the rotation of the other members does
not move. When no senior member may take it, the strategy picks among the
others and the reason says why no senior could."""

from odoo import api, models

from .values import Reason

# The settings of a queue's VIP tier (what routing keeps of them, as they are).
VIP_FIELDS = ("vip_min_priority", "vip_min_revenue", "vip_min_probability")


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    @api.model
    def _queue_cached_fields(self):
        return super()._queue_cached_fields() | set(VIP_FIELDS)

    @api.model
    def _routing_config_values(self, queue):
        values = super()._routing_config_values(queue)
        values.update(
            vip_min_priority=queue.vip_min_priority or "",
            vip_min_revenue=queue.vip_min_revenue,
            vip_min_probability=queue.vip_min_probability,
        )
        return values

    @api.model
    def _vip_lead_for(self, settings, team, lead):
        """Whether ``lead`` reaches the VIP tier of a queue of ``team`` whose
        settings are ``settings`` (the ``crm.team.queue`` itself, or its
        routing ``QueueConfig``): at least *VIP From Priority* stars, at least
        *VIP From Revenue* expected, or a probability predicted by Odoo
        (``automated_probability``, Predictive Lead Scoring) of at least *VIP
        From Predicted Probability*. A team whose probability comes from the
        stage (``probability_mode`` ``stage``) has no prediction: Odoo's
        scoring leaves its leads alone (``crm_lead_stage.py``), so the
        probability tier does not apply there. The lead's ``is_vip`` and
        routing read this one answer."""
        minimum = settings.vip_min_priority
        if minimum and (lead.priority or "0") >= minimum:
            return True
        minimum = settings.vip_min_revenue
        if minimum and lead.expected_revenue >= minimum:
            return True
        minimum = settings.vip_min_probability
        return bool(
            minimum
            and team.probability_mode != "stage"
            and lead.automated_probability >= minimum
        )

    @api.model
    def _select_member_vip(self, config, lead, eligible, refusals, state):
        """Who of the queue ``config`` gets ``lead`` when it is VIP there and
        the queue has senior members: the strategy's pick among the
        ``eligible`` seniors (:meth:`_vip_senior_turn`), else among the other
        ``eligible`` members, the reason saying why each senior was left out
        (``refusals``: {member id: Reason}).

        :return: tuple (MemberState, Reason), or None when the lead is not
            VIP in ``config`` or the queue has no senior member (the strategy
            decides as for any lead)
        """
        seniors = [m for m in state.members[config.id] if m.is_senior]
        # the team's probability mode, whoever routes (not a secret)
        team = self.env["crm.team"].sudo().browse(config.team_id)
        if not seniors or not self._vip_lead_for(config, team, lead):
            return None
        eligible_seniors = [m for m in eligible if m.is_senior]
        if eligible_seniors:
            member, reason = self._vip_senior_turn(
                config, eligible_seniors, state, lead
            )
            return member, Reason("vip_senior", {"reason": reason.to_json()})
        method = getattr(self, f"_select_member_{config.strategy}")
        member, reason = method(config, eligible, state, lead)
        members = [refusals[senior.id].to_json() for senior in seniors]
        return member, Reason(
            "vip_no_senior", {"members": members, "reason": reason.to_json()}
        )

    @api.model
    def _vip_senior_turn(self, config, seniors, state, lead):
        """The member of ``seniors`` (eligible senior members of the queue
        ``config``) the strategy picks for a VIP lead. In a rotation (round
        robin, weighted) the pick does not move the queue's rotation: the
        lead counts as the senior's turn (:meth:`_account_turn`, as a
        returning customer's lead that counts as a turn), so the other
        members keep their turns and their order, and round robin picks among
        the seniors who owe the fewest turns; the strategies that read the
        workload count the lead there by themselves.

        :return: tuple (MemberState, Reason of the strategy)
        """
        method = getattr(self, f"_select_member_{config.strategy}")
        if config.strategy not in ("round_robin", "weighted"):
            return method(config, seniors, state, lead)
        if config.strategy == "round_robin":
            fewest = max(senior.wrr for senior in seniors)
            seniors = [senior for senior in seniors if senior.wrr == fewest]
        pointer = state.rr[config.id]
        credits = {senior.id: senior.wrr for senior in seniors}
        member, reason = method(config, seniors, state, lead)
        state.rr[config.id] = pointer
        for senior in seniors:
            senior.wrr = credits[senior.id]
        self._account_turn(config, member, state)
        return member, reason
