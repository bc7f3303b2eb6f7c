"""Leads waiting for routing: open leads of the teams with queues (or without
team) that have neither salesperson nor queue, within the backlog window. The
backlog cron routes them again; the dashboard and a list show them, each with
why it waits, computed when read by the routing engine's own dry run."""

from odoo import _, api, fields, models
from odoo.osv import expression

from .values import Reason


class CrmLead(models.Model):
    _inherit = "crm.lead"

    routing_wait_reason = fields.Char(
        string="Waiting Because",
        compute="_compute_routing_wait_reason",
        groups="sales_team.group_sale_salesman_all_leads",
        help="Why the lead has no salesperson and no queue yet: it matches no "
        "queue, a queue that would take it fails, or it waits for the next "
        "routing pass (the safety net runs every few minutes, and at once after "
        "a routing that could not finish).",
    )

    @api.depends_context("lang")
    def _compute_routing_wait_reason(self):
        waiting = self.filtered(
            lambda lead: lead.id
            and lead.active
            and not lead.user_id
            and not lead.queue_id
        )
        (self - waiting).routing_wait_reason = False
        if not waiting:
            return
        reasons = waiting.sudo()._queue_wait_reasons(reader=self.env.user)
        for lead in waiting:
            lead.routing_wait_reason = reasons[lead.id].render(self.env)

    def _queue_wait_reasons(self, reader=None):
        """Why each lead of ``self`` (unrouted) waits, by a dry run of the
        routing engine on the current state (nothing locked or written).

        :param reader: the user who reads the reasons: a queue they may not
            read is not named
        :return: dict {lead id: Reason}
        """
        plan = self.env["crm.team.queue"]._plan_routing(self, lock=False)
        reasons = {}
        for lead in self:
            decision = plan.decisions.get(lead.id)
            if lead.id in plan.waiting:
                reasons[lead.id] = plan.waiting[lead.id]
            elif (
                decision
                and reader
                and not decision.queue.with_user(reader)._filtered_access("read")
            ):
                reasons[lead.id] = Reason("waits_routing_unnamed")
            elif decision:
                reasons[lead.id] = Reason(
                    "waits_routing", {"queue": Reason.ref(decision.queue)}
                )
            else:
                reasons[lead.id] = Reason("no_queue")
        return reasons

    @api.model
    def _queue_waiting_domain(self):
        """The leads waiting for routing (see the module docstring), or None
        when no queue exists."""
        backlog = self._get_backlog_domain()
        if backlog is None:
            return None
        return expression.AND([backlog, [("queue_id", "=", False)]])

    @api.model
    def action_open_waiting_for_routing(self):
        """The list of the leads waiting for routing, with why."""
        domain = self._queue_waiting_domain()
        return {
            "type": "ir.actions.act_window",
            "name": _("Waiting for Routing"),
            "res_model": "crm.lead",
            "view_mode": "list,form",
            "views": [
                (
                    self.env.ref("sales_team_queue.crm_lead_view_list_waiting").id,
                    "list",
                ),
                (False, "form"),
            ],
            "domain": domain if domain is not None else expression.FALSE_DOMAIN,
            "context": {"create": False},
            "help": _(
                "<p>No lead waits for routing.</p><p>A lead waits here when it has "
                "no salesperson and no queue: it matches no queue, a queue that "
                "would take it fails, or its routing was cut short. The safety net "
                "routes these leads again every few minutes.</p>"
            ),
        }
