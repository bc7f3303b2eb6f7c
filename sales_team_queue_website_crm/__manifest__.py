{
    "name": "Sales Team Queues - Website CRM",
    "summary": "Pool privacy for website visitors: a visitor does not show the "
    "contact details of a private pool lead",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "sales_team_queue developers",
    "website": "https://github.com/sales-team-queue/sales_team_queue",
    "depends": ["sales_team_queue", "website_crm"],
    "auto_install": True,
    "installable": True,
}
