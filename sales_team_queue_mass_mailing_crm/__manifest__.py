{
    "name": "Sales Team Queues - Email Marketing CRM",
    "summary": "Pool privacy for mailings: no mailing reaches a private pool lead, "
    "and traces and counts do not show those a rep may not read",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "sales_team_queue developers",
    "website": "https://github.com/sales-team-queue/sales_team_queue",
    "depends": ["sales_team_queue", "mass_mailing_crm"],
    "data": ["security/sales_team_queue_mass_mailing_crm_security.xml"],
    "auto_install": True,
    "installable": True,
}
