{
    "name": "Sales Team Queues - Event CRM",
    "summary": "Event registrations and pool leads: an attendee does not count the "
    "private pool leads a rep may not read, nor update a lead of a pool",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "sales_team_queue developers",
    "website": "https://github.com/sales-team-queue/sales_team_queue",
    "depends": ["sales_team_queue", "event_crm"],
    "auto_install": True,
    "installable": True,
}
