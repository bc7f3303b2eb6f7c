from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmSalesTargetGenerate(models.TransientModel):
    """A year of monthly targets for every rep of a team, in one click."""

    _name = "crm.sales.target.generate"
    _description = "Create a Year of Monthly Targets"

    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        required=True,
        default=lambda self: self._default_team_id(),
        help="Each member of the team gets one target per month.",
    )
    year = fields.Integer(
        required=True, default=lambda self: fields.Date.context_today(self).year
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id
    )
    revenue_target = fields.Monetary(
        string="Monthly Revenue per Rep", currency_field="currency_id"
    )
    won_count_target = fields.Integer(string="Monthly Won Deals per Rep")

    @api.model
    def _default_team_id(self):
        return (
            self.env["crm.team"].search([("user_id", "=", self.env.uid)], limit=1)
            or self.env.user.sale_team_id
        )

    def action_apply(self):
        """Create the targets (months a rep already has are kept as they are)
        and show them."""
        self.ensure_one()
        if not 2000 <= self.year <= 2100:
            raise UserError(_("Choose a year between 2000 and 2100."))
        if not self.team_id.member_ids:
            raise UserError(
                _(
                    "The team %s has no members: add its salespeople first.",
                    self.team_id.name,
                )
            )
        targets = self.env["crm.sales.target"]._generate_year(
            self.team_id, self.year, self.revenue_target, self.won_count_target
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_team_queue.crm_sales_target_action"
        )
        action["domain"] = [("id", "in", targets.ids)]
        return action
