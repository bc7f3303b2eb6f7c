"""The lead side of the VIP tier (``is_vip``, computed in ``crm_lead_pool.py``
by ``crm.team.queue._vip_lead_for``): it follows Odoo's prediction
(``automated_probability``) where the ORM does not see it change."""

from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _queue_team_bound_fields(self):
        # The VIP tier reads Odoo's prediction, which follows the team, but
        # also the queue, which the door writes with the team kept: it is
        # computed again then.
        return [
            field
            for field in super()._queue_team_bound_fields()
            if field.name != "is_vip"
        ]

    def _update_automated_probabilities(self):
        # Odoo's nightly scoring writes the new predictions in SQL, unseen by
        # the ORM: the VIP tier of the queues that read them is computed again.
        result = super()._update_automated_probabilities()
        self.env.invalidate_all()
        leads = self.search([("queue_id.vip_min_probability", ">", 0)])
        if leads:
            self.env.add_to_compute(self._fields["is_vip"], leads)
            leads.flush_recordset(["is_vip"])
        return result
