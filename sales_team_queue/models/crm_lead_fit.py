"""Best fit follows the deals: when a lead of a team routed by best fit is
won, lost or reopened (or a closed one changes hands or values, or is
deleted or merged away), the win/loss counts of its salesperson in that team
are counted again (``crm.lead.fit.frequency``), in the same transaction.
Steps of the pipeline (``crm_lead_pipeline.py``)."""

import logging

from psycopg2 import IntegrityError, OperationalError, errorcodes

from odoo import SUPERUSER_ID, api, models

from .after_commit import RETRYABLE, after_commit_value, run_read_committed

_logger = logging.getLogger(__name__)

# Fields whose change can move a lead in or out of its salesperson's history.
FIT_FIELDS = frozenset({"active", "stage_id", "probability", "user_id", "team_id"})
# What a count running at the same time as another one of the same rep gets.
FIT_CONFLICTS = RETRYABLE | {errorcodes.UNIQUE_VIOLATION}
# Post-commit data key: the (team id, user id) pairs to count after the commit.
FIT_LATER = "sales_team_queue.fit_after_commit"
RECOUNT_TRIES = 3
LOCK_TIMEOUT = "10s"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _fit_closed(self, team_ids):
        """The leads of ``self`` in the teams ``team_ids`` that are closed
        now (won: active in a won stage; lost: archived with probability 0)
        and have a salesperson."""
        return self.filtered(
            lambda lead: lead.team_id.id in team_ids
            and lead.user_id
            and (
                (lead.active and lead.stage_id.is_won)
                or (not lead.active and not lead.probability)
            )
        )

    def _fit_prepare_write(self, vals):
        """Before a write of ``vals``: the leads closed now whose history it
        may change, or None when it cannot change any."""
        team_ids = self.env["crm.team.queue"]._fit_team_ids()
        if not team_ids:
            return None
        Frequency = self.env["crm.lead.fit.frequency"]
        watched = FIT_FIELDS | {
            path.split(".")[0] for path in Frequency._fit_variables()
        }
        if not watched.intersection(vals):
            return None
        return team_ids, self._fit_closed(team_ids)

    def _fit_after_write(self, prepared):
        """After the write: count again the history of the salespeople of the
        leads closed before or after it."""
        if prepared is None:
            return
        team_ids, before = prepared
        closed = before | self._fit_closed(team_ids)
        Frequency = self.env["crm.lead.fit.frequency"].sudo()
        self._fit_recount(Frequency._fit_history_pairs(closed, team_ids))

    def _fit_on_create(self):
        """Leads created closed (an import of past deals) count at once."""
        team_ids = self.env["crm.team.queue"]._fit_team_ids()
        closed = self._fit_closed(team_ids) if team_ids else self.browse()
        Frequency = self.env["crm.lead.fit.frequency"].sudo()
        self._fit_recount(Frequency._fit_history_pairs(closed, team_ids))

    def _fit_prepare_unlink(self):
        """Before a delete (a merge deletes the leads merged away): the
        salespeople whose history the leads are in."""
        team_ids = self.env["crm.team.queue"]._fit_team_ids()
        if not team_ids:
            return set()
        Frequency = self.env["crm.lead.fit.frequency"].sudo()
        return Frequency._fit_history_pairs(self._fit_closed(team_ids), team_ids)

    @api.model
    def _fit_recount(self, pairs):
        """Count again the history of the (team id, user id) ``pairs``: at
        once, or after the commit when another transaction counts one of them
        at the same time (two reps' deals closed at once; the nightly count):
        the deal is saved either way, and no click fails for it."""
        if not pairs:
            return
        Frequency = self.env["crm.lead.fit.frequency"].sudo()
        Frequency._fit_flush()
        try:
            with self.env.cr.savepoint(flush=False):
                Frequency._fit_refresh(pairs=pairs, log_exceptions=False)
        except (OperationalError, IntegrityError) as error:
            if error.pgcode not in FIT_CONFLICTS:
                raise
            later = after_commit_value(self.env, FIT_LATER, set, _recount_after_commit)
            later.update(pairs)


def _recount_after_commit(registry, pairs):
    """Post-commit hook: count again the history of ``pairs`` in a READ
    COMMITTED transaction (it waits for the other counts, then sees every
    deal committed); tried again on a lock timeout, a deadlock or a line
    another count inserted meanwhile. Never raises: the deals are saved
    whatever happens here (the nightly count catches up)."""
    try:
        error = run_read_committed(
            registry,
            lambda cr: api.Environment(cr, SUPERUSER_ID, {})[
                "crm.lead.fit.frequency"
            ]._fit_refresh(pairs=pairs, log_exceptions=False),
            RECOUNT_TRIES,
            LOCK_TIMEOUT,
            retryable=FIT_CONFLICTS,
            errors=(OperationalError, IntegrityError),
        )
    except Exception:
        _logger.exception(
            "Best fit history of %s not counted after the commit (it is at the "
            "nightly count)",
            sorted(pairs),
        )
        return
    if error:
        _logger.warning(
            "Best fit history of %s not counted after the commit (it is "
            "at the nightly count): %s",
            sorted(pairs),
            error,
        )
