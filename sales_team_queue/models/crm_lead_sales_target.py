"""Leads feed the sales targets: a change of the fields a target counts marks its
figures stale (recomputed after commit, crm_sales_target_sync.py)."""

from odoo import api, models

from .crm_sales_target_sync import TARGET_LEAD_FIELDS


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _target_scope(self):
        """``(users, teams, close dates)`` of those of these leads that a
        target may count: won and closed (archived ones too, when they are
        restored or were just archived)."""
        won = self.sudo().filtered(
            lambda lead: lead.date_closed and lead.stage_id.is_won
        )
        return (
            won.user_id,
            won.team_id,
            {day.date() for day in won.mapped("date_closed")},
        )

    @api.model
    def _target_mark_stale(self, *scopes):
        """Mark the targets that count deals of ``scopes`` (see
        :meth:`_target_scope`) stale: one search, whatever the number of leads."""
        users = self.env["res.users"]
        teams = self.env["crm.team"]
        dates = set()
        for scope_users, scope_teams, scope_dates in scopes:
            users |= scope_users
            teams |= scope_teams
            dates |= scope_dates
        if not dates:
            return
        Target = self.env["crm.sales.target"].sudo()
        Target.search(
            Target._stale_targets_domain(
                users.sudo(), teams.sudo(), min(dates), max(dates)
            ),
            order="id",
        )._mark_achieved_stale_or_later()

    # Steps of the pipeline (crm_lead_pipeline.py)

    def _target_on_create(self):
        """Create step: leads created won count at once."""
        self._target_mark_stale(self._target_scope())

    def _target_prepare_write(self, vals):
        """Write step, before: what the targets counted of these leads, when
        ``vals`` may change it (None otherwise)."""
        if not TARGET_LEAD_FIELDS.intersection(vals):
            return None
        return self._target_scope()

    def _target_after_write(self, before):
        """Write step, after: the targets of before and after are stale."""
        if before is not None:
            self._target_mark_stale(before, self._target_scope())
