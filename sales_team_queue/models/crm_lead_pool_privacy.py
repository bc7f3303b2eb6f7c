"""Pool privacy: a lead waiting in the pool of a queue with ``pool_hide_contact``
(a "private pool lead") is not readable by the reps ("Sales / User: Own
Documents Only") until one of them claims it. What protects what:

- ``crm.lead``: Odoo's record rules. The rules that give reps unassigned and
  team leads (Odoo's "Personal Leads" as the module sets it, see
  ``ir_rule.py``, and the module's pool and team rules in
  ``security/sales_team_queue_security.xml``) hold only for leads that are
  not private pool leads (``('pool_private', '=', False)``, the domain
  :data:`PRIVATE_POOL_DOMAIN` below, said once). The team leader's rule and
  "All Documents" are unchanged: they see the lead. So every path that reads
  the lead (read, search, read_group, export, name search, onchange, the
  lead's methods, the wizards, templates rendered on it) meets Odoo's
  AccessError or finds nothing.
- ``crm.activity.report`` and the ledger (``crm.lead.assignment``): the same
  condition on their rules, through ``lead_id``.
- ``mail.message``, ``mail.activity``, ``ir.attachment``: Odoo 18 grants them
  by the access to the document they are on (their ``_search`` and
  ``_check_access``), nothing to add.
- ``mail.followers``, ``mail.notification``, ``calendar.event``,
  ``calendar.attendee`` and ``calendar.recurrence``: Odoo 18 lets every
  employee read them whatever the document. Global record rules (in the
  security file, switched on by ``crm_team_queue_privacy.py``) hide those of
  the private pool leads the user may not read (``pool_hidden``, whose search
  asks crm.lead's own rules which leads the user may read); meetings stay
  visible to their organizer and attendees.
- Every model with a field towards leads or meetings (``res.partner``,
  ``res.users``, ``website.visitor``, ...): Odoo 18 resolves
  ``('opportunity_ids', 'in', ids)`` by a subquery that skips the rules of
  the leads (``any`` and names apply them): ``base.py`` leaves the hidden
  ones out of the ids. What another app computes or writes as superuser from
  the leads is its bridge's (``sales_team_queue_website_crm``, ``_event_crm``,
  ``_mass_mailing_crm``, ``_website_crm_partner_assign``).
- The pool itself is browsed and claimed through ``crm.lead.pool.card``
  (``crm_lead_pool_card.py``), a model that holds no contact field.

The values in the database are never changed.
"""

from odoo import _, api, fields, models
from odoo.osv import expression

from .base import leaves_private_pools_out
from .values import yes_no_domain

