"""Offers (a queue's ``offer_minutes``): the member routing picks gets the lead
as an offer - it is theirs, in state *Offered*, until they accept it
(:meth:`action_accept_offer`: the SLA, the activity and the cadence start
then) or decline it (:meth:`action_decline_offer`, with a reason); an offer
declined or not accepted by ``offer_deadline`` (:meth:`_timers_expire_offers`,
run on time by a trigger of the timers cron at the deadline) goes back to the
queue's pool and is routed again, never to whoever let it go. Every step is a
decision through the door, with its ledger line (``offer``, ``accepted``,
``declined``, ``expired``)."""

from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime

from .crm_lead_sla import TIMERS_CRON
from .values import Decision, Reason, clean_reason_text


class CrmLead(models.Model):
    _inherit = "crm.lead"

    queue_state = fields.Selection(
        selection_add=[("offered", "Offered"), ("assigned",)],
        ondelete={"offered": "set null"},
    )
    offer_user_id = fields.Many2one(
        "res.users",
        string="Offered To",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="While the lead is offered: the salesperson who must accept or "
        "decline it.",
    )
    offer_deadline = fields.Datetime(
        string="Accept Before",
        readonly=True,
        copy=False,
        help="While the lead is offered: when the offer goes to the next member.",
    )

    @api.depends("user_id", "queue_id", "offer_user_id")
    def _compute_queue_state(self):
        result = super()._compute_queue_state()
        for lead in self:
            if lead.offer_user_id:
                lead.queue_state = "offered"
        return result

    # ------------------------------------------------------------
    # THE DOOR'S STEPS
    # ------------------------------------------------------------

    @api.model
    def _queue_decision_values(self, decision, now, cache):
        vals = super()._queue_decision_values(decision, now, cache)
        if decision.method == "offer":
            minutes = decision.queue.sudo().offer_minutes
            vals["offer_user_id"] = decision.user.id
            vals["offer_deadline"] = now + timedelta(minutes=minutes)
        elif decision.lead.offer_user_id:
            vals.update(offer_user_id=False, offer_deadline=False)
        return vals

    @api.model
    def _sla_taken_up(self, lead):
        # an offer not accepted was never taken up: whoever receives the lead
        # instead (manual, wizard, handover) starts its SLA
        return super()._sla_taken_up(lead) and not lead.offer_user_id

    @api.model
    def _queue_alerts_owner(self, decision, previous):
        # an offer is alerted as such (_offer_notify); the activity and the
        # queue's alert come with the acceptance
        if decision.method == "offer":
            return False
        if decision.method == "accepted":
            return True
        return super()._queue_alerts_owner(decision, previous)

    @api.model
    def _queue_after_write_decisions(self, decisions):
        result = super()._queue_after_write_decisions(decisions)
        offers = [decision for decision in decisions if decision.method == "offer"]
        if offers:
            self._offer_notify(offers)
        return result

    @api.model
    def _offer_notify(self, offers):
        """Tell each member offered leads, once, listing them and the deadline;
        wake the timers at each deadline."""
        by_user = defaultdict(lambda: self.env["crm.lead"])
        for decision in offers:
            by_user[decision.user] |= decision.lead
        for user, leads in by_user.items():
            if user != self.env.user and user.active:
                leads._offer_notify_user(user)
        deadlines = sorted({decision.lead.offer_deadline for decision in offers})
        self.env.ref(TIMERS_CRON).sudo()._trigger(deadlines)

    def _offer_notify_user(self, user):
        """One notification to ``user`` listing the leads of ``self`` offered
        to them, in their language and time zone."""
        partner = user.partner_id
        leads = self.sudo().with_context(lang=partner.lang or self.env.lang)
        deadline = format_datetime(
            leads.env,
            min(leads.mapped("offer_deadline")),
            tz=user.tz,
            dt_format="short",
        )
        subject = leads.env._("%(count)s lead(s) offered to you", count=len(leads))
        intro = leads.env._(
            "Accept before %(deadline)s (or open the lead to decline it, with a "
            "reason): after that, it goes to the next salesperson.",
            deadline=deadline,
        )
        accept = leads.env._("Accept")
        links = {
            lead.id: Markup('<a href="/sales_team_queue/offer/%s/accept">%s</a>')
            % (lead.id, accept)
            for lead in leads
        }
        thread = leads if len(leads) == 1 else self.env["mail.thread"]
        thread.sudo().message_notify(
            partner_ids=partner.ids,
            author_id=self.env.user.partner_id.id,
            subject=subject,
            body=leads._queue_lead_list_body(intro, links),
            subtype_xmlid="mail.mt_note",
            email_layout_xmlid="mail.mail_notification_light",
        )

    # ------------------------------------------------------------
    # ACCEPT, DECLINE, EXPIRE
    # ------------------------------------------------------------

    def action_accept_offer(self):
        """Accept the offers of ``self`` made to the current user (RPC): the
        leads become theirs for good; the SLA, the activity and the cadence of
        the queue start now."""
        self._offer_answered(accept=True)._offer_accept()
        return True

    def _offer_accept(self):
        """The offers of the leads of ``self`` (offered, as superuser) are
        accepted: a decision ``accepted`` through the door."""
        now = fields.Datetime.now()
        offered = self._offer_start_dates()
        decisions = [
            Decision(
                lead,
                lead.user_id,
                lead.queue_id,
                method="accepted",
                reason=Reason(
                    "offer_accepted",
                    {"minutes": int((now - offered[lead.id]).total_seconds() // 60)},
                ),
            )
            for lead in self
        ]
        self.env["crm.lead"].sudo()._queue_assign_batch(decisions, notify=False)

    # --- a follow-up by the offered rep is their acceptance ---------

    def _sla_awaits_follow_up(self):
        return super()._sla_awaits_follow_up() or bool(self.offer_user_id)

    def _sla_mark_met(self):
        # The rep worked the lead offered to them (a stage, a note or e-mail, an
        # activity done, won or lost: what meets an SLA) without clicking
        # Accept: they took it up, the offer is accepted, and the SLA it starts
        # is met at once.
        offered = self.sudo().filtered(
            lambda lead: lead.offer_user_id and lead.offer_user_id == lead.user_id
        )
        if offered:
            offered._offer_accept()
        return super()._sla_mark_met()

    def action_decline_offer(self, reason):
        """Decline the offers of ``self`` made to the current user (RPC), with
        ``reason`` (plain text, required): each lead goes to the next eligible
        member of its queue, never back to them."""
        text = clean_reason_text(self.env, reason)
        if not text:
            raise UserError(
                _(
                    "Say why you decline the lead: the team leader reads it in the "
                    "assignment history."
                )
            )
        leads = self._offer_answered(accept=False)
        user = Reason.ref(self.env.user)
        leads._offer_let_go(
            "declined",
            dict.fromkeys(
                leads.ids, Reason("offer_declined", {"user": user, "text": text})
            ),
        )
        return True

    def _offer_answered(self, accept):
        """The leads of ``self``, locked (an expiry running at the same time
        waits, or this transaction is retried), once each is checked to be
        offered to the current user (and, to ``accept``, still in time):
        checked before the lock too, so that a refused answer holds no lead.

        :return: the leads, as superuser
        """
        self.check_access("read")
        leads = self.sudo()
        leads._offer_check_answerable(accept)
        # (a serialization failure is Odoo's to retry: not an error to log)
        self.env.cr.execute(
            SQL("SELECT id FROM crm_lead WHERE id = ANY(%s) FOR UPDATE", leads.ids),
            log_exceptions=False,
        )
        leads.invalidate_recordset()
        leads._offer_check_answerable(accept)
        return leads

    def _offer_check_answerable(self, accept):
        """Refuse (``UserError``) the answer of the current user to the offers
        of ``self`` (as superuser) when one is not offered to them or, to
        ``accept``, has expired."""
        now = fields.Datetime.now()
        for lead in self:
            if not lead.offer_user_id:
                raise UserError(
                    _(
                        "%(lead)s is no longer waiting for an answer: its offer was "
                        "accepted, declined or expired.",
                        lead=lead.display_name,
                    )
                )
            if lead.offer_user_id != self.env.user:
                raise UserError(
                    _(
                        "%(lead)s is offered to %(user)s: only they can accept or "
                        "decline it.",
                        lead=lead.display_name,
                        user=lead.offer_user_id.name,
                    )
                )
            if accept and lead.offer_deadline <= now:
                raise UserError(
                    _(
                        "The offer of %(lead)s expired at %(time)s: it goes to the "
                        "next salesperson.",
                        lead=lead.display_name,
                        time=format_datetime(
                            self.env, lead.offer_deadline, dt_format="short"
                        ),
                    )
                )

    def _offer_start_dates(self):
        """When each lead of ``self`` was offered: its last ``offer`` line."""
        lines = (
            self.env["crm.lead.assignment"]
            .sudo()
            .search([("lead_id", "in", self.ids), ("method", "=", "offer")], order="id")
        )
        now = fields.Datetime.now()
        started = {line.lead_id.id: line.create_date for line in lines}
        return {lead.id: started.get(lead.id, now) for lead in self}

    def _offer_let_go(self, method, reasons):
        """The leads of ``self`` (offered, locked) leave whoever let the offer
        go: back to their queue's pool (a ledger line ``method`` with the
        reason in ``reasons``, {lead id: Reason}), then routed again."""
        no_user = self.env["res.users"]
        decisions = [
            Decision(
                lead, no_user, lead.queue_id, method=method, reason=reasons[lead.id]
            )
            for lead in self
        ]
        self.env["crm.lead"].sudo()._queue_assign_batch(decisions, notify=False)
        self.sudo()._queue_route()

    # --- the timers: offers not answered in time -------------------

    @api.model
    def _timers_phases(self):
        return [self._timers_expire_offers, *super()._timers_phases()]

    @api.model
    def _timers_expire_offers(self, limit, outbox):
        """Offers not answered by their deadline go back to their queue's
        pool and are routed again (ledger method ``expired``).
        :return: (selected, handled)"""
        leads = self._timers_select(
            SQL(
                "l.offer_user_id IS NOT NULL AND l.active AND l.offer_deadline <= %s",
                fields.Datetime.now(),
            ),
            SQL("l.offer_deadline, l.id"),
            limit,
        )
        if not leads:
            return 0, 0
        leads = leads.sudo()
        offered = leads._offer_start_dates()
        reasons = {
            lead.id: Reason(
                "offer_expired",
                {
                    "user": Reason.ref(lead.offer_user_id),
                    "minutes": int(
                        (lead.offer_deadline - offered[lead.id]).total_seconds() // 60
                    ),
                },
            )
            for lead in leads
        }
        leads._offer_let_go("expired", reasons)
        return len(leads), len(leads)
