"""Notifications of private pool leads: hidden from the reps who may not read the lead
(pool privacy)."""

from odoo import api, models
from odoo.osv import expression


class MailNotification(models.Model):
    _name = "mail.notification"
    _inherit = ["mail.notification", "crm.lead.pool.hidden.mixin"]

    def _pool_hidden_reference(self):
        return (self.mail_message_id.model, self.mail_message_id.res_id)

    @api.model
    def _pool_hidden_domain(self, hidden):
        domain = self.env["calendar.event"]._pool_hidden_reference_domain(
            "model", "res_id", True
        )
        if domain == expression.FALSE_DOMAIN:
            messages = domain
        else:
            messages = [("mail_message_id", "any", domain)]
        if hidden:
            return messages
        return ["!", *expression.normalize_domain(messages)]
