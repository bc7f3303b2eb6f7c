"""One visible pipeline: this module overrides ``crm.lead``'s ``create``,
``write``, ``unlink`` and merge (``_merge_opportunity``, ``_merge_dependences``)
here and nowhere else. Each calls named steps, in the order read
here; each step lives in the file of its concern and can be extended there by
another add-on:

- ``crm_lead_perimeter.py``: the walls (server-owned fields, pool leads, who
  may move which lead): ``_perimeter_check_*``;
- ``crm_lead.py``: the door (default owner, routing, change of owner or team
  through ``_queue_assign_batch``): ``_queue_*``;
- ``crm_lead_stage.py``: stage probability and stage history: ``_stage_*``;
- ``crm_lead_sla.py``: a change of stage follows the SLA up: ``_sla_*``;
- ``crm_lead_sales_target.py``: the targets that count a changed deal are
  computed again before they are read (``crm_sales_target_sync.py``):
  ``_target_*``;
- ``crm_lead_fit.py``: a lead won, lost or reopened counts again in its
  salesperson's best-fit history: ``_fit_*``;
- ``crm_lead_pool_live.py``: the open pool screens and the members are told
  of what entered or left the pools, once the transaction commits: ``_live_*``.

The module's own writes (the door's, marked with ``DOOR_TOKEN``) skip the
perimeter and the door, not the stage history.
"""

from odoo import api, models

from .crm_lead import DOOR_PASSED, DOOR_TOKEN
from .crm_lead_perimeter import LINK_CUSTOMER, LINK_CUSTOMER_TOKEN
from .values import DOOR_HINT, STAGE_EVENT_CONTEXT_KEY, DoorHint, Reason, StageEvent


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model_create_multi
    def create(self, vals_list):
        self._perimeter_check_create(vals_list)
        queue_team_ids = self.env["crm.team.queue"]._get_queue_team_ids()
        self._queue_prepare_create(vals_list, queue_team_ids)
        leads = super().create(vals_list)
        leads._queue_on_create(queue_team_ids)
        leads._stage_on_create(vals_list)
        leads._target_on_create()
        leads._fit_on_create()
        leads._live_on_create()
        return leads

    def write(self, vals):
        internal = self._is_module_write()
        leads = self if internal else self._perimeter_check_write(vals)
        stage = leads._stage_prepare_write(vals)
        sla = leads._sla_prepare_write(vals, internal)
        targets = leads._target_prepare_write(vals)
        fit = leads._fit_prepare_write(vals)
        live = leads._live_prepare_write(vals)
        for group, group_vals in leads._stage_split_write(vals, stage):
            if internal:
                super(CrmLead, group).write(group_vals)
            else:
                group._queue_write(group_vals)
        leads._stage_after_write(stage)
        leads._sla_after_write(sla)
        leads._target_after_write(targets)
        leads._fit_after_write(fit)
        leads._live_after_write(live)
        return True

    def _message_post_after_hook(self, message, msg_vals):
        # Odoo links the customer a message is sent to with the open leads of
        # the same e-mail (a search and a write as the user): the perimeter
        # leaves the pool leads out of that write (see _perimeter_check_write).
        linking = self.with_context(**{LINK_CUSTOMER: LINK_CUSTOMER_TOKEN})
        return super(CrmLead, linking)._message_post_after_hook(message, msg_vals)

    def _merge_opportunity(
        self, user_id=False, team_id=False, auto_unlink=True, max_length=5
    ):
        self._perimeter_check_merge()
        merging = self.with_context(
            **{
                DOOR_HINT: DoorHint("manual", Reason("merge")),
                STAGE_EVENT_CONTEXT_KEY: StageEvent("merge"),
            }
        )
        head = super(CrmLead, merging)._merge_opportunity(
            user_id=user_id,
            team_id=team_id,
            auto_unlink=auto_unlink,
            max_length=max_length,
        )
        return head.with_env(self.env)

    def _merge_dependences(self, opportunities):
        result = super()._merge_dependences(opportunities)
        self._queue_merge_dependences(opportunities)
        self._stage_merge_dependences(opportunities)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_check_perimeter(self):
        self._perimeter_check_unlink()

    def unlink(self):
        targets = self._target_scope()
        fit = self._fit_prepare_unlink()
        self._live_on_unlink()
        result = super().unlink()
        self._target_mark_stale(targets)
        self._fit_recount(fit)
        return result

    # ------------------------------------------------------------

    def _is_module_write(self):
        """Whether this write is the module's own (the door's, with
        ``DOOR_TOKEN``, which no RPC client can send)."""
        return self.env.context.get(DOOR_PASSED) is DOOR_TOKEN

    def _write_values(self, vals):
        """The step that writes the values: the ``write`` of the classes below
        this one (Odoo's, and the add-ons loaded before this module), without
        this pipeline."""
        return super().write(vals)
