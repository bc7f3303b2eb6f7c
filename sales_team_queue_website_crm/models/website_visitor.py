"""A website visitor shows its leads' count, and without contact their e-mail
and mobile (``website_crm``; the e-mail and mobile computed as superuser), to
every salesperson: the private pool leads the user may not read are left out
(pool privacy, see ``sales_team_queue/models/crm_lead_pool_privacy.py``)."""

from odoo import api, models


class WebsiteVisitor(models.Model):
    _inherit = "website.visitor"

    def _pool_shown_leads(self):
        """{visitor: its leads (sudo), newest first, but the private pool leads
        the user may not read}, for the visitors of ``self`` that have such a
        lead."""
        hidden = self.env["crm.lead"]._pool_hidden_ids(self.sudo().lead_ids.ids)
        if not hidden:
            return {}
        return {
            visitor: visitor.sudo()
            .lead_ids.filtered(lambda lead: lead.id not in hidden)
            .sorted("create_date", reverse=True)
            for visitor in self
            if hidden & set(visitor.sudo().lead_ids.ids)
        }

    def _pool_contact_sources(self, leads):
        """The (e-mail, mobile) pairs the visitor (one, sudo) takes its e-mail
        and mobile from, first found first, as Odoo's add-ons order them: its
        contact (website), then ``leads`` (website_crm), then its event
        registrations (website_event, where installed)."""
        partner = self.partner_id.filtered("active")
        sources = [(partner.email_normalized, partner.mobile or partner.phone)]
        sources += [
            (lead.email_normalized, lead.mobile or lead.phone) for lead in leads
        ]
        if "event_registration_ids" in self._fields:
            registrations = self.event_registration_ids.sorted(
                lambda registration: (registration.create_date, registration.id)
            )
            sources += [(reg.email, reg.phone) for reg in registrations]
        return sources

    @api.depends_context("uid")
    def _compute_lead_count(self):
        result = super()._compute_lead_count()
        for visitor, leads in self._pool_shown_leads().items():
            visitor.lead_count = len(leads)
        return result

    @api.depends_context("uid")
    def _compute_email_phone(self):
        result = super()._compute_email_phone()
        for visitor, leads in self._pool_shown_leads().items():
            sources = visitor.sudo()._pool_contact_sources(leads)
            visitor.email = next((email for email, _m in sources if email), False)
            visitor.mobile = next((mobile for _e, mobile in sources if mobile), False)
        return result
