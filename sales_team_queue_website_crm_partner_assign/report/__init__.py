from . import crm_partner_report
