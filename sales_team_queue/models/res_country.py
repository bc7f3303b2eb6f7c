"""res.country: a lead queue's criteria may name it; changing it clears
routing's cache of the queues' settings (``crm_team_queue_criterion_mixin.py``)."""

from odoo import models


class ResCountry(models.Model):
    _name = "res.country"
    _inherit = ["res.country", "crm.team.queue.criterion.mixin"]
