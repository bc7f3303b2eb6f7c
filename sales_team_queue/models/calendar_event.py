"""Meetings of private pool leads: hidden from the reps who may not read the lead (pool
privacy, see crm_lead_pool_privacy.py)."""

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.osv import expression


class CalendarEvent(models.Model):
    _name = "calendar.event"
    _inherit = ["calendar.event", "crm.lead.pool.hidden.mixin"]

    @api.constrains("opportunity_id", "res_model_id", "res_id")
    def _pool_check_lead_links(self):
        """A user links a meeting only to a lead they may read: Odoo shows the
        linked lead's name to whoever reads the meeting, and logs the meeting
        in its chatter. A private pool lead the user may not read is refused
        (pool privacy), without saying which lead it is."""
        if self.env.su:
            return
        lead_ids = set().union(*(event._pool_lead_ids() for event in self.sudo()))
        if self.env["crm.lead"]._pool_hidden_ids(list(lead_ids)):
            raise UserError(
                _(
                    "This lead waits in a private pool: you cannot link a meeting "
                    "to it. Claim it first, or ask its team leader to plan the "
                    "meeting."
                )
            )

    def _pool_lead_ids(self):
        """Ids of the leads the meeting ``self`` is about: its opportunity,
        or the lead of the activity it was planned from."""
        lead_ids = set(self.opportunity_id.ids)
        if self.res_model == "crm.lead" and self.res_id:
            lead_ids.add(self.res_id)
        return lead_ids

    @api.depends("opportunity_id", "res_model", "res_id", "user_id", "partner_ids")
    @api.depends_context("uid")
    def _compute_pool_hidden(self):
        # A meeting is hidden with its lead (_pool_lead_ids); never from its
        # organizer and attendees, who see it as Odoo shows it.
        events = self.sudo()
        linked = [event._pool_lead_ids() for event in events]
        hidden = self.env["crm.lead"]._pool_hidden_ids(list(set().union(*linked)))
        user = self.env.user
        for event, event_sudo, lead_ids in zip(self, events, linked, strict=True):
            event.pool_hidden = bool(lead_ids & hidden) and not (
                event_sudo.user_id == user or user.partner_id in event_sudo.partner_ids
            )

    @api.model
    def _pool_hidden_references(self, references):
        """The ``(model, id)`` pairs among ``references`` that name a private
        pool lead, or a meeting of one, the user may not read."""
        lead_ids = [res_id for model, res_id in references if model == "crm.lead"]
        event_ids = [
            res_id for model, res_id in references if model == "calendar.event"
        ]
        hidden = {
            ("crm.lead", lead_id)
            for lead_id in self.env["crm.lead"]._pool_hidden_ids(lead_ids)
        }
        if (
            event_ids
            and self.env["crm.team.queue"].sudo()._get_private_pool_queue_ids()
        ):
            events = self.sudo().browse(event_ids).exists()
            hidden.update(
                ("calendar.event", event.id) for event in events.filtered("pool_hidden")
            )
        return hidden

    @api.model
    def _pool_hidden_reference_domain(self, model_field, id_field, hidden):
        """Search method of ``pool_hidden`` on the models that point at a
        document by model name and id: the records on a private pool lead, or
        on a meeting of one, the user may not read."""
        leads = self.env["crm.lead"]._pool_hidden_reference_domain(
            model_field, id_field, hidden
        )
        if leads in (expression.FALSE_DOMAIN, expression.TRUE_DOMAIN):
            return leads  # no queue hides its pool
        events = (
            self.sudo()
            .with_context(active_test=False)
            ._search([("pool_hidden", "=", True)])
        )
        on_events = [(model_field, "=", "calendar.event"), (id_field, "in", events)]
        if hidden:
            return expression.OR([leads, on_events])
        return expression.AND([leads, ["!", *expression.normalize_domain(on_events)]])

    @api.model
    def _pool_hidden_domain(self, positive):
        hidden = self.env["crm.lead"]._pool_hidden_query()
        if hidden is None:
            return expression.FALSE_DOMAIN if positive else expression.TRUE_DOMAIN
        # linked by its opportunity, or as the meeting of an activity on the
        # lead; the organizer and the attendees see it
        on_hidden_lead = [
            "|",
            ("opportunity_id", "in", hidden),
            "&",
            ("res_model", "=", "crm.lead"),
            ("res_id", "in", hidden),
        ]
        invited = [
            "|",
            ("user_id", "=", self.env.uid),
            ("partner_ids", "in", self.env.user.partner_id.ids),
        ]
        if positive:
            return expression.AND([on_hidden_lead, ["!", *invited]])
        not_on_hidden_lead = [
            "&",
            "|",
            ("opportunity_id", "=", False),
            ("opportunity_id", "not in", hidden),
            "|",
            "|",
            ("res_model", "!=", "crm.lead"),
            ("res_id", "=", False),
            ("res_id", "not in", hidden),
        ]
        return expression.OR([not_on_hidden_lead, invited])
