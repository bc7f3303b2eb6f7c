"""Followers of private pool leads: hidden from the reps who may not read the lead
(pool privacy)."""

from odoo import models


class MailFollowers(models.Model):
    _name = "mail.followers"
    _inherit = ["mail.followers", "crm.lead.pool.hidden.mixin"]
    _pool_hidden_document = ("res_model", "res_id")
