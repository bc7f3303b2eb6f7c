"""An event registration counts its leads as superuser (``event_crm``'s
``lead_count``, the attendee's *Leads* button): the private pool leads the user
may not read are left out of what a user reads (pool privacy, see
``sales_team_queue/models/crm_lead_pool_privacy.py``). Odoo's ``write`` of a
registration reads the same count to decide whether to update its leads: it
still counts them all, and updates them as superuser; a hidden lead's update is
then written by OdooBot, not by the user, whose name on its tracking would let
them read the lead's former contact details (Odoo lets authors read their
messages)."""

from odoo import api, models

# A Python object, which no RPC client can send: Odoo's write counts every lead.
ALL_LEADS = "sales_team_queue_event_crm.all_leads"
ALL_LEADS_TOKEN = object()


class EventRegistration(models.Model):
    _inherit = "event.registration"

    @api.depends_context("uid", ALL_LEADS)
    def _compute_lead_count(self):
        result = super()._compute_lead_count()
        if self.env.context.get(ALL_LEADS) is ALL_LEADS_TOKEN:
            return result
        hidden = self.env["crm.lead"]._pool_hidden_ids(self.sudo().lead_ids.ids)
        for registration in self if hidden else ():
            shown = set(registration.sudo().lead_ids.ids) - hidden
            registration.lead_count = len(shown)
        return result

    def write(self, vals):
        counting = self.with_context(**{ALL_LEADS: ALL_LEADS_TOKEN})
        return super(EventRegistration, counting).write(vals)

    def _update_leads(self, new_vals, lead_tracked_vals):
        hidden = self.env["crm.lead"]._pool_hidden_ids(self.sudo().lead_ids.ids)
        if hidden:
            leads = self.env["crm.lead"].sudo().browse(sorted(hidden))
            leads._track_set_author(self.env.ref("base.partner_root"))
        return super()._update_leads(new_vals, lead_tracked_vals)
