"""Offers of a queue (``offer_minutes``): routing offers the lead to the member
it picks, who accepts or declines it (``crm_lead_offer.py``); an offer not
accepted in time, or declined, goes to the next eligible member, never back
to whoever let it go (:meth:`_routing_rule_let_offer_go`)."""

from odoo import api, fields, models
from odoo.tools import SQL

from .values import Reason


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    offer_minutes = fields.Integer(
        string="Offer Time (minutes)",
        help="0: the member routing picks gets the lead at once. Otherwise the lead "
        "is offered to them: they accept it (its SLA starts then) or decline it, "
        "from the lead or on their phone, within that many minutes; an offer "
        "declined or not accepted in time goes to the next eligible member, never "
        "back to whoever let it go. E.g. 10.",
    )

    @api.model
    def _queue_cached_fields(self):
        return super()._queue_cached_fields() | {"offer_minutes"}

    @api.model
    def _routing_config_values(self, queue):
        values = super()._routing_config_values(queue)
        values["offer_minutes"] = queue.offer_minutes
        return values

    @api.model
    def _routing_decision_method(self, config):
        return (
            "offer"
            if config.offer_minutes
            else super()._routing_decision_method(config)
        )

    @api.model
    def _get_timers_domain(self):
        # offers expire on time (a trigger at each deadline)
        return ["|", ("offer_minutes", ">", 0), *super()._get_timers_domain()]

    @api.model
    def _timers_needed(self):
        # offers made before the queue stopped making them (or was archived)
        # still expire
        return super()._timers_needed() or bool(
            self.env["crm.lead"].search_count([("offer_user_id", "!=", False)], limit=1)
        )

    @api.model
    def _get_routing_eligibility_rules(self):
        return [*super()._get_routing_eligibility_rules(), "_routing_rule_let_offer_go"]

    @api.model
    def _routing_rule_let_offer_go(self, state, config, member, lead):
        if member.user_id in state.passed.get(lead.id, ()):
            user = {"model": "res.users", "id": member.user_id}
            return Reason("member_let_offer_go", {"user": user})

    @api.model
    def _get_passed_offers(self, leads, configs):
        """The users who declined an offer of each of ``leads`` or let it
        expire (the lines ``declined`` and ``expired``): routing never offers
        it to them again. Read for the leads of a queue only, when one
        of the queues ``configs`` (QueueConfig) that routing involves makes
        offers (no query otherwise).

        :return: dict {lead id: set of user ids}
        """
        if not any(config.offer_minutes for config in configs):
            return {}
        # in a pool, or planned again (the SLA's reassign, the dispatch)
        queued = [lead.id for lead in leads if lead.queue_id]
        if not queued:
            return {}
        self.env["crm.lead.assignment"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT lead_id, array_agg(DISTINCT previous_user_id)
                     FROM crm_lead_assignment
                    WHERE lead_id = ANY(%s) AND method IN ('declined', 'expired')
                      AND previous_user_id IS NOT NULL
                    GROUP BY lead_id""",
                queued,
            )
        )
        return {lead_id: set(users) for lead_id, users in self.env.cr.fetchall()}
