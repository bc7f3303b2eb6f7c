"""The *Partnership Analysis* (``website_crm_partner_assign``) counts each
reseller's leads in SQL, whoever reads it: the private pool leads the user may
not read are left out of the count (pool privacy)."""

from odoo import models
from odoo.tools import SQL


class CrmPartnerReportAssign(models.Model):
    _inherit = "crm.partner.report.assign"

    @property
    def _table_query(self):
        query = super()._table_query
        hidden = self.env["crm.lead"]._pool_hidden_query()
        if hidden is None:
            return query
        columns = [
            SQL(
                "r.nbr_opportunities - (SELECT count(*) FROM crm_lead l "
                "WHERE l.partner_assigned_id = r.partner_id AND l.id IN %s) "
                "AS nbr_opportunities",
                hidden.subselect(),
            )
            if name == "nbr_opportunities"
            else SQL("r.%s", SQL.identifier(name))
            for name, field in self._fields.items()
            if field.store and field.column_type
        ]
        return SQL("SELECT %s FROM (%s) r", SQL(", ").join(columns), query)
