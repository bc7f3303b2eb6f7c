"""Followers of private pool leads: hidden from the reps who may not read the lead
(pool privacy)."""

from odoo import api, models


class MailFollowers(models.Model):
    _name = "mail.followers"
    _inherit = ["mail.followers", "crm.lead.pool.hidden.mixin"]

    def _pool_hidden_reference(self):
        return (self.res_model, self.res_id)

    @api.model
    def _pool_hidden_domain(self, hidden):
        return self.env["calendar.event"]._pool_hidden_reference_domain(
            "res_model", "res_id", hidden
        )
