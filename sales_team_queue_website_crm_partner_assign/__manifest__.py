{
    "name": "Sales Team Queues - Resellers",
    "summary": "The perimeter and pool privacy for resellers' leads: the partner "
    "actions Odoo runs as superuser keep to the queues' rules",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "sales_team_queue developers",
    "website": "https://github.com/sales-team-queue/sales_team_queue",
    "depends": ["sales_team_queue", "website_crm_partner_assign"],
    "auto_install": True,
    "installable": True,
}
