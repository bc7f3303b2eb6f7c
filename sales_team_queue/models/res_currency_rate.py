"""Currency rates: a new or changed rate makes the targets whose deals it converts
stale."""

from odoo import api, models


class ResCurrencyRate(models.Model):
    _inherit = "res.currency.rate"

    @api.model
    def _target_mark_stale(self, days):
        """A rate converts the deals won from its day on."""
        if days:
            Target = self.env["crm.sales.target"].sudo()
            Target.search(
                [("date_to", ">=", min(days))], order="id"
            )._mark_achieved_stale_or_later()

    @api.model_create_multi
    def create(self, vals_list):
        rates = super().create(vals_list)
        self._target_mark_stale(rates.mapped("name"))
        return rates

    def write(self, vals):
        days = self.sudo().mapped("name")
        result = super().write(vals)
        self._target_mark_stale(days + self.sudo().mapped("name"))
        return result

    def unlink(self):
        # Marked after: unlink flushes (and so computes what is marked) first.
        days = self.sudo().mapped("name")
        result = super().unlink()
        self._target_mark_stale(days)
        return result
