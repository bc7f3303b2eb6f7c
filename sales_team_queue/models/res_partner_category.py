"""res.partner.category: a lead queue's criteria may name it; changing it clears
routing's cache of the queues' settings (``crm_team_queue_criterion_mixin.py``)."""

from odoo import models


class ResPartnerCategory(models.Model):
    _name = "res.partner.category"
    _inherit = ["res.partner.category", "crm.team.queue.criterion.mixin"]
