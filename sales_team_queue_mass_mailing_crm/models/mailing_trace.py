"""Mailing traces of private pool leads: hidden from the users who may not read
the lead (pool privacy, see ``sales_team_queue/models/crm_lead_pool_privacy.py``).
Odoo lets every Email Marketing user read every trace, with the e-mail it was
sent to and the lead's id."""

from odoo import models


class MailingTrace(models.Model):
    _name = "mailing.trace"
    _inherit = ["mailing.trace", "crm.lead.pool.hidden.mixin"]
    _pool_hidden_document = ("model", "res_id")
