"""crm.tag: a lead queue's criteria may name it; changing it clears
routing's cache of the queues' settings (``crm_team_queue_criterion_mixin.py``)."""

from odoo import models


class CrmTag(models.Model):
    _name = "crm.tag"
    _inherit = ["crm.tag", "crm.team.queue.criterion.mixin"]
