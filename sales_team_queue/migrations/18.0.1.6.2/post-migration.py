"""18.0.1.6.2: pool privacy reaches website visitors through the bridge
``sales_team_queue_website_crm``. Odoo installs such an add-on by itself when
one of its dependencies is installed, not when one is upgraded: a database
that already has Website CRM gets it with this upgrade."""

from odoo import SUPERUSER_ID, api

BRIDGES = ("sales_team_queue_website_crm",)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    bridges = env["ir.module.module"].search(
        [("name", "in", BRIDGES), ("state", "=", "uninstalled")]
    )
    ready = bridges.filtered(
        lambda bridge: all(
            dependency.state in ("installed", "to upgrade")
            for dependency in bridge.dependencies_id
        )
    )
    if ready:
        ready.button_install()
