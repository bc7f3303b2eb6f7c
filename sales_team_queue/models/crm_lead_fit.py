"""Best fit follows the deals: when a lead of a team routed by best fit is
won, lost or reopened (or a closed one changes hands), the win/loss counts of
its salesperson in that team are counted again (``crm.lead.fit.frequency``),
in the same transaction. Steps of the pipeline (``crm_lead_pipeline.py``)."""

from odoo import models

# Fields whose change can move a lead in or out of its salesperson's history.
FIT_FIELDS = frozenset({"active", "stage_id", "probability", "user_id", "team_id"})


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _fit_closed_pairs(self, team_ids):
        """(team id, user id) of the leads of ``self`` that are closed (won:
        active in a won stage; lost: archived with probability 0) in the teams
        ``team_ids``."""
        return {
            (lead.team_id.id, lead.user_id.id)
            for lead in self
            if lead.team_id.id in team_ids
            and lead.user_id
            and (
                (lead.active and lead.stage_id.is_won)
                or (not lead.active and not lead.probability)
            )
        }

    def _fit_prepare_write(self, vals):
        """Before a write of ``vals``: the salespeople whose history it may
        change (their closed leads), or None when it cannot change any."""
        team_ids = self.env["crm.team.queue"]._fit_team_ids()
        if not team_ids:
            return None
        Frequency = self.env["crm.lead.fit.frequency"]
        watched = FIT_FIELDS | {
            path.split(".")[0] for path in Frequency._fit_variables()
        }
        if not watched.intersection(vals):
            return None
        return team_ids, self._fit_closed_pairs(team_ids)

    def _fit_after_write(self, prepared):
        """After the write: count again the history of the salespeople whose
        closed leads it changed (before or after it)."""
        if prepared is None:
            return
        team_ids, before = prepared
        pairs = before | self._fit_closed_pairs(team_ids)
        if pairs:
            self.env["crm.lead.fit.frequency"].sudo()._fit_refresh(pairs=pairs)

    def _fit_on_create(self):
        """Leads created closed (an import of past deals) count at once."""
        team_ids = self.env["crm.team.queue"]._fit_team_ids()
        pairs = self._fit_closed_pairs(team_ids) if team_ids else set()
        if pairs:
            self.env["crm.lead.fit.frequency"].sudo()._fit_refresh(pairs=pairs)
