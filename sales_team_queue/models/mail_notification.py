"""Notifications of private pool leads: hidden from the reps who may not read the lead
(pool privacy)."""

from odoo import api, fields, models
from odoo.osv import expression


class MailNotification(models.Model):
    _inherit = "mail.notification"

    pool_hidden = fields.Boolean(
        compute="_compute_pool_hidden",
        search="_search_pool_hidden",
        help="Technical: the notification of a message on a private pool lead "
        "the user may not read.",
    )

    @api.depends_context("uid")
    def _compute_pool_hidden(self):
        messages = self.sudo().mail_message_id
        hidden = self.env["calendar.event"]._pool_hidden_references(
            [(message.model, message.res_id) for message in messages]
        )
        for notification in self:
            message = notification.sudo().mail_message_id
            notification.pool_hidden = (message.model, message.res_id) in hidden

    @api.model
    def _search_pool_hidden(self, operator, value):
        domain = self.env["calendar.event"]._pool_hidden_reference_domain(
            "model", "res_id", "=", True
        )
        if domain == expression.FALSE_DOMAIN:
            messages = domain
        else:
            messages = [("mail_message_id", "any", domain)]
        if (operator == "=") == bool(value):
            return messages
        return ["!", *expression.normalize_domain(messages)]
