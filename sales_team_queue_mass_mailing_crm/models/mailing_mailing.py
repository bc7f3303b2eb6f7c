"""Mailings on leads (``mass_mailing_crm``) and private pools:

- a mailing's lead count (counted as superuser) leaves out the private pool
  leads the user may not read;
- a mailing on leads leaves out the leads waiting in a private pool: their
  contact is kept for whoever claims them, and Odoo sends mailings as
  superuser, so a marketing user's domain would otherwise reach (and, by the
  mailing's figures, read) leads they may not see."""

from odoo import api, models
from odoo.osv import expression


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    @api.depends_context("uid")
    def _compute_crm_lead_count(self):
        result = super()._compute_crm_lead_count()
        hidden = self.env["crm.lead"]._pool_hidden_query()
        if hidden is None or not self.source_id:
            return result
        rows = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .sudo()
            ._read_group(
                [("source_id", "in", self.source_id.ids), ("id", "in", hidden)],
                ["source_id"],
                ["__count"],
            )
        )
        hidden_counts = {source.id: count for source, count in rows}
        for mailing in self:
            mailing.crm_lead_count -= hidden_counts.get(mailing.source_id.id, 0)
        return result

    def _get_recipients_domain(self):
        domain = super()._get_recipients_domain()
        if self.mailing_model_real == "crm.lead":
            domain = expression.AND([domain, [("pool_private", "=", False)]])
        return domain
