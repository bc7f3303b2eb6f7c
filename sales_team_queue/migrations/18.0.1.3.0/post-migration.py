"""18.0.1.3.0: what targets achieved is current when read (a stored computed
field that every change of a won deal marks stale). Before, an hourly cron and
the screens refreshed it: compute every target once, so that none keeps a
figure of the last refresh until its next change. The cron record
(``ir_cron_refresh_sales_targets``) is gone from the data and removed by the
upgrade."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    targets = env["crm.sales.target"].with_context(active_test=False).search([])
    targets._mark_achieved_stale()
    env.flush_all()
