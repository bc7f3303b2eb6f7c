"""The wizards that work on the leads selected in a list (assign, release), with
a reason typed by the user."""

from odoo import api, fields, models

from ..models.values import check_reason_vals


class CrmLeadSelectionMixin(models.AbstractModel):
    _name = "crm.lead.selection.mixin"
    _description = "Wizard on Selected Leads"

    lead_ids = fields.Many2many("crm.lead", string="Leads", required=True)

    @api.model
    def default_get(self, fields_list):
        """``lead_ids``: the leads selected where the wizard was opened (the
        client's ``active_ids`` of ``crm.lead``, data the access rights check
        when the wizard acts)."""
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "lead_ids" in fields_list
            and not values.get("lead_ids")
            and context.get("active_model") == "crm.lead"
            and context.get("active_ids")
        ):
            values["lead_ids"] = [fields.Command.set(context["active_ids"])]
        return values

    @api.model_create_multi
    def create(self, vals_list):
        # the typed reason is data a client sends: plain text, bounded
        return super().create([check_reason_vals(self.env, vals) for vals in vals_list])

    def write(self, vals):
        return super().write(check_reason_vals(self.env, vals))
