"""The perimeter: the walls around the one door. A lead's create, write, merge
and unlink check them first (see ``crm_lead_pipeline.py``), for every caller
but the module's own code (the door's writes, carrying ``DOOR_TOKEN``) and the
superuser:

- **server-owned fields** (:meth:`CrmLead._perimeter_server_fields`): what
  routing decides (queue, pool date, VIP tier, SLA and pool-alert timers, the
  ledger, the stage history) is written by the module only; sales managers may
  correct the timers;
- **a pool lead is its queue's until claimed**: a rep who does not lead its
  team can only claim it (Claim, or a write of themselves as salesperson, which
  the door turns into a claim); they cannot edit, merge, convert, delete or give
  it away;
- **a change of owner or team by a rep** follows the assignment wizard's rules,
  whatever the path (form, list, import, RPC, merge) and the team's visibility:
  a rep moves only their own leads, only to a member of the team, and only into
  a team they lead.

The rules of a write are listed by :meth:`CrmLead._perimeter_write_rules`, each a
small method another add-on can extend, like the claim rules. Team leaders
steer their team's leads and sales managers all leads: the rules about pool
leads and owners do not apply to them. With no queue anywhere, only the
server-owned fields are guarded (the module is inert until configured).
"""

from odoo import _, api, models
from odoo.exceptions import AccessError, UserError

from .crm_server_owned_mixin import check_no_user_default

