"""Mailings on leads (``mass_mailing_crm``) and private pools:

- a mailing's lead count (counted as superuser) leaves out the private pool
  leads the user may not read;
- no mailing reaches a private pool lead, nor anything through one (the
  customer of such a lead found by a mailing on contacts whose domain names
  the lead): Odoo's cron computes the recipients of a domain a user wrote as
  superuser, and the mailing's figures and traces would tell that user who
  they are. The lead's contact is kept for whoever claims it."""

from odoo import api, models

from odoo.addons.sales_team_queue.models.base import (
    PRIVATE_POOLS_OUT,
    PRIVATE_POOLS_OUT_TOKEN,
)


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

    def _compute_total(self):
        return super(MailingMailing, self._private_pools_out())._compute_total()

    def _get_recipients(self):
        return super(MailingMailing, self._private_pools_out())._get_recipients()

    def _private_pools_out(self):
        return self.with_context(**{PRIVATE_POOLS_OUT: PRIVATE_POOLS_OUT_TOKEN})
