"""Event registrations and the queues' leads (``event_crm``):

- a registration counts its leads as superuser (``lead_count``, the attendee's
  *Leads* button): the private pool leads the user may not read are left out
  (pool privacy, see ``sales_team_queue/models/crm_lead_pool_privacy.py``);
- editing a registration updates its leads as superuser: a lead waiting in a
  pool belongs to its queue until claimed, so a registration linked to one is
  not copied to its leads when the user does not lead its team or manage sales
  (the perimeter, see ``sales_team_queue/models/crm_lead_perimeter.py``)."""

from odoo import api, models


class EventRegistration(models.Model):
    _inherit = "event.registration"

    @api.depends_context("uid")
    def _compute_lead_count(self):
        result = super()._compute_lead_count()
        hidden = self.env["crm.lead"]._pool_hidden_ids(self.sudo().lead_ids.ids)
        for registration in self if hidden else ():
            shown = set(registration.sudo().lead_ids.ids) - hidden
            registration.lead_count = len(shown)
        return result

    def _update_leads(self, new_vals, lead_tracked_vals):
        user_env = self.env(su=False)
        leads = user_env["crm.lead"].browse(self.sudo().lead_ids.ids)
        in_pools = leads._perimeter_not_theirs().filtered(
            lambda lead: lead.sudo().queue_state == "pool"
        )
        synced = self.filtered(
            lambda registration: not set(registration.sudo().lead_ids.ids)
            & set(in_pools.ids)
        )
        return super(EventRegistration, synced)._update_leads(
            new_vals, lead_tracked_vals
        )
