"""Targets stay current: every change that can change what a target achieved
marks the targets concerned as stale (``crm.sales.target._mark_achieved_stale``);
the ORM computes them again, all at once, before they are next read or when the
transaction ends, so RPC clients, reports and screens read the true figures.

Many deals share a target (the team's, the company's): two reps winning at once
must not collide on its row. A transaction that cannot take the rows at once
(another one holds them, or changed them since it began) leaves them alone and
has them computed right after its commit, in a short transaction of its own
(``_recompute_targets_after_commit``).

The changes: a deal won, lost, reopened, archived, restored or deleted, its
salesperson, team, company, expected revenue or close date changed (created
already won, too); a stage becoming won or no longer won; a currency rate
(deals of other currencies are converted)."""

import logging

from odoo import SUPERUSER_ID, api, models
from odoo.tools import SQL

from .after_commit import after_commit_value, run_read_committed

_logger = logging.getLogger(__name__)

# The after-commit computation waits this long for the targets' rows, this
# many times.
LOCK_TIMEOUT = "5s"
RECOMPUTE_TRIES = 3
# Post-commit data key: ids of the targets to compute after the commit.
TARGETS_LATER = "sales_team_queue.targets_after_commit"
# The setting that tells whether the targets' rows were locked at once.
TARGETS_LOCKED = "sales_team_queue.targets_locked"

# The fields of crm.lead that decide whether and where a deal counts.
TARGET_LEAD_FIELDS = {
    "stage_id",
    "active",
    "user_id",
    "team_id",
    "company_id",
    "expected_revenue",
    "date_closed",
}


class CrmSalesTarget(models.Model):
    _inherit = "crm.sales.target"

    def _mark_achieved_stale_or_later(self):
        """Mark ``self`` stale in this transaction when their rows can be
        taken at once; otherwise compute them after the commit."""
        if not self:
            return
        if self._target_try_lock():
            self._mark_achieved_stale()
            return
        pending = after_commit_value(
            self.env, TARGETS_LATER, set, _recompute_targets_after_commit
        )
        pending.update(self.ids)

    def _target_try_lock(self):
        """Lock the rows of ``self`` without waiting and without raising (a
        PL/pgSQL block, whose exception handler is a sub-transaction): False
        when another transaction holds one, or changed one since this one
        began (REPEATABLE READ)."""
        self.env.cr.execute(
            SQL(
                """DO $$ BEGIN
                       PERFORM id FROM crm_sales_target WHERE id = ANY(%s)
                         ORDER BY id FOR NO KEY UPDATE NOWAIT;
                       PERFORM set_config(%s, '1', true);
                   EXCEPTION WHEN lock_not_available OR serialization_failure THEN
                       PERFORM set_config(%s, '0', true);
                   END $$""",
                self.ids,
                TARGETS_LOCKED,
                TARGETS_LOCKED,
            )
        )
        self.env.cr.execute(SQL("SELECT current_setting(%s)", TARGETS_LOCKED))
        return self.env.cr.fetchone()[0] == "1"


def _recompute_targets_after_commit(registry, target_ids):
    """Post-commit hook: compute the targets ``target_ids`` again in a READ
    COMMITTED transaction that first waits for their rows, then counts (so it
    counts every deal committed by whoever held them); tried again on a lock
    timeout or a deadlock. Never raises: the deals are saved whatever happens
    here."""
    try:
        error = run_read_committed(
            registry,
            lambda cr: _recompute_targets(cr, target_ids),
            RECOMPUTE_TRIES,
            LOCK_TIMEOUT,
        )
    except Exception:
        _logger.exception(
            "Targets %s not computed after the commit", sorted(target_ids)
        )
        return
    if error:
        _logger.warning(
            "Targets %s not computed after the commit (they are again at "
            "their next change): %s",
            sorted(target_ids),
            error,
        )


def _recompute_targets(cr, target_ids):
    """Lock the targets ``target_ids`` (waiting for whoever holds them), then
    mark what they achieved stale and compute it again."""
    cr.execute(
        SQL(
            """SELECT id FROM crm_sales_target WHERE id = ANY(%s)
                ORDER BY id FOR NO KEY UPDATE""",
            sorted(target_ids),
        ),
        log_exceptions=False,
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    targets = env["crm.sales.target"].browse([row[0] for row in cr.fetchall()])
    targets._mark_achieved_stale()
    targets.flush_recordset()
