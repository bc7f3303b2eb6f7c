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

from odoo import SUPERUSER_ID, api, models

from .after_commit import after_commit_value

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
        return after_commit_value(self.env, LIVE_KEY, PoolChanges, _tell_after_commit)

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
