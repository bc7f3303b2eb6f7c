from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval

from ..models.values import OPEN_LEAD_DOMAIN, Reason

OUTCOMES = [
    ("assigned", "Salesperson"),
    ("offered", "Offer to a Salesperson"),
    ("pool", "Pool"),
    ("unrouted", "No Queue"),
]


class CrmTeamQueueSimulation(models.TransientModel):
    """Dry run of the routing rules ("Test Routing" on a queue): shows where each
    lead would go and why, with the engine's own matching and selection code, and
    writes nothing but this wizard's lines."""

    _name = "crm.team.queue.simulation"
    _description = "Lead Queue Routing Test"

    queue_id = fields.Many2one(
        "crm.team.queue",
        string="Queue",
        required=True,
        ondelete="cascade",
        help="The queue the test was started from; the test runs every active "
        "queue, in routing order, as a real routing would.",
    )
    team_id = fields.Many2one(related="queue_id.team_id")
    scope = fields.Selection(
        [
            ("unassigned", "Unassigned leads"),
            ("all_teams", "Unassigned leads of every team"),
            ("domain", "Leads matching a filter"),
        ],
        string="Leads to Test",
        default="unassigned",
        required=True,
        help="Unassigned leads: the open leads without salesperson of this queue's "
        "team and those without team (the ones the queues would route now).\n"
        "Unassigned leads of every team: the same for all the teams, to see which "
        "queue takes each lead, across teams.\n"
        "Leads matching a filter: any leads you choose, even assigned ones, as "
        "if they had no salesperson.",
    )
    lead_domain = fields.Char(
        string="Filter",
        default="[]",
        help="The leads to test, as a filter on leads.",
    )
    limit = fields.Integer(
        default=200,
        help="Test at most this many leads, the oldest first (as they are served).",
    )
    line_ids = fields.One2many(
        "crm.team.queue.simulation.line", "simulation_id", string="Result"
    )
    lead_total = fields.Integer(string="Leads Tested", readonly=True)
    assigned_total = fields.Integer(string="To a Salesperson", readonly=True)
    pool_total = fields.Integer(string="To a Pool", readonly=True)
    unrouted_total = fields.Integer(string="Matching No Queue", readonly=True)
    this_queue_total = fields.Integer(string="Through This Queue", readonly=True)

    @api.readonly
    def onchange(self, values, field_names, fields_spec):
        # The test's dialog is its onchange (a new record, nothing saved, the
        # routing planned without lock): a replica may serve it (--db_replica_host).
        return super().onchange(values, field_names, fields_spec)

    @api.onchange("queue_id", "scope", "lead_domain", "limit")
    def _onchange_simulate(self):
        # The dialog opens on the result and follows every change of the scope
        # or the filter: no extra click.
        if self.queue_id:
            values = self._simulation_values(
                self.queue_id, self.scope, self.lead_domain, self.limit
            )
            values["line_ids"].insert(0, Command.clear())
            self.update(values)

    def action_simulate(self):
        """Run the test again with the scope and filter of the wizard."""
        self.ensure_one()
        self.line_ids.unlink()
        self.write(
            self._simulation_values(
                self.queue_id, self.scope, self.lead_domain, self.limit
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Test Routing"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.constrains("queue_id")
    def _check_queue_id(self):
        # A test saved over RPC names its queue and team: only for who may
        # run it.
        for wizard in self:
            wizard._check_can_test(wizard.queue_id)

    @api.model
    def _check_can_test(self, queue):
        """Test Routing shows the queues' turns and members' states: for the
        leader of the queue's team and sales managers who may read the queue
        (a manager of another company learns nothing of it, not its name)."""
        self.check_access("create")
        if not queue.with_env(self.env).has_access("read"):
            raise AccessError(_("You may not test the routing of this queue."))
        if queue.sudo().team_id.with_env(self.env)._queue_not_led():
            raise AccessError(
                _(
                    "Only the leader of the team %(team)s or a sales manager can "
                    "test the routing of the queue %(queue)s.",
                    team=queue.sudo().team_id.name,
                    queue=queue.sudo().name,
                )
            )

    @api.model
    def _scope_teams(self, queue, scope):
        """The teams whose leads a test looks at (besides leads without team):
        the queue's; every team for a manager testing them all, the teams a
        leader leads for a leader."""
        if scope != "all_teams":
            return queue.team_id
        return self.env["crm.team"]._queue_led_teams()

    @api.model
    def _get_leads_domain(self, queue, scope, lead_domain):
        """The leads a test looks at (see the ``scope`` field)."""
        if scope == "domain":
            try:
                domain = safe_eval(lead_domain or "[]", {"uid": self.env.uid})
                expression.expression(domain, self.env["crm.lead"])
            except Exception as error:
                raise UserError(
                    _(
                        "The filter is not valid: %s\nWrite it like "
                        "[('country_id.code', '=', 'TH')].",
                        error,
                    )
                ) from error
            led = self._scope_teams(queue, "all_teams")
            if led is not None:  # a leader: the leads of the teams they lead
                domain = expression.AND(
                    [domain, [("team_id", "in", [*led.ids, False])]]
                )
            return domain
        teams = self._scope_teams(queue, scope)
        teams = [] if teams is None else [("team_id", "in", [*teams.ids, False])]

        return teams + [("user_id", "=", False), *OPEN_LEAD_DOMAIN]

    @api.model
    def _check_limit(self, limit):
        """Refuse a negative number of leads (sent by a client: the form has
        no way to enter one)."""
        if limit and limit < 0:
            raise UserError(
                _(
                    "The limit is a number of leads: write how many leads to "
                    "test, or 0 to test them all."
                )
            )

    @api.model
    def _simulation_values(self, queue, scope, lead_domain, limit):
        """Values of the wizard (totals and lines) for a test of ``queue``,
        checked here (a form preview, onchange, is no way around it)."""
        self._check_can_test(queue)
        self._check_limit(limit)
        leads = self.env["crm.lead"].search(
            self._get_leads_domain(queue, scope, lead_domain),
            limit=limit or None,
            order="id",
        )
        plan = self._simulate_routing(leads)
        lines = []
        totals = {"assigned": 0, "pool": 0, "unrouted": 0}
        for lead in leads:
            outcome, dest_queue, user, reason = plan[lead.id]
            totals["assigned" if outcome == "offered" else outcome] += 1
            lines.append(
                Command.create(
                    {
                        "lead_id": lead.id,
                        "current_user_id": lead.user_id.id,
                        "outcome": outcome,
                        "queue_id": dest_queue.id,
                        "team_id": dest_queue.team_id.id or lead.team_id.id,
                        "user_id": user.id,
                        "reason": reason,
                        "is_this_queue": dest_queue == queue,
                        "is_catch_all": dest_queue.is_catch_all,
                    }
                )
            )
        return {
            "line_ids": lines,
            "lead_total": len(leads),
            "assigned_total": totals["assigned"],
            "pool_total": totals["pool"],
            "unrouted_total": totals["unrouted"],
            "this_queue_total": sum(
                1 for command in lines if command[2]["is_this_queue"]
            ),
        }

    @api.model
    def _simulate_routing(self, leads):
        """Where the routing engine would put ``leads`` (as if none had a
        salesperson), computed by the engine's own matching, selection and
        overflow code on an in-memory state that is never saved: no queue row
        is locked, no turn is used, nothing is written.

        :return: dict {lead id: (outcome, queue, user, reason)} with outcome
            'assigned', 'offered', 'pool' or 'unrouted'
        """
        Queue = self.env["crm.team.queue"]
        Users = self.env["res.users"]
        unmatched = Reason("no_queue").render(self.env)
        result = {lead.id: ("unrouted", Queue, Users, unmatched) for lead in leads}
        plan = Queue._plan_routing(leads, lock=False)
        for lead_id, reason in plan.waiting.items():
            result[lead_id] = ("unrouted", Queue, Users, reason.render(self.env))
        for lead_id, decision in plan.decisions.items():
            outcome = "assigned" if decision.user else "pool"
            if decision.method == "offer":
                outcome = "offered"
            result[lead_id] = (
                outcome,
                decision.queue,
                decision.user,
                decision.reason.render(self.env) if decision.reason else "",
            )
        return result


class CrmTeamQueueSimulationLine(models.TransientModel):
    _name = "crm.team.queue.simulation.line"
    _description = "Lead Queue Routing Test Line"
    _order = "id"

    simulation_id = fields.Many2one(
        "crm.team.queue.simulation", required=True, ondelete="cascade"
    )
    lead_id = fields.Many2one("crm.lead", string="Lead", ondelete="cascade")
    current_user_id = fields.Many2one(
        "res.users", string="Current Salesperson", help="The lead's owner today."
    )
    outcome = fields.Selection(OUTCOMES, string="Would Go To")
    queue_id = fields.Many2one("crm.team.queue", string="Queue")
    team_id = fields.Many2one("crm.team", string="Sales Team")
    user_id = fields.Many2one("res.users", string="Salesperson")
    reason = fields.Char(help="Why, as the assignment ledger would say it.")
    is_this_queue = fields.Boolean(string="Through This Queue")
    is_catch_all = fields.Boolean(
        string="Catch-All",
        help="Taken by a queue without any matching condition (it takes every lead "
        "of its team and every lead without a team that reaches it).",
    )
