"""Activities: one marked done by the lead's salesperson is a follow-up (SLA met)."""

from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # An activity of a lead marked done by its salesperson (or by an
        # automation, as superuser) is a follow-up (SLA met); one done by
        # someone else, even an activity of the salesperson's, is not.
        user = self.env.user
        lead_ids = {
            activity.res_id
            for activity in self.sudo()
            if activity.res_model == "crm.lead" and activity.res_id
        }
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        leads = self.env["crm.lead"].sudo().browse(list(lead_ids)).exists()
        followed = leads.filtered(
            lambda lead: lead.user_id and (lead.user_id == user or self.env.su)
        )
        if followed:
            followed._sla_mark_met()
        return result
