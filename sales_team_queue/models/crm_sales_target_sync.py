"""Targets stay current: every change that can change what a target achieved
marks the targets concerned as stale (``crm.sales.target._mark_achieved_stale``);
the ORM computes them again, all at once, before they are next read or when the
transaction ends, so RPC clients, reports and screens read the true figures.

The changes: a deal won, lost, reopened, archived, restored or deleted, its
salesperson, team, company, expected revenue or close date changed (created
already won, too); a stage becoming won or no longer won; a currency rate
(deals of other currencies are converted)."""

from odoo import api, models

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
            )
        )._mark_achieved_stale()

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


class CrmStage(models.Model):
    _inherit = "crm.stage"

    def write(self, vals):
        result = super().write(vals)
        if "is_won" in vals:
            # Rare and global: every target may count deals of these stages.
            self.env["crm.sales.target"].sudo().search([])._mark_achieved_stale()
        return result


class ResCurrencyRate(models.Model):
    _inherit = "res.currency.rate"

    @api.model
    def _target_mark_stale(self, days):
        """A rate converts the deals won from its day on."""
        if days:
            Target = self.env["crm.sales.target"].sudo()
            Target.search([("date_to", ">=", min(days))])._mark_achieved_stale()

    @api.model_create_multi
    def create(self, vals_list):
        rates = super().create(vals_list)
        self._target_mark_stale(rates.mapped("name"))
        return rates

    def write(self, vals):
        days = self.sudo().mapped("name")
        result = super().write(vals)
        self._target_mark_stale(days + self.sudo().mapped("name"))
        return result

    def unlink(self):
        # Marked after: unlink flushes (and so computes what is marked) first.
        days = self.sudo().mapped("name")
        result = super().unlink()
        self._target_mark_stale(days)
        return result
