"""Event registrations and the queues' leads (``event_crm``):

- a registration counts its leads as superuser (``lead_count``, the attendee's
  *Leads* button): the private pool leads the user may not read are left out
  (pool privacy, see ``sales_team_queue/models/crm_lead_pool_privacy.py``);
- editing a registration copies its new contact details to its leads, as
  superuser: a lead waiting in a pool belongs to its queue until claimed, so a
  registration linked to one is not copied to its leads when the user does not
  lead its team or manage sales (the perimeter, see
  ``sales_team_queue/models/crm_lead_perimeter.py``), also when a flow of
  Odoo writes it as superuser for that user (a quotation's new customer).
  Writes as superuser for no employee (a ticket bought on the website, a
  cron) update every lead, as in Odoo; a hidden lead's tracking is then
  OdooBot's (Odoo lets authors read their messages)."""

from odoo import api, models

# A Python object, which no RPC client can send: a write as superuser for no
# employee (the public user, a portal user, a cron).
SUDO_WRITE = "sales_team_queue_event_crm.sudo_write"
SUDO_WRITE_TOKEN = object()


class EventRegistration(models.Model):
    _inherit = "event.registration"

    @api.depends_context("uid", SUDO_WRITE)
    def _compute_lead_count(self):
        result = super()._compute_lead_count()
        if self._is_sudo_write():
            return result
        hidden = self.env["crm.lead"]._pool_hidden_ids(self.sudo().lead_ids.ids)
        for registration in self if hidden else ():
            shown = set(registration.sudo().lead_ids.ids) - hidden
            registration.lead_count = len(shown)
        return result

    def write(self, vals):
        acting = self.env(su=False).user
        if not self.env.su or not (acting._is_superuser() or acting.share):
            return super().write(vals)
        writing = self.with_context(**{SUDO_WRITE: SUDO_WRITE_TOKEN})
        return super(EventRegistration, writing).write(vals)

    def _is_sudo_write(self):
        return self.env.context.get(SUDO_WRITE) is SUDO_WRITE_TOKEN

    def _update_leads(self, new_vals, lead_tracked_vals):
        lead_ids = self.sudo().lead_ids.ids
        if self._is_sudo_write():
            hidden = self.env["crm.lead"]._pool_hidden_ids(lead_ids)
            if hidden:
                leads = self.env["crm.lead"].sudo().browse(sorted(hidden))
                leads._track_set_author(self.env.ref("base.partner_root"))
            return super()._update_leads(new_vals, lead_tracked_vals)
        leads = self.env(su=False)["crm.lead"].browse(lead_ids)
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
