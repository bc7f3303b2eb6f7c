"""res.country.state: a lead queue's criteria may name it; changing it clears
routing's cache of the queues' settings (``crm_team_queue_criterion_mixin.py``)."""

from odoo import models


class ResCountryState(models.Model):
    _name = "res.country.state"
    _inherit = ["res.country.state", "crm.team.queue.criterion.mixin"]
