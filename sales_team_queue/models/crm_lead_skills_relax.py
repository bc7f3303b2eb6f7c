"""Skills relax, on the lead: a lead that waits in a pool for a member with the
skills it needs (routing decided so, ``crm_team_queue_skills_relax.py``) is
flagged by the door, which schedules the timers cron for the moment the queue
relaxes skills; then the timers route it again with the skills rule relaxed
for it (the queue's other members, then its overflow rule), once. Claims
follow the same rule: a lead that waited that long may be claimed by members
without its skills."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .crm_lead import DOOR_PASSED, DOOR_TOKEN
from .crm_lead_perimeter import NOBODY
from .crm_lead_sla import TIMERS_CRON
from .values import ClaimRefusal, Reason, reason_codes, skills_relaxed

# The reasons of routing that make a lead wait for a skilled member.
SKILLS_WAIT_CODES = {"skills_wait", "skills_wait_nobody"}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    skills_wait = fields.Boolean(
        string="Waits for a Skill",
        copy=False,
        readonly=True,
        help="The lead waits in its pool for a member with the skills it needs; "
        "after the queue's Relax Skills After, it is offered to the other "
        "members.",
    )

    def init(self):
        result = super().init()
        # What the timers look for: the leads waiting for a skill, by date.
        create_index(
            self.env.cr,
            "crm_lead_skills_wait_index",
            self._table,
            ["pool_date"],
            where="skills_wait",
        )
        return result

    @api.model
    def _perimeter_server_fields(self):
        return dict(super()._perimeter_server_fields(), skills_wait=NOBODY)

    # ------------------------------------------------------------
    # THE DOOR: the flag and the timer's trigger
    # ------------------------------------------------------------

    @api.model
    def _queue_decision_values(self, decision, now, cache):
        # A lead waits for a skill when routing said so, and no longer once
        # anything else happens to it (written only when it changes).
        vals = super()._queue_decision_values(decision, now, cache)
        wait = bool(
            not decision.user
            and decision.queue
            and SKILLS_WAIT_CODES.intersection(reason_codes(decision.reason))
        )
        if wait or decision.lead.skills_wait:
            vals["skills_wait"] = wait
        return vals

    @api.model
    def _queue_after_write_decisions(self, decisions):
        """Also wake the timers when the leads that now wait for a skill are
        due (``ir.cron._trigger``): relaxing does not wait for the cron's next
        interval."""
        result = super()._queue_after_write_decisions(decisions)
        due = {
            decision.lead.pool_date
            + timedelta(minutes=decision.queue.relax_skills_minutes)
            for decision in decisions
            if decision.lead.skills_wait and decision.lead.pool_date
        }
        cron = due and self.env.ref(TIMERS_CRON, raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=sorted(due))
        return result

    # ------------------------------------------------------------
    # TIMERS
    # ------------------------------------------------------------

    @api.model
    def _timers_phases(self):
        # Before the pool alerts: a lead still stranded once relaxed is
        # reported by this phase, with the reason of its relaxed routing.
        phases = super()._timers_phases()
        alert = self._timers_pool_alert
        position = phases.index(alert) if alert in phases else len(phases)
        return [*phases[:position], self._timers_relax_skills, *phases[position:]]

    @api.model
    def _timers_relax_skills(self, limit, outbox):
        """Leads that waited their queue's ``relax_skills_minutes`` for a
        member with their skills are routed again with the skills rule
        relaxed for them (``skills_relaxed``): a member of the queue without
        the skill, else the queue's overflow rule (method ``auto``, as
        routing); once: the flag is cleared whatever happens. A lead that
        stays in its pool is reported to the team leader, with the reason.
        :return: (selected, handled)"""
        leads = self._timers_select(
            SQL(
                """l.skills_wait AND l.user_id IS NULL AND l.active AND q.active
                   AND l.pool_date <= %s - make_interval(
                       mins => COALESCE(q.relax_skills_minutes, 0))""",
                fields.Datetime.now(),
            ),
            SQL("l.pool_date, l.id"),
            limit,
        )
        if not leads:
            return 0, 0
        Queue = self.env["crm.team.queue"].sudo()
        plan = Queue._plan_routing(leads, lock="nowait")
        if plan.busy:
            return len(leads), 0
        # A lead no queue takes now (its queue's filter fails, or it no longer
        # matches) stays where it is: the pool alerts report it.
        planned = leads.filtered(lambda lead: lead.id in plan.decisions)
        decisions = planned._timers_relaxed_decisions(plan)
        stranded = planned.filtered(
            lambda lead: not plan.decisions[lead.id].user
            and plan.decisions[lead.id].queue == lead.queue_id
            and not lead.pool_alerted
        )
        leads.with_context(**{DOOR_PASSED: DOOR_TOKEN}).write({"skills_wait": False})
        if decisions:
            Queue._apply_plan(decisions, plan.state)
        if stranded:
            reasons = {
                lead.id: plan.decisions[lead.id].reason.to_json() for lead in stranded
            }
            self._timers_alert_leaders(outbox, stranded, reasons)
        return len(leads), len(leads)

    def _timers_relaxed_decisions(self, plan):
        """The decisions of ``plan`` for the leads of ``self``, their reason
        saying that the skills were relaxed (a lead that stays in its pool:
        nothing for the door to write, the reason goes to the team leader)."""
        decisions = []
        for lead in self:
            decision = plan.decisions[lead.id]
            planned = decision.reason or Reason("pool")
            decision.reason = Reason(
                "skills_relaxed",
                {
                    "minutes": lead.queue_id.relax_skills_minutes,
                    "reason": planned.to_json(),
                },
            )
            decisions.append(decision)
        return decisions

    # ------------------------------------------------------------
    # CLAIMS
    # ------------------------------------------------------------

    def _queue_claim_rule_skills(self, state):
        # The same answer as routing's: a lead that waited long enough may be
        # claimed without the skill; before, the refusal says when.
        refusal = super()._queue_claim_rule_skills(state)
        queue = self.queue_id
        minutes = queue.relax_skills_minutes
        if not refusal or not minutes or not self.pool_date:
            return refusal
        if skills_relaxed(minutes, queue.id, self, state.now):
            return None
        until = self.pool_date + timedelta(minutes=minutes)
        message = _(
            "%(refusal)s Or wait: it opens to every member of the queue at %(time)s.",
            refusal=refusal.message,
            time=self._queue_claim_when_label(state, until),
        )
        return ClaimRefusal(refusal.rule, message, until=until)
