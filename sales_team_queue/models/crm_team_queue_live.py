"""The live pool on the queue: members are told of new leads in the pools they may
claim from (see crm_lead_pool_live.py)."""

from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models

from .crm_lead import lead_list_html
from .crm_lead_pool_live import NOTIFY_LIST_MAX


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    notify_pool_members = fields.Boolean(
        string="Notify Members of New Pool Leads",
        help="When leads enter this queue's pool, send each member who can claim "
        "them now (available, within the claim window, under their limits) one "
        "Odoo notification (inbox or e-mail, as they chose in their preferences) "
        "listing them, with a link to each card.",
    )

    @api.model
    def _live_notify_members(self, entered):
        """Notify the members who can claim now the leads of ``entered``
        ({queue id: lead ids}) still waiting in those pools: one notification
        per rep, whatever the number of queues and leads."""
        queues = self.sudo().browse(sorted(entered)).exists()
        queues = queues.filtered(
            lambda queue: queue.active and queue.notify_pool_members
        )
        found = defaultdict(list)
        for queue in queues:
            leads = (
                self.env["crm.lead"]
                .sudo()
                .browse(sorted(entered[queue.id]))
                .exists()
                .filtered(
                    lambda lead, queue=queue: lead.queue_id == queue
                    and lead.queue_state == "pool"
                    and lead.active
                    # the entry recorded, not one undone since (a savepoint
                    # rolled back) that left an older lead in the pool
                    and lead.pool_date == entered[queue.id][lead.id][0]
                )
                .sorted(lambda lead: (lead.pool_date, lead.id))
            )
            if not leads:
                continue
            listed = leads[:NOTIFY_LIST_MAX]
            for user in queue._live_notify_candidates():
                refusals = listed._queue_claim_refusals(user=user)
                # (not the leads the rep put in the pool themselves: released)
                claimable = listed.filtered(
                    lambda lead, r=refusals, u=user, q=queue: not r[lead.id]
                    and entered[q.id][lead.id][1] != u.id
                )
                if claimable:
                    found[user].append((queue, claimable, len(leads)))
        for user, items in found.items():
            self._live_notify_member(user, items)

    def _live_notify_candidates(self):
        """The users who may be told of new leads in this queue's pool: its
        available members, active, still in its team and in its company (the
        claim rules then decide, lead by lead)."""
        self.ensure_one()
        team_users = self.team_id.member_ids | self.team_id.user_id
        members = self.member_ids.filtered(
            lambda member: member.active
            and member.user_id.active
            and not member.user_id.share
            and member.user_id in team_users
            and (not self.company_id or self.company_id in member.user_id.company_ids)
        )
        return members.user_id

    @api.model
    def _live_notify_member(self, user, items):
        """One notification to ``user`` (in their language) listing the new
        leads they can claim: ``items`` is a list of (queue, leads they can
        claim, number of leads that entered)."""
        partner = user.partner_id
        subject, body = self.with_context(
            lang=partner.lang or self.env.lang
        )._live_notify_content(items)
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=partner.ids,
            author_id=self.env.ref("base.partner_root").id,
            subject=subject,
            body=body,
            subtype_xmlid="mail.mt_note",
            email_layout_xmlid="mail.mail_notification_light",
        )

    @api.model
    def _live_notify_content(self, items):
        """Subject and body of a rep's notification (see
        :meth:`_live_notify_member`), in the language of the context: each
        lead by its card's title and queue, linked to its card, never the
        lead's contact."""
        action = "action-sales_team_queue.crm_lead_action_pool"
        count = sum(len(leads) for _queue, leads, _total in items)
        more = sum(max(total - NOTIFY_LIST_MAX, 0) for _q, _l, total in items)
        rows = [
            (
                f"/odoo/{action}/{lead.id}",
                lead.name,
                f" ({queue.with_env(self.env).name})",
            )
            for queue, leads, _total in items
            for lead in leads
        ]
        body = lead_list_html(
            _("%(count)s new lead(s) you can claim now:", count=count),
            rows,
            more and _("and %(count)s more lead(s) in the pool", count=more),
            Markup('<a href="/odoo/%s">%s</a>') % (action, _("Open the Lead Pool")),
        )
        return _("New leads to claim in the pool"), body
