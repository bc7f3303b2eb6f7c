"""Many rows in one statement: the module's logs (stage history, ledger) are
inserted with one multi-row ``INSERT ... SELECT FROM unnest(...)`` whatever
their number, where the ORM's ``create`` inserts by batches of 100."""

from odoo.tools import SQL


def unnest_rows(rows, columns, alias="r"):
    """``unnest(...) AS alias(...)``: ``rows`` (dicts) as a table whose
    ``columns`` (pairs of a key of the rows and its PostgreSQL type, e.g.
    ``("lead_id", "int4")``) are read as ``alias.key``."""
    arrays = SQL(", ").join(
        SQL("%s::%s[]", [row[name] for row in rows], SQL.identifier(sql_type))
        for name, sql_type in columns
    )
    names = SQL(", ").join(SQL.identifier(name) for name, _type in columns)
    return SQL("unnest(%s) AS %s(%s)", arrays, SQL.identifier(alias), names)
