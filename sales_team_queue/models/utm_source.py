"""utm.source: a lead queue's criteria may name it; changing it clears
routing's cache of the queues' settings (``crm_team_queue_criterion_mixin.py``)."""

from odoo import models


class UtmSource(models.Model):
    _name = "utm.source"
    _inherit = ["utm.source", "crm.team.queue.criterion.mixin"]
