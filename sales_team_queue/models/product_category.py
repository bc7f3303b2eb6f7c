"""product.category: a lead queue's criteria may name it; changing it clears
routing's cache of the queues' settings (``crm_team_queue_criterion_mixin.py``)."""

from odoo import api, models


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "crm.team.queue.criterion.mixin"]

    def write(self, vals):
        result = super().write(vals)
        # A move changes the paths of the category and of all below it.
        if "parent_id" in vals and self._queue_categories_in_use():
            self.env["crm.team.queue"]._queues_changed()
        return result

    @api.model
    def _queue_categories_in_use(self):
        """Whether an active queue matches leads by product category."""
        Queue = self.env["crm.team.queue"].sudo()
        return bool(Queue._get_queue_team_ids()) and bool(
            Queue.search_count([("product_category_ids", "!=", False)], limit=1)
        )
