"""A website visitor shows its leads' count, and without contact their e-mail
and mobile (``website_crm``; the e-mail and mobile computed as superuser), to
every salesperson: the private pool leads the user may not read are left out
(pool privacy, see ``sales_team_queue/models/crm_lead_pool_privacy.py``)."""

from odoo import api, models


class WebsiteVisitor(models.Model):
    _inherit = "website.visitor"

    def _pool_shown_leads(self):
        """{visitor: its leads (sudo), newest first, but the private pool leads
        the user may not read}; empty when none of them is hidden."""
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
            partner = visitor.partner_id.sudo()
            # as website (the contact's), then website_crm (the newest lead's)
            visitor.email = partner.email_normalized or next(
                (lead.email_normalized for lead in leads if lead.email_normalized),
                False,
            )
            visitor.mobile = (
                partner.mobile
                or partner.phone
                or next(
                    (
                        lead.mobile or lead.phone
                        for lead in leads
                        if lead.mobile or lead.phone
                    ),
                    False,
                )
            )
        return result
