"""The live pool: every open Lead Pool screen follows the pools without reload,
and the members of a queue that asks for it are told when leads enter its pool.

What changes the pool is seen in the one write pipeline of ``crm.lead``
(``crm_lead_pipeline.py`` calls the ``_live_*`` steps below on create, write
and unlink): a lead enters a pool when it gets a queue and no salesperson
(the door writes ``pool_date``), leaves it when it gets a salesperson, loses
its queue, is archived or deleted; a change of what a card shows (title,
revenue, priority...) changes the pool too. The changes of a transaction are
gathered in its post-commit data and, once it has committed (never when it
is rolled back), told in a short transaction of its own:

- one bus message per company whose pools changed (a handful for a routing
  of 10 000 leads), on the channel ``(company, "sales_team_queue_pool")``,
  to which only the internal sales users of that company subscribe (see
  :class:`IrWebsocket`); it carries nothing (no lead, queue or number: a
  subscriber may not see every pool of the company): the screens read the
  cards again through the record rules;
- with ``crm.team.queue.notify_pool_members``, one Odoo notification (inbox,
  or e-mail as each rep chose) per rep who can claim the new leads now,
  listing them by their card (title and queue, no contact).
"""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import SUPERUSER_ID, _, api, fields, models

_logger = logging.getLogger(__name__)

# Post-commit data key: the PoolChanges of the transaction.
LIVE_KEY = "sales_team_queue.pool_live"
# The channel a pool screen asks for, replaced on subscription by the
# company channels of the user (IrWebsocket._build_bus_channel_list).
POOL_CHANNEL = "sales_team_queue.pool"
POOL_SUBCHANNEL = "sales_team_queue_pool"
POOL_CHANGED = "sales_team_queue/pool_changed"
# A rep's notification checks and lists this many leads per queue at most.
NOTIFY_LIST_MAX = 20
# What a pool card shows or depends on (crm.lead.pool.card): a write of one of
# these fields may change the pools.
LIVE_FIELDS = frozenset(
    {
        "active",
        "user_id",
        "queue_id",
        "pool_date",
        "team_id",
        "company_id",
        "name",
        "country_id",
        "expected_revenue",
        "priority",
        "tag_ids",
        "is_vip",
    }
)