# A lead waiting in the pool of a queue that hides contact details. Said once:
# the rules use it through the searchable field ``crm.lead.pool_private``.
PRIVATE_POOL_DOMAIN = [
    ("queue_state", "=", "pool"),
    ("queue_id.pool_hide_contact", "=", True),
]
# The global rules around the lead (security/sales_team_queue_security.xml):
# active only while some queue hides its pool, so that they cost nothing and
# change nothing until then (inert until configured).
POOL_PRIVACY_RULES = (
    "sales_team_queue.mail_followers_rule_pool_private",
    "sales_team_queue.mail_notification_rule_pool_private",
    "sales_team_queue.calendar_event_rule_pool_private",
    "sales_team_queue.calendar_attendee_rule_pool_private",
    "sales_team_queue.calendar_recurrence_rule_pool_private",
)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    pool_private = fields.Boolean(
        string="In a Private Pool",
        compute="_compute_pool_private",
        search="_search_pool_private",
        compute_sudo=True,
        help="The lead waits in the pool of a queue that hides contact details "
        "until claimed: reps who do not lead its team cannot read it.",
    )

    @api.depends("queue_state", "queue_id.pool_hide_contact")
    def _compute_pool_private(self):
        for lead in self:
            lead.pool_private = (
                lead.queue_state == "pool" and lead.queue_id.pool_hide_contact
            )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # a domain a user wrote, run as superuser (see base.PRIVATE_POOLS_OUT):
        # the leads it reaches, by any path, are not private pool leads
        if leaves_private_pools_out(self.env):
            domain = expression.AND([domain, [("pool_private", "=", False)]])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _search_pool_private(self, operator, value):
        return yes_no_domain(
            self, "pool_private", operator, value, self._pool_private_domain
        )

    @api.model
    def _pool_private_domain(self, positive):
        if not self.env["crm.team.queue"].sudo()._get_private_pool_queue_ids():
            # no queue hides its pool: no lead is private (and the rules that
            # use this stay as cheap as Odoo's own)
            return expression.FALSE_DOMAIN if positive else expression.TRUE_DOMAIN
        if positive:
            return PRIVATE_POOL_DOMAIN
        return ["!", *expression.normalize_domain(PRIVATE_POOL_DOMAIN)]

    @api.depends(
        "email_domain_criterion", "email_normalized", "partner_id", "phone_sanitized"
    )
    @api.depends_context("uid")
    def _compute_potential_lead_duplicates(self):
        # Odoo searches the similar leads as superuser: the private pool leads
        # the user may not read are left out (their ids would tell which
        # customer each pool card is for).
        # In the form's onchange the leads are new records: their origins are
        # the leads.
        super()._compute_potential_lead_duplicates()
        duplicates = self.duplicate_lead_ids._origin
        hidden = self._pool_hidden_ids(list(set(duplicates.ids)))
        if not hidden:
            return
        for lead in self:
            kept = lead.duplicate_lead_ids.filtered(
                lambda dup: dup._origin.id not in hidden
            )
            lead.duplicate_lead_ids = kept
            lead.duplicate_lead_count = len(kept._origin - lead._origin)

    @api.model
    def _queue_after_write_decisions(self, decisions):
        result = super()._queue_after_write_decisions(decisions)
        entered = self.browse(
            [
                decision.lead.id
                for decision in decisions
                if not decision.user and decision.queue.sudo().pool_hide_contact
            ]
        )
        if entered:
            entered._pool_privacy_entered()
        return result

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        """The users who follow a private pool lead they may not read (they
        followed it before its queue began to hide its pool, a manager
        subscribed them, an activity was assigned to them) are not notified
        of its messages: Odoo lets a notified user read the message whatever
        the document (a customer's reply, with their e-mail). Those the author
        names in the message are."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if len(self) != 1 or not self._pool_private_among():
            return recipients
        if msg_vals:
            named = set(msg_vals.get("partner_ids") or ())
        else:
            named = set(message.sudo().partner_ids.ids)
        return [
            data
            for data in recipients
            if data["id"] in named
            or data.get("share")
            or not data.get("uid")
            or self._pool_readable_by(data["uid"])
        ]

    def message_post(self, **kwargs):
        # Odoo lets a follower post on a document whatever they may read: a
        # user who follows a private pool lead they may not read (see above)
        # would write to its customer, and read the reply that names them.
        # Their reply by e-mail to an older notification (Odoo's gateway posts
        # it as superuser, in their name) is kept as an internal note.
        if not self._pool_private_among():
            return super().message_post(**kwargs)
        if not self.env.su:
            self.check_access("read")
        elif self.env.context.get("from_alias") and self._pool_unread_by_author(
            kwargs.get("author_id")
        ):
            note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
            kwargs.update(subtype_id=note, subtype_xmlid=None, partner_ids=[])
        return super().message_post(**kwargs)

    def _pool_private_among(self):
        """The private pool leads of ``self`` (sudo); none at once while no
        queue hides its pool."""
        if not self.env["crm.team.queue"].sudo()._get_private_pool_queue_ids():
            return self.sudo().browse()
        return self.sudo().filtered("pool_private")

    def _pool_keeps_reading(self, user):
        """Whether ``user`` still reads the lead (one) once it is in a private
        pool: its team's leader, or a user of all leads."""
        return user == self.team_id.user_id or user.has_group(
            "sales_team.group_sale_salesman_all_leads"
        )

    def _pool_unread_by_author(self, author_id):
        """Whether ``author_id`` (a partner) is an employee's who may not read
        the lead (one)."""
        partner = self.env["res.partner"].sudo().browse(author_id).exists()
        users = partner.user_ids.filtered(lambda user: not user.share)
        return bool(users) and not any(
            self._pool_readable_by(user.id) for user in users
        )

    def _pool_readable_by(self, uid):
        """Whether the user ``uid`` may read the lead (one), in their own
        companies (not those the current user has enabled)."""
        env = self.env(user=uid, su=False, context={})
        return self.with_env(env).has_access("read")

    def _pool_privacy_entered(self):
        """The leads of ``self`` have just entered a private pool: the
        salespeople who follow them and will not read them any more (the rep
        who gave them back, mostly) stop following them, so that the
        customer's next messages do not reach them, and their open activities
        on them are closed, with a note in the lead's history (Odoo lets an
        assignee read their activity, its lead's name and note included)."""
        leads = self.sudo()
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search([("res_model", "=", "crm.lead"), ("res_id", "in", self.ids)])
        )
        stale = activities.filtered(
            lambda activity: activity.user_id
            and not activity.user_id.share
            and not leads.browse(activity.res_id)._pool_keeps_reading(activity.user_id)
        )
        if stale:
            stale._action_done(feedback=_("The lead went back to a private pool."))
        followers = (
            self.env["mail.followers"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "in", self.ids),
                    ("partner_id.user_ids.share", "=", False),
                ]
            )
        )
        leaving = followers.filtered(
            lambda follower: not any(
                leads.browse(follower.res_id)._pool_keeps_reading(user)
                for user in follower.partner_id.user_ids
            )
        )
        leaving.unlink()

    @api.model
    def _pool_hidden_query(self):
        """The private pool leads that the current user may not read, as a
        query (sudo), by crm.lead's own record rules; None when no queue hides
        its pool (nothing to hide: the rules that use it stay inert)."""
        if not self.env["crm.team.queue"].sudo()._get_private_pool_queue_ids():
            return None
        # Rules evaluate their domain as superuser: the lead's own rules are
        # applied here for the real user (as search_visible_leads does).
        Lead = self.sudo().with_context(active_test=False)
        user_leads = self.with_env(self.env(su=False)).with_context(active_test=False)
        if user_leads.env.su:
            return None
        if not user_leads.has_access("read"):
            return Lead._search(PRIVATE_POOL_DOMAIN)
        readable = user_leads._search(PRIVATE_POOL_DOMAIN)
        return Lead._search([*PRIVATE_POOL_DOMAIN, ("id", "not in", readable)])

    @api.model
    def _pool_hidden_ids(self, lead_ids):
        """The ids among ``lead_ids`` of the private pool leads that the current
        user may not read (the value of ``pool_hidden``, which a rule also
        checks record by record)."""
        if not lead_ids or (
            not self.env["crm.team.queue"].sudo()._get_private_pool_queue_ids()
        ):
            return set()
        Lead = self.sudo().with_context(active_test=False)
        private = Lead.browse(lead_ids).exists().filtered("pool_private")
        readable = private.with_env(self.env(su=False))._filtered_access("read")
        return set((private - readable).ids)

    @api.model
    def _pool_hidden_reference_domain(self, model_field, id_field, positive):
        """Search method of ``pool_hidden`` on the models that point at a
        document by model name and id (``model_field``, ``id_field``): the
        records on a private pool lead the user may not read (``positive``),
        or the others."""
        hidden = self._pool_hidden_query()
        if hidden is None:
            return expression.FALSE_DOMAIN if positive else expression.TRUE_DOMAIN
        if positive:
            return [(model_field, "=", "crm.lead"), (id_field, "in", hidden)]
        return [
            "|",
            "|",
            (model_field, "!=", "crm.lead"),
            (id_field, "=", False),
            (id_field, "not in", hidden),
        ]
