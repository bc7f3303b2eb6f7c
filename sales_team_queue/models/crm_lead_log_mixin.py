"""The module's logs of what happened to a lead (the assignment ledger, the stage
history): append-only. Lines are written by the server (as superuser) when the
lead changes; nobody creates, changes or deletes one by hand, whatever their
rights."""

from odoo import api, models
from odoo.exceptions import AccessError


class CrmLeadLogMixin(models.AbstractModel):
    _name = "crm.lead.log.mixin"
    _description = "Append-only Log of Leads"

    def _log_refusal(self, operation):
        """Why ``operation`` ('create', 'write' or 'unlink') by hand is refused,
        and what to do instead, in the user's language."""
        raise NotImplementedError

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self._log_refusal("create"))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self._log_refusal("write"))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not self.env.su:
            raise AccessError(self._log_refusal("unlink"))
