from odoo import _, fields, models
from odoo.exceptions import UserError

from ..models.values import clean_reason_text


class CrmLeadRelease(models.TransientModel):
    """Release leads to their queue's pool with a reason ("Release" on a
    lead): the reason goes to the ledger and is shown on the pool's card."""

    _name = "crm.lead.release"
    _inherit = ["crm.lead.selection.mixin"]
    _description = "Release Leads to the Pool"

    lead_ids = fields.Many2many(help="The leads given back to their queue's pool.")
    reason = fields.Text(
        required=True,
        help="Why you give the lead back: the next salesperson reads it on the "
        "pool's card before claiming it.",
    )

    def action_apply(self):
        """Release the leads with the reason, as the current user: only their
        salesperson, the team leader or a sales manager may (checked by
        ``crm.lead.action_release``)."""
        self.ensure_one()
        # (the leads the user may read: a client may name others)
        leads = self.lead_ids.with_env(self.env)
        if not leads:
            raise UserError(_("Select at least one lead."))
        reason = clean_reason_text(self.env, self.reason)
        if not reason:
            raise UserError(
                _("Say why you release the lead: the next salesperson reads it.")
            )
        leads.check_access("write")
        answer = leads.action_release(reason=reason)
        if isinstance(answer, dict):
            answer["params"]["next"] = {"type": "ir.actions.act_window_close"}
            return answer
        return {"type": "ir.actions.act_window_close"}
