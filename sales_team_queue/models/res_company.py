import pytz

from odoo import api, fields, models

from .crm_team_queue import COMPANY_MAXIMA, check_maxima


class ResCompany(models.Model):
    _inherit = "res.company"

    queue_activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Default Queue Activity",
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'crm.lead')]",
        help="Activity scheduled for the salesperson on each lead they receive, "
        "for new queues and for assignments made outside any queue.",
    )
    queue_activity_deadline_days = fields.Integer(
        string="Default Activity Deadline (days)",
        default=1,
        help="Deadline of that activity, in working days of the salesperson's "
        "working schedule (calendar days when they have none).",
    )
    queue_activity_plan_id = fields.Many2one(
        "mail.activity.plan",
        string="Default Queue Activity Plan",
        domain="[('res_model', '=', 'crm.lead'), ('company_id', 'in', [id, False])]",
        help="Cadence: the activities of this plan are scheduled for the "
        "salesperson on each lead they receive from a queue that has neither a "
        "plan nor an activity of its own, and on leads assigned outside any "
        "queue (instead of the default activity).",
    )
    queue_notify_assignee = fields.Boolean(
        string="Notify Salesperson by Default",
        default=True,
        help="Send the salesperson one notification (e-mail or Odoo inbox, as they "
        "chose) for each lead they receive, for new queues and for assignments "
        "made outside any queue.",
    )

    queue_backlog_days = fields.Integer(
        string="Backlog Window (days)",
        default=7,
        help="The scheduled routing (the safety net of instant routing) picks up "
        "unassigned open leads created in the last this many days, and never leads "
        "created before their team's first queue. 0: no age limit.",
    )

    leaderboard_show_amounts = fields.Boolean(
        string="Show Amounts on the Leaderboard",
        help="Reps see their teammates ranked by progress on the leaderboard, with "
        "their names. With this option they also see their teammates' revenue and "
        "deals, target and won. Team leaders and sales managers always see them.",
    )

    _sql_constraints = [
        (
            "queue_backlog_days_positive",
            "CHECK(queue_backlog_days >= 0)",
            "The backlog window cannot be negative.",
        ),
        (
            "queue_activity_deadline_days_positive",
            "CHECK(queue_activity_deadline_days >= 0)",
            "The default activity deadline cannot be negative.",
        ),
    ]

    @api.constrains("queue_activity_plan_id")
    def _check_queue_activity_plan(self):
        for company in self:
            company.queue_activity_plan_id._queue_check_for(company, company.name)

    @api.constrains(*COMPANY_MAXIMA)
    def _check_queue_maxima(self):
        for company in self:
            check_maxima(company, COMPANY_MAXIMA, company.name)

    def _sales_tz(self, default="UTC"):
        """The time zone the company's sales days and months are cut in (the
        fairness report's days, the targets' months): its partner's, else its
        working schedule's, else ``default`` (also for no company)."""
        company = self[:1]
        for tz in (company.partner_id.tz, company.resource_calendar_id.tz, default):
            if tz in pytz.all_timezones_set:
                return tz
        return "UTC"
