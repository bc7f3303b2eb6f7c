"""res.lang: a lead queue's criteria may name it; changing it clears
routing's cache of the queues' settings (``crm_team_queue_criterion_mixin.py``)."""

from odoo import models


class ResLang(models.Model):
    _name = "res.lang"
    _inherit = ["res.lang", "crm.team.queue.criterion.mixin"]
