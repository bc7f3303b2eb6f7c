"""SLA settings of a queue: the deadline, the warning and what happens when it is
missed (the timers are in crm_lead_sla.py)."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .crm_lead_sla import TIMERS_CRON
from .crm_team_queue_routing import STRATEGIES_ASSIGNING


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    pool_alert_hours = fields.Float(
        string="Pool Alert (hours)",
        help="A lead waiting longer than this in the pool alerts the team leader "
        "once (e.g. 2: a lead nobody claimed two hours after it entered the "
        "pool). Leads that nobody was eligible for are reported at once, with "
        "the reason. 0: never.",
    )

    @api.constrains("pool_alert_hours")
    def _check_pool_alert_hours(self):
        for queue in self:
            if queue.pool_alert_hours < 0:
                raise ValidationError(
                    _(
                        "Queue %s: the pool alert cannot be negative (use 0 for "
                        "no alert).",
                        queue.display_name,
                    )
                )

    @api.model
    def _queue_cached_fields(self):
        # the fields of the timers' domain (_get_timers_domain)
        return super()._queue_cached_fields() | {
            "sla_hours",
            "strategy",
            "pool_alert_hours",
            "overflow",
        }

    def _queues_changed(self):
        """Also switch the timers cron on only while an active queue needs it."""
        result = super()._queues_changed()
        # Sales managers set queues up; the cron is the server's (they may not
        # read scheduled actions).
        cron = self.sudo().env.ref(TIMERS_CRON, raise_if_not_found=False)
        if cron:
            needed = self.sudo()._timers_needed()
            if cron.active != needed:
                cron.active = needed
        return result

    @api.model
    def _timers_needed(self):
        """Whether the timers cron must run: an active queue needs it
        (:meth:`_get_timers_domain`)."""
        return bool(self.search_count(self._get_timers_domain(), limit=1))

    @api.model
    def _get_timers_domain(self):
        """Active queues that need the timers: with an SLA, hybrid, with a pool
        alert, or assigning with an overflow into the pool (leads nobody was
        eligible for are reported to the leader)."""
        return [
            "|",
            "|",
            "|",
            ("sla_hours", ">", 0),
            ("strategy", "=", "hybrid"),
            ("pool_alert_hours", ">", 0),
            "&",
            ("strategy", "in", STRATEGIES_ASSIGNING),
            ("overflow", "!=", "leader"),
        ]
