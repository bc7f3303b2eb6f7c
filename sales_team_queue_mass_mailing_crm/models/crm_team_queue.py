from odoo import api, models


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    @api.model
    def _pool_privacy_rules(self):
        return super()._pool_privacy_rules() + [
            "sales_team_queue_mass_mailing_crm.mailing_trace_rule_pool_private"
        ]
