from collections import Counter

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.values import HandoverScope, Reason


class CrmSalespersonHandover(models.TransientModel):
    """Hand over the book of a salesperson who leaves or is away: their open
    leads and opportunities, their customers and their planned activities, to
    one user or spread by the queue rules of each lead's team, after a
    preview. Ledger method ``handover``; one digest notification per
    receiver.

    The wizard collects the input and shows the plan; who gets what, and who
    may hand over whose book, is ``res.users._handover_plan`` /
    ``_handover_apply`` (``models/res_users_handover.py``)."""

    _name = "crm.salesperson.handover"
    _description = "Salesperson Handover"

    leader_team_ids = fields.Many2many(
        "crm.team",
        string="Your Teams",
        compute="_compute_leader_team_ids",
        help="A team leader hands over what is in the teams they lead, to "
        "their members or queues (empty for sales managers: every team).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson Leaving",
        required=True,
        domain="[('share', '=', False), '|', ('crm_team_ids', 'in', leader_team_ids), "
        "('active', '=', False)] if leader_team_ids else [('share', '=', False)]",
        help="The salesperson who leaves or is away.",
    )
    mode = fields.Selection(
        [("user", "To one salesperson"), ("queues", "By the queue rules")],
        string="Hand Over",
        required=True,
        default="user",
        help="To one salesperson: everything goes to the salesperson you choose.\n"
        "By the queue rules: each lead goes to the member its team's queues "
        "choose (never back to the salesperson leaving); leads of no queue go to "
        "their team leader.",
    )
    target_user_id = fields.Many2one(
        "res.users",
        string="Receiver",
        domain="[('share', '=', False), ('id', '!=', user_id), '|', "
        "('crm_team_ids', 'in', leader_team_ids), ('id', '=', uid)] "
        "if leader_team_ids else [('share', '=', False), ('id', '!=', user_id)]",
    )
    include_leads = fields.Boolean(string="Open Leads", default=True)
    include_opportunities = fields.Boolean(
        string="Open Opportunities",
        default=True,
        help="Opportunities keep their stage and history.",
    )
    include_customers = fields.Boolean(
        string="Customers",
        default=True,
        help="Contacts whose salesperson is the salesperson leaving.",
    )
    include_activities = fields.Boolean(
        string="Planned Activities",
        default=True,
        help="Their planned activities on the leads and customers handed over "
        "go to the new salesperson of each.",
    )
    archive_user = fields.Boolean(
        string="Archive the User Afterwards",
        help="Archive the salesperson leaving once everything is handed over.",
    )
    line_ids = fields.One2many(
        "crm.salesperson.handover.line", "handover_id", string="Preview"
    )
    previewed = fields.Boolean(readonly=True)

    # user_id: a dependency to recompute it on, or the form's first onchange
    # would send it empty (it sends the fields it computes from others).
    @api.depends("user_id")
    @api.depends_context("uid")
    def _compute_leader_team_ids(self):
        teams = self._get_leader_teams()
        for wizard in self:
            wizard.leader_team_ids = teams or False

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "user_id" in fields_list
            and not values.get("user_id")
            and context.get("active_model") == "res.users"
            and context.get("active_id")
        ):
            values["user_id"] = context["active_id"]
        return values

    @api.onchange(
        "user_id",
        "mode",
        "target_user_id",
        "include_leads",
        "include_opportunities",
        "include_customers",
        "include_activities",
    )
    def _onchange_scope(self):
        # A changed scope makes the preview stale.
        self.line_ids = [fields.Command.clear()]
        self.previewed = False

    # ------------------------------------------------------------
    # PLAN
    # ------------------------------------------------------------

    @api.model
    def _get_leader_teams(self):
        """The teams whose leads the current user hands over as their team
        leader: None for sales managers (every team); empty for the others
        (refused)."""
        return self.env["crm.team"]._queue_led_teams()

    def _get_scope(self):
        return HandoverScope(
            leads=self.include_leads,
            opportunities=self.include_opportunities,
            customers=self.include_customers,
            activities=self.include_activities,
        )

    def _plan(self, lock=False):
        """Where everything goes, computed in memory (a ``HandoverPlan``).

        :param lock: passed to the routing engine (False for the preview)
        """
        if not self.user_id:
            raise UserError(_("Choose the salesperson who leaves or is away."))
        return self.user_id._handover_plan(
            receiver=self.target_user_id if self.mode == "user" else None,
            scope=self._get_scope(),
            lock=lock,
        )

    def _preview_lines(self, plan):
        """Preview lines of ``plan``: one per receiver (leads, customers,
        activities), one per pool, one per reason a lead or customer could not
        be placed."""
        leads_by = Counter()
        pool_why = {}
        for decision in plan.decisions:
            key = (decision.user.id, False if decision.user else decision.queue.id)
            leads_by[key] += 1
            inner = (decision.reason.args or {}).get("reason") or {}
            if not decision.user and inner.get("code") not in (None, "pool"):
                # Nobody was eligible: say why (the first such lead's reason).
                pool_why.setdefault(decision.queue.id, decision.reason)
        partners_by = Counter(user.id for user in plan.partners.values())
        activities_by = plan.activities
        keys = set(leads_by) | {(user_id, False) for user_id in partners_by}
        keys |= {(user_id, False) for user_id in activities_by}
        lines = []
        for user_id, queue_id in sorted(keys, key=lambda k: (not k[0], k)):
            lines.append(
                {
                    "user_id": user_id or False,
                    "queue_id": queue_id,
                    "lead_count": leads_by.get((user_id, queue_id), 0),
                    "partner_count": partners_by.get(user_id, 0) if user_id else 0,
                    "activity_count": len(activities_by.get(user_id, ()))
                    if user_id
                    else 0,
                    "note": "" if user_id else self._pool_note(pool_why.get(queue_id)),
                }
            )
        for note, count in sorted(plan.unplaced.items()):
            lines.append({"lead_count": count, "note": _("not placed: %s", note)})
        for note, count in sorted(plan.unplaced_partners.items()):
            lines.append({"partner_count": count, "note": _("not placed: %s", note)})
        return lines

    def _pool_note(self, reason):
        if not reason:
            return _("waits in the pool of its queue")
        inner = reason.args["reason"]
        return _(
            "waits in the pool of its queue (%(reason)s)",
            reason=Reason(inner["code"], inner.get("args") or {}).render(self.env),
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_preview(self):
        """Compute who gets what (nothing is written) and show it."""
        self.ensure_one()
        plan = self._plan()
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(values) for values in self._preview_lines(plan)
        ]
        self.previewed = True
        return self._reopen()

    def action_apply(self):
        """Hand over exactly what the preview shows (when there is one: if
        anything changed since, nothing is written and the preview is asked
        again), then archive the user when asked."""
        self.ensure_one()
        leaving = self.user_id
        if self.archive_user:
            # Refused before anything is planned (and locked).
            leaving._handover_check_archive_rights()
        plan = self._plan(lock="nowait")
        if self.previewed:
            self._check_preview_unchanged(plan)
        leaving._handover_apply(plan, archive=self.archive_user)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Handover Done"),
                "message": _(
                    "%(leads)s lead(s) and %(partners)s customer(s) of %(user)s "
                    "handed over.",
                    leads=len(plan.decisions),
                    partners=len(plan.partners),
                    user=leaving.name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _check_preview_unchanged(self, plan):
        """``plan`` gives what the preview shows (receivers, pools, counts)."""
        shown = sorted(
            (line.user_id.id, line.queue_id.id, line.lead_count, line.partner_count)
            for line in self.line_ids
        )
        planned = sorted(
            (
                line.get("user_id") or False,
                line.get("queue_id") or False,
                line.get("lead_count", 0),
                line.get("partner_count", 0),
            )
            for line in self._preview_lines(plan)
        )
        if shown != planned:
            raise UserError(
                _(
                    "The handover of %(user)s is no longer what the preview "
                    "shows (their leads or customers changed, or the queues "
                    "moved on to other members by routing other leads): "
                    "preview again before applying.",
                    user=self.user_id.name,
                )
            )

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Salesperson Handover"),
        }


class CrmSalespersonHandoverLine(models.TransientModel):
    _name = "crm.salesperson.handover.line"
    _description = "Salesperson Handover Preview Line"
    _order = "id"

    handover_id = fields.Many2one(
        "crm.salesperson.handover", required=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", string="Receiver")
    queue_id = fields.Many2one("crm.team.queue", string="Pool of Queue")
    lead_count = fields.Integer(string="Leads")
    partner_count = fields.Integer(string="Customers")
    activity_count = fields.Integer(string="Activities")
    note = fields.Char()
