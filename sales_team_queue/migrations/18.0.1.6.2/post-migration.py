"""18.0.1.6.2: pool privacy reaches website visitors through the bridge
``sales_team_queue_website_crm``, installed here where Website CRM is."""

from odoo import SUPERUSER_ID, api

from odoo.addons.sales_team_queue.hooks import install_ready_bridges


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    install_ready_bridges(env, ["sales_team_queue_website_crm"])
