"""18.0.1.1.0: ledger reasons are stored as a code with arguments and rendered
in the reader's language; the reasons written before are kept as typed text."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not column_exists(cr, "crm_lead_assignment", "reason"):
        return
    cr.execute(
        SQL(
            """ALTER TABLE crm_lead_assignment
                   ADD COLUMN IF NOT EXISTS reason_code varchar,
                   ADD COLUMN IF NOT EXISTS reason_args jsonb"""
        )
    )
    cr.execute(
        SQL(
            """UPDATE crm_lead_assignment
                  SET reason_code = 'text',
                      reason_args = jsonb_build_object('text', reason)
                WHERE reason IS NOT NULL AND reason_code IS NULL"""
        )
    )
    cr.execute(SQL("ALTER TABLE crm_lead_assignment DROP COLUMN reason"))
