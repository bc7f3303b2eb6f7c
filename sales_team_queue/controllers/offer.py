"""Accepting an offer from its notification: the *Accept* link of each lead
offered to a rep (an e-mail or the Odoo inbox) accepts it in one click, as the
rep (``crm.lead.action_accept_offer`` checks that the offer is theirs and still
in time), then opens the lead; declining needs a reason, so the notification
opens the lead for it."""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request


class OfferController(http.Controller):
    @http.route(
        "/sales_team_queue/offer/<int:lead_id>/accept",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def accept_offer(self, lead_id):
        lead = request.env["crm.lead"].browse(lead_id)
        try:
            lead.action_accept_offer()
        except (AccessError, MissingError):
            raise request.not_found() from None
        except UserError:
            # no longer offered to them (accepted, declined, expired): the lead
            # shows its state
            request.env.cr.rollback()
        return request.redirect(f"/odoo/crm/{lead_id}")
