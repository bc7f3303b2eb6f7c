"""The pool card: what the Lead Pool shows of a lead waiting in a pool, and
nothing more. Reps browse and claim the pool through it, so that a pool that
hides contact details (``crm.team.queue.pool_hide_contact``) can keep the lead
itself out of their reach (see ``crm_lead_pool_privacy.py``): the card holds no
contact field, whatever the pool.

A SQL view, one row per active lead waiting in a pool, whose id is the lead's
id. Who sees which card is said by the record rules of
``security/sales_team_queue_security.xml``; seeing a card is the right to try
to claim its lead (``crm.lead._queue_claim``)."""

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm.models import crm_stage


class CrmLeadPoolCard(models.Model):
    _name = "crm.lead.pool.card"
    _description = "Lead Pool Card"
    _auto = False
    _order = "pool_date asc, id asc"
    # flushed before the view is read
    _depends = {
        "crm.lead": [
            "name",
            "country_id",
            "expected_revenue",
            "priority",
            "tag_ids",
            "queue_id",
            "team_id",
            "company_id",
            "pool_date",
            "is_vip",
            "queue_state",
            "active",
            "user_id",
        ],
    }

    name = fields.Char(string="Title", readonly=True)
    lead_id = fields.Many2one(
        "crm.lead",
        string="Lead",
        readonly=True,
        help="The lead of the card: readable once claimed (or by its team leader).",
    )
    country_id = fields.Many2one("res.country", string="Country", readonly=True)
    expected_revenue = fields.Monetary(
        string="Expected Revenue", currency_field="company_currency", readonly=True
    )
    company_currency = fields.Many2one(
        "res.currency", string="Currency", compute="_compute_company_currency"
    )
    priority = fields.Selection(
        crm_stage.AVAILABLE_PRIORITIES, string="Priority", readonly=True
    )
    tag_ids = fields.Many2many(
        "crm.tag", "crm_tag_rel", "lead_id", "tag_id", string="Tags", readonly=True
    )
    queue_id = fields.Many2one("crm.team.queue", string="Queue", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    pool_date = fields.Datetime(string="In Pool Since", readonly=True)
    is_vip = fields.Boolean(string="VIP", readonly=True)
    pool_waiting = fields.Char(
        string="Waiting",
        compute="_compute_from_lead",
        help="How long the lead has been waiting in the pool.",
    )
    pool_return_user_id = fields.Many2one(
        "res.users",
        string="Came Back From",
        compute="_compute_from_lead",
        help="The salesperson the lead came back to the pool from (released or "
        "recycled), when it came back.",
    )
    pool_return_reason = fields.Char(
        string="Came Back Because",
        compute="_compute_from_lead",
        help="Why the lead came back to the pool.",
    )
    claim_block_reason = fields.Char(
        string="Cannot Claim Because",
        compute="_compute_from_lead",
        help="Why you cannot claim this lead now, and when you will be able to "
        "(empty when you can).",
    )
    claim_block_rule = fields.Char(
        string="Cannot Claim: Rule",
        compute="_compute_from_lead",
        help="Which claim rule refuses the lead now: one of the whole queue (claim "
        "window, pause, your limits) or one of this lead (VIP tier, skills, "
        "cooldown).",
    )

    lead_readable = fields.Boolean(
        string="Lead Readable",
        compute="_compute_lead_readable",
        help="Whether you may open the lead itself (a pool that hides contact "
        "details keeps it from the reps until one of them claims it).",
    )

    @property
    def _table_query(self):
        return SQL(
            """SELECT lead.id, lead.id AS lead_id, lead.name, lead.country_id,
                      lead.expected_revenue, lead.priority, lead.queue_id,
                      lead.team_id, lead.company_id, lead.pool_date, lead.is_vip
                 FROM crm_lead lead
                WHERE lead.queue_state = 'pool' AND lead.active"""
        )

    def _compute_company_currency(self):
        default = self.env.company.currency_id
        for card in self:
            card.company_currency = card.company_id.currency_id or default

    @api.depends_context("uid", "lang")
    def _compute_from_lead(self):
        """The lead's own computes (wait, return, the claim rules for the
        current user), read on the lead in sudo: the card shows what they say
        and nothing else of the lead."""
        for card, lead in zip(self, self._pool_leads(), strict=True):
            card.pool_waiting = lead.pool_waiting
            card.pool_return_user_id = lead.pool_return_user_id.id
            card.pool_return_reason = lead.pool_return_reason
            card.claim_block_reason = lead.claim_block_reason
            card.claim_block_rule = lead.claim_block_rule

    @api.depends_context("uid")
    def _compute_lead_readable(self):
        readable = self.env["crm.lead"].browse(self.ids)._filtered_access("read")
        for card in self:
            card.lead_readable = card.id in readable.ids

    def _pool_leads(self):
        """The leads of the cards, in sudo (the user's uid is kept, so the
        claim rules are the current user's)."""
        return self.env["crm.lead"].sudo().browse(self.ids)

    def action_claim(self):
        """Claim the leads of the cards for the current user (see
        ``crm.lead.action_claim``). Callable by RPC.

        :return: a notification that the leads were claimed, with a link to
            each (or, when some were refused, the lead's own notification that
            lists them and why)
        :raise UserError: when no lead could be claimed (saying why)
        """
        return self._claim_then("_claimed_notification")

    def action_claim_and_open(self):
        """Claim the lead of the card, then open it (the card's form)."""
        self.ensure_one()
        return self._claim_then("action_open_lead")

    def _claim_then(self, answer):
        """Claim the leads of the cards like ``crm.lead.action_claim``, then
        return what the cards' method named ``answer`` returns when every lead was
        claimed, else the claim's own answer. Both run in the claim's
        transaction, which alone shows the leads claimed (the caller's
        snapshot may predate it)."""

        def claim(env):
            result = env["crm.lead"].browse(self.ids)._queue_claim(partial=True)
            if result is not True:
                return result
            return getattr(self.with_env(env), answer)()

        return self.env["crm.lead"].browse(self.ids)._queue_claim_transaction(claim)

    def _claimed_notification(self):
        """A notification that the leads of ``self`` were claimed, with a link
        to each (see ``crm.lead._queue_claimed_notification``)."""
        return self.env["crm.lead"].browse(self.ids)._queue_claimed_notification()

    @api.readonly
    def action_open_lead(self):
        """Open the lead of the card (readable once claimed, or by its team
        leader). It only reads: a replica may serve it."""
        self.ensure_one()
        lead = self.env["crm.lead"].browse(self.id)
        lead.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": lead.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
