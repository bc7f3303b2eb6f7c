from odoo import api, fields, models
from odoo.osv import expression

from .values import yes_no_domain


class CrmLeadVisibilityMixin(models.AbstractModel):
    """Records about one lead (``lead_id``) that a user sees exactly when they
    may read the lead: the stage history, the stage analysis and the
    assignment analysis. Their record rules say ``[('is_lead_visible', '=',
    True)]``, so any rule on ``crm.lead`` (Odoo's, this module's team rules)
    applies to them without being repeated."""

    _name = "crm.lead.visibility.mixin"
    _description = "Records Visible with Their Lead"

    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity", readonly=True)
    is_lead_visible = fields.Boolean(
        string="Lead Visible",
        compute="_compute_is_lead_visible",
        search="_search_is_lead_visible",
        help="Technical: the current user may read the lead of this row.",
    )

    @api.depends("lead_id")
    @api.depends_context("uid")
    def _compute_is_lead_visible(self):
        visible = self.lead_id.with_env(self.env(su=False))._filtered_access("read")
        for record in self:
            record.is_lead_visible = record.lead_id in visible

    def _search_is_lead_visible(self, operator, value):
        """The records whose lead the current user may read. Record rules
        evaluate their domain as superuser, so the lead's own record rules are
        applied here explicitly, for the real user. Archived (lost) leads count
        as well."""
        return yes_no_domain(
            self, "is_lead_visible", operator, value, self._is_lead_visible_domain
        )

    def _is_lead_visible_domain(self, positive):
        """The records whose lead the user may read (``positive``), or not."""
        Lead = self.env["crm.lead"].with_env(self.env(su=False))
        if not Lead.has_access("read"):
            # No access to leads at all: no record is visible.
            return expression.FALSE_DOMAIN if positive else expression.TRUE_DOMAIN
        leads = Lead.with_context(active_test=False)._search([])
        return [("lead_id", "in" if positive else "not in", leads)]
