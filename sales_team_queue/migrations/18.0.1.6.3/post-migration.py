"""18.0.1.6.3: pool privacy reaches event registrations through the bridge
``sales_team_queue_event_crm``, installed here where Event CRM is."""

from odoo import SUPERUSER_ID, api

from odoo.addons.sales_team_queue.hooks import install_ready_bridges


def migrate(cr, version):
    install_ready_bridges(api.Environment(cr, SUPERUSER_ID, {}))
