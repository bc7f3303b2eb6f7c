"""The resellers' actions on a lead (``website_crm_partner_assign``: interested,
not interested, contact details, the portal form) write as superuser, and Odoo
checks only portal users: an employee meets the perimeter (see
``sales_team_queue/models/crm_lead_perimeter.py``)."""

from odoo import _, models
from odoo.exceptions import UserError


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _assert_portal_write_access(self):
        super()._assert_portal_write_access()
        if self.env.su or self.env.user._is_portal():
            return
        foreign = self._perimeter_not_theirs()
        if foreign:
            raise UserError(
                _(
                    "You cannot act as a reseller on %(leads)s: they wait in a pool "
                    "or belong to another salesperson. Ask the leader of the team.",
                    leads=self._perimeter_names(foreign),
                )
            )
