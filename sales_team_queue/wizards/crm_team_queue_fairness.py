from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

MANAGER = "sales_team.group_sale_manager"
# The queue's own distribution: what its weights are meant to spread.
FAIRNESS_METHODS = ("auto", "dispatch")


class CrmTeamQueueFairness(models.TransientModel):
    """How fairly a queue spread its leads over a period: each member's share of
    the leads it gave (by automatic routing or dispatch) against their share of
    the weights, and the spread (largest minus smallest gap). The ledger lines
    behind each member are one click away."""

    _name = "crm.team.queue.fairness"
    _description = "Queue Fairness"

    queue_id = fields.Many2one("crm.team.queue", string="Queue", required=True)
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    line_ids = fields.One2many(
        "crm.team.queue.fairness.line",
        "fairness_id",
        compute="_compute_line_ids",
        store=True,
        readonly=True,
    )
    total_count = fields.Integer(
        string="Leads Given",
        compute="_compute_line_ids",
        store=True,
        help="Leads the queue gave by automatic routing or dispatch in the period "
        "(claims, handovers, the assignment wizard and manual changes are not "
        "counted).",
    )
    spread = fields.Float(
        string="Max − Min Gap (points)",
        compute="_compute_line_ids",
        store=True,
        help="Largest minus smallest difference between a member's share of the "
        "leads and their share of the weights, in percentage points. 0: each "
        "member got exactly their weight's share.",
    )

    @api.depends("queue_id", "date_from", "date_to")
    def _compute_line_ids(self):
        for wizard in self:
            wizard.line_ids = [fields.Command.clear()]
            wizard.total_count = 0
            wizard.spread = 0.0
            if not (wizard.queue_id and wizard.date_from and wizard.date_to):
                continue
            wizard.queue_id._check_dashboard_access()
            counts = dict(
                self.env["crm.lead.assignment"]._read_group(
                    wizard._ledger_domain(),
                    ["user_id"],
                    ["__count"],
                )
            )
            members = wizard.queue_id.member_ids.filtered("active")
            weights = {member.user_id: member.weight for member in members}
            total_weight = sum(weights.values()) or 1
            total = sum(counts.values())
            users = list(weights) + [user for user in counts if user not in weights]
            lines = []
            for user in users:
                share = 100.0 * counts.get(user, 0) / total if total else 0.0
                weight_share = 100.0 * weights.get(user, 0) / total_weight
                lines.append(
                    {
                        "user_id": user.id,
                        "weight": weights.get(user, 0),
                        "assigned_count": counts.get(user, 0),
                        "share": round(share, 2),
                        "weight_share": round(weight_share, 2),
                        "gap": round(share - weight_share, 2),
                    }
                )
            gaps = [line["gap"] for line in lines]
            wizard.total_count = total
            wizard.spread = round(max(gaps) - min(gaps), 2) if total and gaps else 0
            wizard.line_ids = [fields.Command.create(line) for line in lines]

    @api.constrains("queue_id")
    def _check_queue_access(self):
        self.queue_id._check_dashboard_access()

    def _ledger_domain(self):
        """Lines of the queue's own distribution (methods in
        :data:`FAIRNESS_METHODS`: automatic routing and dispatch, not claims,
        handovers, the wizard or manual changes) that gave a lead to someone,
        in the period (days in the user's time zone)."""
        self.ensure_one()
        return [
            ("queue_id", "=", self.queue_id.id),
            ("method", "in", FAIRNESS_METHODS),
            ("user_id", "!=", False),
            ("create_date", ">=", self._utc(self.date_from)),
            ("create_date", "<", self._utc(self.date_to + timedelta(days=1))),
        ]

    def _utc(self, day):
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        start = tz.localize(datetime.combine(day, time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)


class CrmTeamQueueFairnessLine(models.TransientModel):
    _name = "crm.team.queue.fairness.line"
    _description = "Queue Fairness Line"
    _order = "gap desc, id"

    fairness_id = fields.Many2one(
        "crm.team.queue.fairness", required=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", string="Member", readonly=True)
    weight = fields.Integer(readonly=True)
    assigned_count = fields.Integer(string="Leads", readonly=True)
    share = fields.Float(string="Share (%)", readonly=True)
    weight_share = fields.Float(string="Weight Share (%)", readonly=True)
    gap = fields.Float(
        string="Gap (points)",
        readonly=True,
        help="Share of the leads minus share of the weights.",
    )

    def action_open_ledger(self):
        """The ledger lines (with their reasons) behind this member's figure."""
        self.ensure_one()
        wizard = self.fairness_id
        if not wizard.queue_id:
            raise AccessError(_("Choose a queue first."))
        wizard.queue_id._check_dashboard_access()
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "%(queue)s: leads of %(user)s",
                queue=wizard.queue_id.name,
                user=self.user_id.name,
            ),
            "res_model": "crm.lead.assignment",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": wizard._ledger_domain() + [("user_id", "=", self.user_id.id)],
        }
