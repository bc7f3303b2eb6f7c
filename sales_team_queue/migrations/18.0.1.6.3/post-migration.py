"""18.0.1.6.3: pool privacy and the perimeter reach event registrations,
mailings and resellers through the bridges ``sales_team_queue_event_crm``,
``sales_team_queue_mass_mailing_crm`` and
``sales_team_queue_website_crm_partner_assign``, installed here where their
apps are."""

from odoo import SUPERUSER_ID, api

from odoo.addons.sales_team_queue.hooks import install_ready_bridges

BRIDGES = (
    "sales_team_queue_event_crm",
    "sales_team_queue_mass_mailing_crm",
    "sales_team_queue_website_crm_partner_assign",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    install_ready_bridges(env, BRIDGES)
