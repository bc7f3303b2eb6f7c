from odoo import models

MANAGER = "sales_team.group_sale_manager"
HANDOVER_MENU = "sales_team_queue.crm_salesperson_handover_menu"


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    def _load_menus_blacklist(self):
        """*Lead Queues > Salesperson Handover* is for sales managers and team
        leaders (no group says who leads a team: ``crm.team`` ``user_id``
        does); the other salespeople do not see it. Odoo caches the menus per
        user: ``crm.team`` clears that cache when a team changes leader."""
        blacklist = super()._load_menus_blacklist()
        user = self.env.user
        if user.has_group(MANAGER):
            return blacklist
        leads_a_team = (
            self.env["crm.team"]
            .sudo()
            .search_count(
                [
                    ("user_id", "=", user.id),
                    ("company_id", "in", [False, *user.company_ids.ids]),
                ],
                limit=1,
            )
        )
        menu = self.env.ref(HANDOVER_MENU, raise_if_not_found=False)
        if menu and not leads_a_team:
            blacklist.append(menu.id)
        return blacklist
