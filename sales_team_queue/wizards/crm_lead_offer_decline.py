from odoo import _, fields, models
from odoo.exceptions import UserError


class CrmLeadOfferDecline(models.TransientModel):
    """Decline leads offered to you, with a reason ("Decline" on an offered
    lead): each goes to the next eligible member of its queue."""

    _name = "crm.lead.offer.decline"
    _inherit = ["crm.lead.selection.mixin"]
    _description = "Decline Offered Leads"

    lead_ids = fields.Many2many(help="The leads offered to you that you decline.")
    reason = fields.Text(
        required=True,
        help="Why you decline the lead: the team leader reads it in the assignment "
        "history.",
    )

    def action_apply(self):
        """Decline the leads with the reason, as the current user (checked by
        ``crm.lead.action_decline_offer``: offers made to them only)."""
        self.ensure_one()
        # (the leads the user may read: a client may name others)
        leads = self.lead_ids.with_env(self.env)
        if not leads:
            raise UserError(_("Select at least one lead."))
        leads.action_decline_offer(self.reason)
        if len(leads._filtered_access("read")) == len(leads):
            return {"type": "ir.actions.act_window_close"}
        # The leads are the next member's: a rep who may read only their own
        # leads would get an access error on reloading the lead; back to their
        # pipeline instead, saying where the leads went.
        pipeline = self.env["crm.team"].action_your_pipeline()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "%(count)s lead(s) declined: they go to the next member of "
                    "their queue.",
                    count=len(leads),
                ),
                "next": {**pipeline, "target": "main"},
            },
        }
