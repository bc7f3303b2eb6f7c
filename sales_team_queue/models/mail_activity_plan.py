"""Cadences: an activity plan of Odoo (``mail.activity.plan``) named by a queue
(``crm.team.queue.activity_plan_id``) or by the company
(``res.company.queue_activity_plan_id``) is launched for the new owner of each
lead they receive (``crm.lead._queue_alert``). Which plan may be named there,
and on which leads it is launched, is decided here, once."""

from odoo import _, models
from odoo.exceptions import ValidationError


class MailActivityPlan(models.Model):
    _inherit = "mail.activity.plan"

    def _queue_refusal(self, companies):
        """Why this plan (one or none) cannot be a cadence of leads of
        ``companies`` (``res.company``): it is for other documents, or of
        another company. None when it can."""
        plan = self.sudo()
        if not plan:
            return None
        if plan.res_model != "crm.lead":
            return _(
                "the activity plan %(plan)s is for %(model)s, not for leads: "
                "choose a plan of leads (CRM > Configuration > Activities > Activity "
                "Plans).",
                plan=plan.name,
                model=plan.res_model_id.name or plan.res_model,
            )
        if plan.company_id and plan.company_id not in companies:
            return _(
                "the activity plan %(plan)s belongs to %(plan_company)s: choose a "
                "plan of %(companies)s or of no company.",
                plan=plan.name,
                plan_company=plan.company_id.name,
                companies=", ".join(companies.mapped("name")) or _("no company"),
            )
        return None

    def _queue_check_for(self, companies, label):
        """Refuse (``ValidationError``) this plan as the cadence of ``label``
        (the queue or company that names it), for leads of ``companies``."""
        refusal = self._queue_refusal(companies)
        if refusal:
            raise ValidationError(
                _("%(record)s: %(refusal)s", record=label, refusal=refusal)
            )

    def _queue_usable(self):
        """This plan when it can be launched on leads now (active, for
        leads), else no plan: a plan archived or changed since it was chosen
        is skipped, it never stops an assignment."""
        plan = self.sudo()
        if plan.active and plan.res_model == "crm.lead":
            return plan
        return plan.browse()

    def _queue_applies_to(self, lead):
        """Whether this plan is launched on ``lead``: as Odoo's "Launch Plan"
        offers them, a plan of no company, or of the lead's company."""
        company = self.sudo().company_id
        return not company or not lead.company_id or lead.company_id == company