# Who, besides the module's own code, may write a server-owned field.
NOBODY = "nobody"
MANAGERS = "managers"
# Odoo's linking of a new customer to the open leads of the same e-mail
# (crm.lead._message_post_after_hook) runs with this context: a Python object
# no RPC client can send.
LINK_CUSTOMER = "sales_team_queue_link_customer"
LINK_CUSTOMER_TOKEN = object()


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # WHAT IS GUARDED
    # ------------------------------------------------------------

    @api.model
    def _perimeter_server_fields(self):
        """The fields only the module's own code writes: ``{name: who else
        may write it}`` (``NOBODY``, or ``MANAGERS`` to correct it).
        Overridable: another add-on adds its own routing fields."""
        return {
            "queue_id": NOBODY,
            "queue_state": NOBODY,
            "pool_date": NOBODY,
            "is_vip": NOBODY,
            "assignment_ids": NOBODY,
            "stage_history_ids": NOBODY,
            "sla_state": MANAGERS,
            "sla_deadline": MANAGERS,
            "sla_warned": MANAGERS,
            "pool_alerted": MANAGERS,
            "offer_user_id": NOBODY,
            "offer_deadline": NOBODY,
        }

    @api.model
    def _perimeter_write_rules(self):
        """Names of the rule methods a write passes, in order. Each takes the
        written ``vals`` and raises when the current user may not write them on
        the leads of ``self`` (read as superuser)."""
        return [
            "_perimeter_rule_server_fields",
            "_perimeter_rule_pool_lead",
            "_perimeter_rule_owner",
            "_perimeter_rule_team",
        ]

    # ------------------------------------------------------------
    # ENTRY POINTS (called by the pipeline)
    # ------------------------------------------------------------

    @api.model
    def _perimeter_check_create(self, vals_list):
        """The server-owned fields of new leads: given in the values, or as
        defaults in the context (``default_queue_id``...) or user-defined
        defaults, which Odoo would apply after this check."""
        if self.env.su:
            return
        check_no_user_default(
            self, self._perimeter_server_fields_refused(self._perimeter_server_fields())
        )
        defaults = {
            name: True
            for name in self._perimeter_server_fields()
            if f"default_{name}" in self.env.context
        }
        for vals in vals_list:
            self.browse()._perimeter_rule_server_fields(dict(defaults, **vals))

    def _perimeter_check_write(self, vals):
        """Check the rules of a write of ``vals`` on ``self``.

        :return: the leads to write: ``self``, but for Odoo's linking of a new
            customer, which leaves the pool leads the user does not steer alone
        """
        if self.env.su or not self:
            return self
        leads = self.sudo()
        if self.env.context.get(LINK_CUSTOMER) is LINK_CUSTOMER_TOKEN and set(vals) == {
            "partner_id"
        }:
            pool = leads._perimeter_concerned(vals).filtered(
                lambda lead: lead.queue_state == "pool"
            )
            skipped = pool and pool._perimeter_unsteered()
            return self - skipped.with_env(self.env)
        if self.env["crm.team.queue"]._get_queue_team_ids():
            groups = self._queue_explicit_team(vals)
        else:
            groups = [(self, vals)]
        for group, group_vals in groups:
            for rule in self._perimeter_write_rules():
                getattr(group.sudo(), rule)(group_vals)
        return self

    def _perimeter_check_merge(self):
        """A rep merges only their own leads (and unassigned leads outside any
        pool): merging takes the other leads' data and deletes them."""
        foreign = self._perimeter_not_theirs()
        if foreign:
            raise UserError(
                _(
                    "You cannot merge %(leads)s: they wait in a pool or belong to "
                    "another salesperson. Claim them first, or ask the team leader "
                    "to merge them.",
                    leads=self._perimeter_names(foreign),
                )
            )

    def _perimeter_check_unlink(self):
        foreign = self._perimeter_not_theirs()
        if foreign:
            raise UserError(
                _(
                    "You cannot delete %(leads)s: they wait in a pool or belong to "
                    "another salesperson. Ask the team leader.",
                    leads=self._perimeter_names(foreign),
                )
            )

    # ------------------------------------------------------------
    # RULES
    # ------------------------------------------------------------

    @api.model
    def _perimeter_server_fields_refused(self, names):
        """The server-owned fields among ``names`` the current user may not
        set (sales managers may correct the timers)."""
        fields = self._perimeter_server_fields()
        names = [name for name in names if name in fields]
        if not names:
            return []
        is_manager = self.env["crm.team"]._queue_is_manager()
        return [name for name in names if fields[name] != MANAGERS or not is_manager]

    def _perimeter_rule_server_fields(self, vals):
        refused = self._perimeter_server_fields_refused(vals)
        if refused:
            raise AccessError(
                _(
                    "%(fields)s of a lead are set by the queues (when it is routed, "
                    "claimed, released, assigned or followed up), not by hand: "
                    "assign, route, claim or release the lead instead.",
                    fields=", ".join(
                        sorted(self._fields[name].string for name in refused)
                    ),
                )
            )

    def _perimeter_rule_pool_lead(self, vals):
        pool = self._perimeter_concerned(vals).filtered(
            lambda lead: lead.queue_state == "pool"
        )
        pool = pool and pool._perimeter_unsteered()
        if not pool or pool._perimeter_pool_write_allowed(vals):
            return
        # A lead the user may not even change says nothing more than Odoo's
        # own refusal (a private pool lead, another company's).
        self.env(su=False)["crm.lead"].browse(pool.ids).check_access("write")
        raise UserError(
            _(
                "%(leads)s waits in the pool of %(queue)s: it is the queue's until "
                "someone claims it. Claim it first, then change it; only the team "
                "leader or a sales manager can change a lead in the pool.",
                leads=self._perimeter_names(pool),
                queue=", ".join(pool.queue_id.mapped("name")),
            )
        )

    def _perimeter_pool_write_allowed(self, vals):
        """The write a rep may make on the pool leads of ``self`` (sudo): the
        claim (themselves as salesperson: the door applies the claim rules)."""
        return vals == {"user_id": self.env.uid}

    def _perimeter_rule_owner(self, vals):
        """A rep changes the salesperson of their own leads only (a pool lead
        is the pool rule's), and leaders and reps give leads only to a member
        of the team (as in the assignment wizard); sales managers as in Odoo."""
        if "user_id" not in vals or self.env["crm.team"]._queue_is_manager():
            return
        new_user = self.env["res.users"].browse(vals["user_id"] or False)
        changing = self._perimeter_concerned(vals).filtered(
            lambda lead: lead.user_id != new_user
        )
        if not changing:
            return
        foreign = changing._perimeter_unsteered().filtered(
            lambda lead: lead.queue_state != "pool" and lead.user_id != self.env.user
        )
        if foreign:
            raise AccessError(self._perimeter_not_yours_message())
        if new_user:
            team = self.env["crm.team"].browse(vals.get("team_id") or [])
            changing._perimeter_check_receiver(new_user, team)

    def _perimeter_rule_team(self, vals):
        """A rep moves only their own leads, and only into a team they lead;
        taking a lead out of its team (no team) is for the team's leader. Sales
        managers as in Odoo."""
        if "team_id" not in vals or self.env["crm.team"]._queue_is_manager():
            return
        team = self.env["crm.team"].browse(vals["team_id"] or [])
        moving = self._perimeter_concerned(vals).filtered(
            lambda lead: lead.team_id != team
        )
        if not moving:
            return
        unsteered = moving._perimeter_unsteered()
        if unsteered.filtered(lambda lead: lead.user_id != self.env.user):
            raise AccessError(self._perimeter_not_yours_message())
        if team and team.user_id != self.env.user:
            raise AccessError(self._perimeter_team_message(team))
        if not team and unsteered:
            raise AccessError(
                _(
                    "Only a sales manager or the leader of %(teams)s can take leads "
                    "out of their team.",
                    teams=", ".join(unsteered.team_id.mapped("name")),
                )
            )

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _perimeter_unsteered(self):
        """The leads of ``self`` (sudo) the current user does not steer: none
        for sales managers, the leads of other teams for team leaders."""
        user = self.env.user
        if self.env["crm.team"]._queue_is_manager(user):
            return self.browse()
        return self.filtered(lambda lead: lead.team_id.user_id != user)

    def _perimeter_concerned(self, vals):
        """The leads of ``self`` (sudo) a queue concerns, which ``vals`` may
        move: a lead of a queue, without team (the queues route those too), of
        a team with queues, or going into one (a team Odoo would give them is
        written by then: ``_queue_explicit_team``)."""
        queue_team_ids = self.env["crm.team.queue"]._get_queue_team_ids()
        if not queue_team_ids:
            return self.browse()
        new_team_id = vals.get("team_id")
        return self.filtered(
            lambda lead: lead.queue_id
            or not lead.team_id
            or lead.team_id.id in queue_team_ids
            or new_team_id in queue_team_ids
        )

    def _perimeter_not_theirs(self):
        """The leads of ``self`` a queue concerns that wait in a pool or belong
        to another salesperson, among those the user does not steer (none for
        the superuser)."""
        if self.env.su:
            return self.browse()
        user = self.env.user
        concerned = self.sudo()._perimeter_concerned({})
        return (concerned and concerned._perimeter_unsteered()).filtered(
            lambda lead: lead.queue_state == "pool"
            or (lead.user_id and lead.user_id != user)
        )

    @api.model
    def _perimeter_names(self, leads):
        """Names of ``leads`` for a refusal, as the current user may read them
        (the rules run as superuser)."""
        return self.env(su=False)["crm.lead"]._queue_names(leads)

    @api.model
    def _perimeter_not_yours_message(self):
        return _(
            "Only a sales manager or the team leader can move leads of other "
            "salespeople or of the pool: ask the leader of the team."
        )

    @api.model
    def _perimeter_team_message(self, team):
        return _(
            "Only a sales manager or the leader of %(team)s can move leads into "
            "that team.",
            team=team.sudo().name,
        )

    def _perimeter_check_receiver(self, user, team=None):
        """Refuse a salesperson who cannot take the leads of ``self`` (in
        ``team``, or in the leads' own teams when none is given), saying why:
        the assignment wizard and a rep's plain write give the same answer."""
        user = user.sudo()
        if not user:
            raise UserError(_("Choose the salesperson who gets the leads."))
        teams = team.sudo() if team else self.sudo().team_id
        for rule in self._perimeter_receiver_rules():
            message = getattr(self.sudo(), rule)(user, teams)
            if message:
                raise UserError(message)

    @api.model
    def _perimeter_receiver_rules(self):
        """Names of the methods that check who may receive leads, in order.
        Each takes the user and the teams the leads go to and returns why the
        user cannot take the leads of ``self`` (sudo), or None."""
        return [
            "_perimeter_receiver_rule_active",
            "_perimeter_receiver_rule_internal",
            "_perimeter_receiver_rule_company",
            "_perimeter_receiver_rule_team",
        ]

    def _perimeter_receiver_rule_active(self, user, teams):
        if not user.active:
            return _(
                "%(user)s is archived: choose an active salesperson.", user=user.name
            )
        return None

    def _perimeter_receiver_rule_internal(self, user, teams):
        if user.share:
            return _(
                "%(user)s is not an internal user and cannot own leads.",
                user=user.name,
            )
        return None

    def _perimeter_receiver_rule_company(self, user, teams):
        companies = self.company_id - user.company_ids
        if companies:
            return _(
                "%(user)s may not work in %(companies)s: choose a salesperson of "
                "that company.",
                user=user.name,
                companies=", ".join(companies.mapped("name")),
            )
        return None

    def _perimeter_receiver_rule_team(self, user, teams):
        outside = teams._queue_not_joined_by(user)
        if outside:
            return _(
                "%(user)s is not a member of %(teams)s: add them to the team first, "
                "or choose another salesperson.",
                user=user.name,
                teams=", ".join(outside.mapped("name")),
            )
        return None
