"""The records a queue's criteria name (tags, countries, sources, products...):
routing keeps the queues' settings in a cache (``_routing_config``), cleared
when a queue changes (``crm.team.queue._queues_changed``). A change made on
such a record changes what a queue matches without a write on the queue: a
record deleted (the database drops it from the queue's list behind the ORM), a
product category moved (queues match a category by its path). These clear the
cache too."""

from odoo import api, models


class CrmTeamQueueCriterionMixin(models.AbstractModel):
    _name = "crm.team.queue.criterion.mixin"
    _description = "Record Named by the Criteria of Lead Queues"

    def unlink(self):
        named = self._queue_criterion_named()
        result = super().unlink()
        if named:
            self.env["crm.team.queue"]._queues_changed()
        return result

    def _queue_criterion_named(self):
        """Whether a criterion of an active queue, kept by routing's cache,
        names a record of ``self`` (nothing to ask while no queue is active)."""
        Queue = self.env["crm.team.queue"].sudo()
        if not self or not Queue._get_queue_team_ids():
            return False
        return any(
            Queue.search_count([(name, "in", self.ids)], limit=1)
            for name in self._queue_criterion_fields()
        )

    @api.model
    def _queue_criterion_fields(self):
        """The cached fields of queues that name records of this model."""
        Queue = self.env["crm.team.queue"]
        return [
            name
            for name in Queue._queue_cached_fields()
            if Queue._fields[name].type == "many2many"
            and Queue._fields[name].comodel_name == self._name
        ]