class PoolChanges:
    """The pool changes of one transaction: per company id (False: leads of
    no company), the ids of the leads and queues whose pool changed; per
    queue id of a queue that notifies its members, the leads that entered its
    pool ({lead id: (pool date, id of the user who put it there)})."""

    def __init__(self):
        self.companies = defaultdict(lambda: (set(), set()))
        self.entered = defaultdict(dict)

    def add(self, company_id, lead_id, queue_id):
        lead_ids, queue_ids = self.companies[company_id]
        lead_ids.add(lead_id)
        if queue_id:
            queue_ids.add(queue_id)


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
        lines = Markup("").join(
            Markup('<li><a href="/odoo/%s/%s">%s</a> (%s)</li>')
            % (action, lead.id, lead.name, queue.with_env(self.env).name)
            for queue, leads, _total in items
            for lead in leads
        )
        if more:
            lines += Markup("<li>%s</li>") % _(
                "and %(count)s more lead(s) in the pool", count=more
            )
        body = Markup('<p>%s</p><ul>%s</ul><p><a href="/odoo/%s">%s</a></p>') % (
            _("%(count)s new lead(s) you can claim now:", count=count),
            lines,
            action,
            _("Open the Lead Pool"),
        )
        return _("New leads to claim in the pool"), body


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # PIPELINE STEPS (called by crm_lead_pipeline.py)
    # ------------------------------------------------------------

    def _live_on_create(self):
        """Create step, after routing: the new leads waiting in a pool."""
        self._live_record({}, self._live_snapshot())

    def _live_prepare_write(self, vals):
        """Write step, before: the pool state of the leads when ``vals`` may
        change what the pool shows (None otherwise)."""
        if LIVE_FIELDS.isdisjoint(vals):
            return None
        return self._live_snapshot()

    def _live_after_write(self, before):
        """Write step, after: what changed in the pools."""
        if before is not None:
            self._live_record(before, self._live_snapshot())

    def _live_on_unlink(self):
        """Unlink step, before: the deleted leads leave their pool."""
        self._live_record(self._live_snapshot(), {})

    # ------------------------------------------------------------

    def _live_snapshot(self):
        """{lead id: (queue id, pool date, company id)} of the leads of
        ``self`` that a pool card shows (active, waiting in a pool)."""
        return {
            lead.id: (lead.queue_id.id, lead.pool_date, lead.company_id.id)
            for lead in self.sudo()
            if lead.id and lead.active and lead.queue_state == "pool"
        }

    @api.model
    def _live_record(self, before, after):
        """Add to the transaction's :class:`PoolChanges` the leads in a pool
        ``before`` or ``after`` a change (see :meth:`_live_snapshot`); a lead
        whose queue or pool date differs after it entered that pool (kept for
        the members' notification when its queue asks for it)."""
        if not before and not after:
            return
        changes = self._live_changes()
        Queue = self.env["crm.team.queue"].sudo()
        for lead_id, (queue_id, _date, company_id) in before.items():
            changes.add(company_id, lead_id, queue_id)
        for lead_id, (queue_id, pool_date, company_id) in after.items():
            changes.add(company_id, lead_id, queue_id)
            if (
                before.get(lead_id, (None, None))[:2] != (queue_id, pool_date)
                and Queue.browse(queue_id).notify_pool_members
            ):
                changes.entered[queue_id][lead_id] = (pool_date, self.env.uid)

    @api.model
    def _live_changes(self):
        """The :class:`PoolChanges` of the current transaction, told once it
        has committed (:func:`_tell_after_commit`)."""
        postcommit = self.env.cr.postcommit
        changes = postcommit.data.get(LIVE_KEY)
        if changes is None:
            changes = postcommit.data[LIVE_KEY] = PoolChanges()
            registry = self.env.registry
            postcommit.add(lambda: _tell_after_commit(registry, changes))
        return changes

    @api.model
    def _live_send(self, changes):
        """One bus message per company whose pools changed (see the module
        docstring), with nothing in it: every sales user of the company hears
        it, also of pools they may not see (restricted, private), so it names
        no lead, no queue and no number; the screens read the cards again
        through the record rules."""
        Bus = self.env["bus.bus"].sudo()
        for company_id in sorted(changes.companies):
            Bus._sendone(
                (self._live_channel_record(company_id), POOL_SUBCHANNEL),
                POOL_CHANGED,
                {},
            )

    @api.model
    def _live_channel_record(self, company_id):
        """The record whose channel tells the pool changes of ``company_id``:
        the company, or the salesmen's group for leads of no company (which
        every company sees)."""
        if company_id:
            return self.env["res.company"].browse(company_id)
        return self.env.ref("sales_team.group_sale_salesman")


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        if POOL_CHANNEL in channels:
            channels = self._live_pool_channels(channels)
        return super()._build_bus_channel_list(channels)

    def _live_pool_channels(self, channels):
        """``channels`` where the ``POOL_CHANNEL`` a pool screen asks for is
        replaced by the pool channels of the companies the user works in (and
        of the leads of no company) for an internal sales user, by nothing for
        anybody else."""
        channels = [channel for channel in channels if channel != POOL_CHANNEL]
        user = self.env.user
        if (
            user
            and user._is_internal()
            and user.has_group("sales_team.group_sale_salesman")
        ):
            Lead = self.env["crm.lead"]
            channels.extend(
                (Lead._live_channel_record(company.id), POOL_SUBCHANNEL)
                for company in user.company_ids
            )
            channels.append((Lead._live_channel_record(False), POOL_SUBCHANNEL))
        return channels


def _tell_after_commit(registry, changes):
    """Post-commit hook: tell the pool changes of a committed transaction (a
    bus message per company, then the members' notifications), each in a
    short transaction of its own. Never raises: the change is committed, and
    a screen that misses it shows it at its next reload."""
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.lead"]._live_send(changes)
    except Exception:
        _logger.exception("Live pool: the open pool screens could not be told")
    if not changes.entered:
        return
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.team.queue"]._live_notify_members(changes.entered)
    except Exception:
        _logger.exception("Live pool: the members could not be told of new leads")
