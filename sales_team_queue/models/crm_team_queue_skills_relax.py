"""Skills relax: a lead that only members without its skills could take waits
for a skilled member, then, after the queue's ``relax_skills_minutes``, is
offered to the other members before the overflow rule applies (the timer is in
``crm_lead_skills_relax.py``). Salesforce calls it dropping additional skills
after a timeout."""

from odoo import api, fields, models
from odoo.osv import expression

from .values import Decision, Reason, missing_skills, skills_relaxed


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    relax_skills_minutes = fields.Integer(
        string="Relax Skills After (minutes)",
        help="A lead that needs a skill, when no member is eligible and only "
        "members without the skill would be, waits this long in the pool for a "
        "member with the skill (who may claim it meanwhile); then the queue "
        "offers it to its other members, and only then applies its rule for "
        "when no one is eligible. Members without the skill may also claim a "
        "lead that waited this long in the pool. 0: never (the rule applies at "
        "once).",
    )

    @api.model
    def _queue_cached_fields(self):
        # a setting of routing (_routing_config_values) and of the timers cron
        return super()._queue_cached_fields() | {"relax_skills_minutes"}

    @api.model
    def _routing_config_values(self, queue):
        values = super()._routing_config_values(queue)
        values["relax_skills_minutes"] = queue.relax_skills_minutes
        return values

    @api.model
    def _get_timers_domain(self):
        # the timers relax the skills of the leads that wait for them
        return expression.OR(
            [super()._get_timers_domain(), [("relax_skills_minutes", ">", 0)]]
        )

    @api.model
    def _timers_needed(self):
        # leads that wait for a skill are routed again by the timers, also
        # once their queue no longer relaxes skills
        return super()._timers_needed() or bool(
            self.env["crm.lead"].search_count([("skills_wait", "=", True)], limit=1)
        )

    # ------------------------------------------------------------
    # ROUTING
    # ------------------------------------------------------------

    @api.model
    def _routing_rule_skills(self, state, config, member, lead):
        refusal = super()._routing_rule_skills(state, config, member, lead)
        if refusal and self._routing_skills_relaxed(config, lead):
            return None
        return refusal

    @api.model
    def _routing_skills_relaxed(self, config, lead):
        """Whether ``lead`` waited long enough in the pool of the queue
        ``config`` for members without its skills (see ``skills_relaxed``)."""
        return skills_relaxed(
            config.relax_skills_minutes, config.id, lead, fields.Datetime.now()
        )

    @api.model
    def _skills_wait_decision(self, lead, config, state, overflowed):
        """The decision that ``lead``, for which no member of the queue
        ``config`` is eligible, waits in its pool for a member with the skills
        it needs (reached through the queues ``overflowed``), rather than the
        queue's overflow rule applying at once: when the queue relaxes skills,
        has not yet for this lead, and some member lacking them is otherwise
        eligible.

        :return: a :class:`Decision` without user, or None
        """
        reason = self._skills_wait_reason(config, lead, state)
        if not reason:
            return None
        return Decision(
            lead,
            self.env["res.users"],
            self.browse(config.id),
            reason=self._overflow_reason(overflowed, reason),
        )

    @api.model
    def _skills_wait_reason(self, config, lead, state):
        """Why ``lead`` waits for a skilled member of the queue ``config``
        (the skills it needs, why each member who has them is not eligible,
        when it opens to the others), or None when it does not wait."""
        minutes = config.relax_skills_minutes
        required = sorted(config.required_skill_tag_ids.intersection(lead.tag_ids.ids))
        if not minutes or not required or self._routing_skills_relaxed(config, lead):
            return None
        members = state.members[config.id]
        skilled = [m for m in members if not missing_skills(required, m.skills)]
        skip = {"_routing_rule_skills"}
        if not any(
            not state.why_not(config, member, lead, skip=skip)
            for member in members
            if member not in skilled
        ):
            return None
        args = {
            "tags": [{"model": "crm.tag", "id": tag} for tag in required],
            "minutes": minutes,
        }
        if not skilled:
            return Reason("skills_wait_nobody", args)
        refusals = [state.why_not(config, member, lead) for member in skilled]
        args["members"] = [refusal.to_json() for refusal in refusals if refusal]
        return Reason("skills_wait", args)
