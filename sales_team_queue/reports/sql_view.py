"""The reports of this module are SQL views (``_auto = False``), each defined
by its model's ``_query()``."""

from odoo import tools
from odoo.tools import SQL


def create_sql_view(model):
    """Create (again) the SQL view of the report ``model`` from its
    ``_query()``: call it from the model's ``init``."""
    tools.drop_view_if_exists(model.env.cr, model._table)
    model.env.cr.execute(
        SQL(
            "CREATE OR REPLACE VIEW %s AS (%s)",
            SQL.identifier(model._table),
            model._query(),
        )
    )
