"""The *Partnership Analysis* (``website_crm_partner_assign``) counts each
reseller's leads in SQL, whoever reads it: the private pool leads the user may
not read are left out of the count (pool privacy), wherever Odoo reads the
column (list, grouping, order)."""

from odoo import models
from odoo.tools import SQL


class CrmPartnerReportAssign(models.Model):
    _inherit = "crm.partner.report.assign"

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        sql = super()._field_to_sql(alias, fname, query, flush)
        if fname != "nbr_opportunities":
            return sql
        hidden = self.env["crm.lead"]._pool_hidden_query()
        if hidden is None:
            return sql
        return SQL(
            "(%s - (SELECT count(*) FROM crm_lead hidden "
            "WHERE hidden.partner_assigned_id = %s AND hidden.id IN %s))",
            sql,
            SQL.identifier(alias, "partner_id"),
            hidden.subselect(),
        )
