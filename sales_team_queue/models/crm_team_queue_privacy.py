"""Pool privacy on the queue: the global rules around private pool leads are on while
some queue hides its pool (see crm_lead_pool_privacy.py)."""

from odoo import api, models

from .crm_lead_pool_privacy import POOL_PRIVACY_RULES


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    @api.model
    def _queue_cached_fields(self):
        return super()._queue_cached_fields() | {"pool_hide_contact"}

    def _queues_changed(self):
        result = super()._queues_changed()
        self._pool_privacy_sync_rules()
        return result

    @api.model
    def _pool_privacy_rules(self):
        """The xml ids of the global rules of pool privacy: this module's, and
        those a bridge adds for the models of another app."""
        return list(POOL_PRIVACY_RULES)

    @api.model
    def _pool_privacy_sync_rules(self):
        """Switch the global rules of pool privacy on while some queue hides
        its pool, off otherwise. Called on every change of queues, and on
        every install and upgrade (from the security data)."""
        active = bool(self._get_private_pool_queue_ids())
        # The rules are the server's: a sales manager changing queues may not
        # read them.
        env = self.sudo().env
        for xmlid in self._pool_privacy_rules():
            rule = env.ref(xmlid, raise_if_not_found=False)
            if rule and rule.active != active:
                rule.active = active
