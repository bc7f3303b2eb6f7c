from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..models.values import Decision, Reason, clean_reason_text


def is_lead_activity_type(activity_type):
    """Whether ``activity_type`` can be scheduled on leads (of all documents,
    or of leads) and is in use."""
    return bool(
        activity_type
        and activity_type.active
        and activity_type.res_model in (False, "crm.lead")
    )


class CrmLeadAssign(models.TransientModel):
    """Assign, route or pool one or many leads from any lead screen, through
    the one door (ledger method ``wizard``), with one notification per
    receiver listing their leads."""

    _name = "crm.lead.assign"
    _inherit = ["crm.lead.selection.mixin"]
    _description = "Assign Leads"

    lead_ids = fields.Many2many(
        help="The leads to assign, route or put back in their pool."
    )
    lead_count = fields.Integer(compute="_compute_lead_count")
    action = fields.Selection(
        [
            ("assign", "Assign to a salesperson"),
            ("route", "Route by the queue rules"),
            ("pool", "Put back in the pool"),
        ],
        required=True,
        default="assign",
        help="Assign: give the leads to the salesperson you choose.\n"
        "Route: let the queues of their team choose (round robin, load...).\n"
        "Pool: the leads wait, without salesperson, in their queue's pool.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        domain="[('share', '=', False)]",
        help="Who gets the leads.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        help="Move the leads to this team too (empty: they stay in their team).",
    )
    reason = fields.Text(
        help="Why: kept in the assignment history. Required when you take leads "
        "from another salesperson.",
    )
    reason_required = fields.Boolean(compute="_compute_reason_required")
    schedule_activity = fields.Boolean(
        compute="_compute_alert_defaults",
        store=True,
        readonly=False,
        help="Schedule an activity of the type below for each new salesperson, "
        "due after the queue's (or the company's) number of days.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        compute="_compute_activity_type_id",
        store=True,
        readonly=False,
        domain="[('res_model', 'in', [False, 'crm.lead'])]",
        help="The activity scheduled for each new salesperson. Default: the "
        "activity of the lead's queue, else the company's, else a To-Do; kept as "
        "proposed, each lead gets the activity plan, else the activity, of its own "
        "queue. Another type: that one activity for every lead, no plan.",
    )
    activity_plan_names = fields.Char(
        string="Activity Plans",
        compute="_compute_activity_plan_names",
        help="The activity plans of the leads' queues (or company): with the "
        "Activity Type kept as proposed, their leads get the plan's activities "
        "instead.",
    )
    notify = fields.Boolean(
        compute="_compute_alert_defaults",
        store=True,
        readonly=False,
        help="Send each new salesperson one notification listing their leads.",
    )

    @api.depends("lead_ids")
    def _compute_lead_count(self):
        for wizard in self:
            wizard.lead_count = len(wizard.lead_ids)

    @api.depends("lead_ids", "user_id", "action")
    def _compute_reason_required(self):
        for wizard in self:
            wizard.reason_required = bool(wizard._taken_leads())

    @api.depends("lead_ids")
    def _compute_alert_defaults(self):
        for wizard in self:
            settings = wizard._alert_settings()
            wizard.schedule_activity = any(
                s["activity_type"] or s["plan"] for s in settings
            )
            wizard.notify = any(s["notify"] for s in settings)

    # Its own compute: a client that gives schedule_activity or notify still
    # gets the default type (fields computed together are all left alone when
    # one of them is given).
    @api.depends("lead_ids")
    def _compute_activity_type_id(self):
        for wizard in self:
            wizard.activity_type_id = wizard._proposed_activity_type(
                wizard._alert_settings()
            )

    @api.depends("lead_ids")
    def _compute_activity_plan_names(self):
        for wizard in self:
            plans = [s["plan"].name for s in wizard._alert_settings() if s["plan"]]
            wizard.activity_plan_names = ", ".join(dict.fromkeys(plans))

    def _alert_settings(self):
        """The alert settings of the leads' queues (the company's for leads
        without queue), as ``crm.lead._queue_alert_settings`` gives them."""
        # In the leads' order: the first lead's queue gives the default type.
        sources = list(
            dict.fromkeys(
                lead.queue_id or lead.company_id or self.env.company
                for lead in self.lead_ids.sudo()
            )
        ) or [self.env.company]
        Lead = self.env["crm.lead"]
        return [Lead._queue_alert_settings(source) for source in sources]

    def _proposed_activity_type(self, settings):
        """The activity type the wizard proposes: the first of the leads'
        queues (or company) ``settings`` that has one, else the default."""
        types = [s["activity_type"] for s in settings if s["activity_type"]]
        return types[0] if types else self._default_activity_type()

    def _default_activity_type(self):
        """The activity type when neither the queue nor the company has one."""
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        return todo.sudo() if is_lead_activity_type(todo) else None

    @api.constrains("activity_type_id")
    def _check_activity_type(self):
        for wizard in self:
            activity_type = wizard.activity_type_id.sudo()
            if activity_type and not is_lead_activity_type(activity_type):
                raise ValidationError(
                    _(
                        "The activity type %s cannot be scheduled on leads (it "
                        "is archived or for other documents): choose another.",
                        activity_type.name,
                    )
                )

    def _taken_leads(self):
        """The leads this wizard takes from another salesperson (neither the
        current user nor the chosen one)."""
        me = self.env.user
        target = self.user_id if self.action == "assign" else self.env["res.users"]
        return self.lead_ids.sudo().filtered(
            lambda lead: lead.user_id and lead.user_id not in (me | target)
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_apply(self):
        """Apply the wizard as the current user: team leaders for their teams'
        leads, sales managers for all; a salesperson only for their own leads.

        :return: a client notification saying what happened
        """
        self.ensure_one()
        leads = self.lead_ids.with_env(self.env)
        if not leads:
            raise UserError(_("Select at least one lead."))
        leads.check_access("write")
        self._check_rights(leads)
        self._check_activity_to_schedule()
        reason = clean_reason_text(self.env, self.reason)
        if self._taken_leads() and not reason:
            raise UserError(
                _(
                    "Say why you take %(leads)s from their salesperson: the reason "
                    "is kept in the assignment history.",
                    leads=leads._queue_names(self._taken_leads()),
                )
            )
        message = getattr(self, f"_apply_{self.action}")(leads.sudo(), reason)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Leads Assigned"),
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _check_rights(self, leads):
        """The perimeter's rules (``models/crm_lead_perimeter.py``): a rep moves
        only their own leads, only into a team they lead; the same answer as a
        plain write of the salesperson."""
        user = self.env.user
        if self.env["crm.team"]._queue_is_manager(user):
            return
        leader = leads._queue_is_leader_or_manager()
        if not leader and any(lead.user_id != user for lead in leads.sudo()):
            raise AccessError(leads._perimeter_not_yours_message())
        if self.action == "assign" and self.team_id:
            team = self.team_id.sudo()
            if team.user_id != user and any(
                lead.team_id != team for lead in leads.sudo()
            ):
                raise AccessError(leads._perimeter_team_message(team))

    def _check_activity_to_schedule(self):
        """A ticked 'Schedule activity' always schedules one: refuse the
        wizard, saying so, when it has no activity type for leads."""
        if self.action == "pool" or not self.schedule_activity:
            return
        if not self.activity_type_id:
            raise UserError(
                _(
                    "Choose the type of activity to schedule for the new "
                    "salesperson, or untick 'Schedule Activity'."
                )
            )
        self._check_activity_type()

    def _activity_to_schedule(self):
        """What the primitive schedules: nothing; True (each lead the activity
        plan, else the type, of its own queue or company) when the user kept
        the proposed type and every lead has a plan or a type of its own; else
        the chosen type for every lead."""
        if not self.schedule_activity:
            return False
        settings = self._alert_settings()
        if all(
            s["plan"] or s["activity_type"] for s in settings
        ) and self.activity_type_id == self._proposed_activity_type(settings):
            return True
        return self.activity_type_id

    def _check_target(self, leads, user, team):
        """Refuse a salesperson who cannot take ``leads`` (in ``team``, or in
        their own team when none is given), saying why."""
        leads._perimeter_check_receiver(user, team)

    def _reason(self, code, text, **args):
        args = dict(args, user=Reason.ref(self.env.user))
        if text:
            return Reason(code, dict(args, text=text))
        return Reason(f"{code}_plain", args)

    def _apply_assign(self, leads, reason):
        user = self.user_id
        team = self.team_id
        self._check_target(leads, user, team)
        why = self._reason("wizard", reason)
        decisions = [
            Decision(
                lead,
                user,
                lead.queue_id
                if lead.queue_id.team_id == (team or lead.team_id)
                else lead.queue_id.browse(),
                method="wizard",
                reason=why,
                team=team or None,
            )
            for lead in leads
        ]
        self.env["crm.lead"].sudo()._queue_assign_batch(
            decisions,
            notify=self.notify,
            activity=self._activity_to_schedule(),
            digest=True,
        )
        return _(
            "%(count)s lead(s) assigned to %(user)s.", count=len(leads), user=user.name
        )

    def _apply_route(self, leads, reason):
        Queue = self.env["crm.team.queue"].sudo()
        plan = Queue._plan_routing(leads, lock="nowait")
        if plan.busy:
            raise UserError(
                _(
                    "The queues of these leads are routing other leads right now: "
                    "try again in a moment."
                )
            )
        decisions = []
        for decision in plan.decisions.values():
            decision.method = "wizard"
            decision.reason = self._reason(
                "wizard_route", reason, reason=decision.reason.to_json()
            )
            decisions.append(decision)
        Queue._apply_plan(
            decisions,
            plan.state,
            notify=self.notify,
            activity=self._activity_to_schedule(),
            digest=True,
        )
        assigned = sum(1 for decision in decisions if decision.user)
        return _(
            "%(assigned)s assigned, %(pooled)s placed in a pool, %(left)s matched "
            "no queue (unchanged).",
            assigned=assigned,
            pooled=len(decisions) - assigned,
            left=len(leads) - len(decisions),
        )

    def _apply_pool(self, leads, reason):
        no_queue = leads.filtered(lambda lead: not lead.queue_id)
        if no_queue:
            raise UserError(
                _(
                    "%(leads)s belongs to no queue, so it has no pool to go back "
                    "to: assign or route it instead.",
                    leads=leads.with_env(self.env)._queue_names(no_queue),
                )
            )
        why = self._reason("wizard_pool", reason)
        self.env["crm.lead"].sudo()._queue_assign_batch(
            [
                Decision(lead, lead.user_id.browse(), lead.queue_id, "wizard", why)
                for lead in leads
            ],
            notify=False,
            activity=False,
        )
        return _("%(count)s lead(s) put back in their pool.", count=len(leads))
