from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    queue_activity_type_id = fields.Many2one(
        related="company_id.queue_activity_type_id", readonly=False
    )
    queue_activity_deadline_days = fields.Integer(
        related="company_id.queue_activity_deadline_days", readonly=False
    )
    queue_activity_plan_id = fields.Many2one(
        related="company_id.queue_activity_plan_id",
        readonly=False,
        domain="[('res_model', '=', 'crm.lead'), "
        "('company_id', 'in', [company_id, False])]",
    )
    queue_notify_assignee = fields.Boolean(
        related="company_id.queue_notify_assignee", readonly=False
    )
    queue_backlog_days = fields.Integer(
        related="company_id.queue_backlog_days", readonly=False
    )
    leaderboard_show_amounts = fields.Boolean(
        related="company_id.leaderboard_show_amounts", readonly=False
    )
