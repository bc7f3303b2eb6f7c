"""A mailing's lead count (``mass_mailing_crm``, counted as superuser) leaves
out the private pool leads the user may not read."""

from odoo import api, models


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
