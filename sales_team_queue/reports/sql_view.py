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


def median_sql(source, value, keys):
    """The body of a CTE giving, per ``keys`` (columns), the median of the column
    ``value`` over the rows of ``source`` (a CTE) where it is set, as
    ``median``. Reports precompute their medians this way: ``percentile_cont``
    is an aggregate, and the pivot only averages."""
    keys = SQL(", ").join(SQL.identifier(key) for key in keys)
    return SQL(
        """SELECT %(keys)s,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY %(value)s) AS median
             FROM %(source)s
            WHERE %(value)s IS NOT NULL
         GROUP BY %(keys)s""",
        keys=keys,
        value=SQL.identifier(value),
        source=SQL.identifier(source),
    )
