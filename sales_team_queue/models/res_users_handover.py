"""The handover of a salesperson's book: which of their open leads and
opportunities, customers and planned activities go to whom (the plan, with the
checks of who may hand over whose book to whom), and writing it.

The wizard (``wizards/crm_salesperson_handover.py``) collects the input, shows
the plan and applies it; other add-ons call :meth:`res.users._handover_plan`
and :meth:`res.users._handover_apply` on the user who leaves. Both are private
(no RPC): clients go through the wizard, whose checks are these."""

from collections import Counter, defaultdict

from odoo import _, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .res_users import HANDOVER_DONE, HANDOVER_TOKEN
from .values import OPEN_LEAD_DOMAIN, Decision, HandoverPlan, HandoverScope, Reason

MANAGER = "sales_team.group_sale_manager"


class ResUsers(models.Model):
    _inherit = "res.users"

    # ------------------------------------------------------------
    # THE PLAN
    # ------------------------------------------------------------

    def _handover_plan(self, receiver=None, scope=None, lock=False):
        """Where the book of ``self`` (the user who leaves or is away) goes,
        as the current user may hand it over (:class:`HandoverPlan`; nothing
        is written). Refusals raise ``UserError`` / ``AccessError``.

        :param receiver: the user who gets everything; None: by the queue
            rules of each lead's team (an empty record: refused)
        :param scope: a :class:`HandoverScope` (default: everything)
        :param lock: passed to the routing engine (False for a preview)
        """
        self.ensure_one()
        scope = scope or HandoverScope()
        self._handover_check_scope(scope)
        if receiver is not None:
            self._handover_check_receiver(receiver)
        self._handover_check_rights()
        if receiver is not None:
            self._handover_check_receivers(receiver)
        leads = self._handover_leads(scope)
        partners = self._handover_partners(scope)
        if not leads and not partners:
            self._handover_raise_nothing()
        plan = HandoverPlan(self, receiver)
        if receiver is not None:
            self._handover_plan_to_receiver(plan, leads, partners)
        else:
            self._handover_plan_by_queues(plan, leads, lock)
            self._handover_plan_customers(plan, partners)
            self._handover_check_receivers(plan.receivers())
        if scope.activities:
            plan.activities = self._handover_activity_moves(plan)
        return plan

    def _handover_plan_to_receiver(self, plan, leads, partners):
        """Everything to ``plan.receiver``, who must fit the leads' companies
        and teams."""
        receiver = plan.receiver
        self._handover_check_receiver_fits(receiver, leads, partners)
        why = Reason("handover", {"user": Reason.ref(self)})
        plan.decisions = [
            Decision(lead, receiver, lead.queue_id, "handover", why) for lead in leads
        ]
        plan.partners = dict.fromkeys(partners.ids, receiver)

    def _handover_plan_by_queues(self, plan, leads, lock):
        """Each lead to whom its team's queues choose (never back to ``self``);
        leads of no queue to their team leader."""
        routing = self._handover_route(leads, lock)
        plan.routing_state = routing.state
        user_ref = Reason.ref(self)
        for decision in routing.decisions.values():
            decision.method = "handover"
            decision.reason = Reason(
                "handover_route",
                {"user": user_ref, "reason": decision.reason.to_json()},
            )
            plan.decisions.append(decision)
        for lead in leads.filtered(lambda lead: lead.id not in routing.decisions):
            self._handover_plan_to_leader(plan, lead)

    def _handover_route(self, leads, lock):
        """The routing engine's plan for the leads of teams with queues,
        ``self`` excluded from the members."""
        Queue = self.env["crm.team.queue"].sudo()
        queue_team_ids = Queue._get_queue_team_ids()
        routable = leads.filtered(
            lambda lead: not lead.team_id or lead.team_id.id in queue_team_ids
        )
        routing = Queue._plan_routing(routable, lock=lock, exclude_user_ids=[self.id])
        if routing.busy:
            raise UserError(
                _(
                    "The queues of these leads are routing other leads right now: "
                    "try again in a moment."
                )
            )
        return routing

    def _handover_plan_to_leader(self, plan, lead):
        """A lead no queue took goes to its team leader (not ``self``); else
        it stays, with the reason."""
        leader = lead.team_id.user_id
        if not lead.team_id:
            plan.unplaced[_("no team and no queue matches")] += 1
        elif not leader or not leader.active or leader == self:
            plan.unplaced[
                _(
                    "no queue of %(team)s matches and the team has no other leader",
                    team=lead.team_id.name,
                )
            ] += 1
        else:
            why = Reason(
                "handover_leader",
                {"user": Reason.ref(self), "reason": Reason("no_queue").to_json()},
            )
            plan.decisions.append(
                Decision(lead, leader, lead.queue_id, "handover", why)
            )

    def _handover_plan_customers(self, plan, partners):
        """By the queue rules, a customer goes to whoever receives most of
        their leads (and works in their company), else to
        :meth:`_handover_customer_fallback`."""
        if not partners:
            return
        received = defaultdict(Counter)
        for decision in plan.decisions:
            partner = decision.lead.partner_id.commercial_partner_id
            if partner and decision.user:
                received[partner.id][decision.user] += 1
        leader = self._handover_customer_fallback()
        for partner in partners:
            company = partner.company_id
            counts = received.get(partner.commercial_partner_id.id) or Counter()
            fits = [
                user
                for user, _count in counts.most_common()
                if not company or company in user.sudo().company_ids
            ]
            if fits:
                plan.partners[partner.id] = fits[0]
            elif leader and (not company or company in leader.company_ids):
                plan.partners[partner.id] = leader
            else:
                plan.unplaced_partners[
                    _(
                        "customers without leads here, and no team leader of their "
                        "company to take them"
                    )
                ] += 1

    def _handover_customer_fallback(self):
        """Who takes, by the queue rules, the customers none of whose leads
        went to anyone: the leader of the team of ``self``; the team leader
        running the handover when they run it (they lead a team of ``self``).
        Nobody when that is ``self``."""
        if self.env["crm.team"]._queue_led_teams() is None:
            leader = self.sudo().sale_team_id.user_id
        else:
            leader = self.env.user
        if leader == self or not leader.active:
            return self.browse()
        return leader

    def _handover_activity_moves(self, plan):
        """Planned activities of ``self`` on the leads and customers of
        ``plan``, by receiving user id: ``{user id: [activity ids]}``."""
        owner = {
            ("crm.lead", decision.lead.id): decision.user.id
            for decision in plan.decisions
            if decision.user
        }
        owner.update(
            (("res.partner", partner_id), user.id)
            for partner_id, user in plan.partners.items()
        )
        if not owner:
            return {}
        self.env["mail.activity"].flush_model(["user_id", "res_model", "res_id"])
        self.env.cr.execute(
            SQL(
                """SELECT id, res_model, res_id FROM mail_activity
                    WHERE user_id = %s AND active
                      AND res_model IN ('crm.lead', 'res.partner')
                    ORDER BY id""",
                self.id,
            )
        )
        moves = defaultdict(list)
        for activity_id, res_model, res_id in self.env.cr.fetchall():
            user_id = owner.get((res_model, res_id))
            if user_id:
                moves[user_id].append(activity_id)
        return moves

    # ------------------------------------------------------------
    # SCOPE
    # ------------------------------------------------------------

    def _handover_leads(self, scope):
        """The open leads and opportunities of ``self`` in ``scope`` (as
        superuser, to be written). A team leader's are those of the teams they
        lead that their own access rules let them read (which keeps out the
        companies they do not work in now)."""
        Lead = self.env["crm.lead"]
        types = scope.lead_types()
        if not types:
            return Lead.sudo()
        domain = [("user_id", "=", self.id), ("type", "in", types), *OPEN_LEAD_DOMAIN]
        teams = self.env["crm.team"]._queue_led_teams()
        if teams is None:
            return Lead.sudo().search(domain, order="id")
        domain.append(("team_id", "in", teams.ids))
        return Lead.search(domain, order="id").sudo()

    def _handover_partners(self, scope):
        """The customers of ``self`` handed over (as superuser, to be written):
        those of the companies the current user works in (and the shared ones,
        without company); for a team leader, only those they may edit."""
        Partner = self.env["res.partner"]
        if not scope.customers:
            return Partner.sudo()
        # Active ones, whatever the client's context says (as for leads).
        domain = [
            ("user_id", "=", self.id),
            ("company_id", "in", self.env.companies.ids + [False]),
            ("active", "=", True),
        ]
        if self.env["crm.team"]._queue_led_teams() is None:
            return Partner.sudo().search(domain, order="id")
        return Partner.search(domain, order="id")._filtered_access("write").sudo()

    # ------------------------------------------------------------
    # CHECKS
    # ------------------------------------------------------------

    def _handover_check_scope(self, scope):
        if not (scope.leads or scope.opportunities or scope.customers):
            if not scope.activities:
                raise UserError(
                    _(
                        "Choose what to hand over: open leads, open opportunities, "
                        "customers or planned activities."
                    )
                )
            raise UserError(
                _(
                    "Planned activities move with the leads and customers handed "
                    "over: choose leads, opportunities or customers too."
                )
            )

    def _handover_check_receiver(self, receiver):
        """The one receiver: someone else, active and internal."""
        receiver = receiver.sudo()
        if not receiver:
            raise UserError(_("Choose the salesperson who receives the book."))
        if receiver == self:
            raise UserError(
                _(
                    "%(user)s cannot hand over to themselves: choose another "
                    "salesperson.",
                    user=receiver.name,
                )
            )
        if not receiver.active:
            raise UserError(
                _(
                    "%(user)s is archived: choose an active salesperson.",
                    user=receiver.name,
                )
            )
        if receiver.share:
            raise UserError(
                _(
                    "%(user)s is not an internal user and cannot own leads.",
                    user=receiver.name,
                )
            )

    def _handover_check_rights(self):
        """Sales managers hand over anyone; a team leader hands over a member
        of a team they lead (not a sales manager); others nobody."""
        teams = self.env["crm.team"]._queue_led_teams()
        if teams is None:
            return
        if not teams:
            raise AccessError(
                _(
                    "Only a sales manager or a team leader can hand over the book "
                    "of a salesperson: ask your sales manager."
                )
            )
        leaving = self.sudo()
        if leaving.has_group(MANAGER):
            raise AccessError(
                _(
                    "%(user)s is a sales manager: only a sales manager can hand "
                    "over their book.",
                    user=leaving.name,
                )
            )
        if not leaving.crm_team_ids & teams and not self._handover_owns_leads_in(teams):
            raise AccessError(
                _(
                    "%(user)s is not a member of a team you lead (%(teams)s): ask "
                    "a sales manager to hand over their book.",
                    user=leaving.name,
                    teams=", ".join(teams.mapped("name")),
                )
            )

    def _handover_owns_leads_in(self, teams):
        """Whether ``self`` still owns open leads in ``teams`` (a rep who left
        the team, moved to another or was archived: Odoo archives their
        membership, not their leads)."""
        return bool(
            self.env["crm.lead"]
            .sudo()
            .search_count(
                [("user_id", "=", self.id), ("team_id", "in", teams.ids)], limit=1
            )
        )

    def _handover_check_receivers(self, users):
        """A team leader gives only to the members of the teams they lead, or
        takes over themselves."""
        teams = self.env["crm.team"]._queue_led_teams()
        if teams is None:
            return
        outside = users.sudo() - teams.sudo().member_ids - self.env.user
        if outside:
            raise AccessError(
                _(
                    "%(users)s: not a member of the teams you lead (%(teams)s). "
                    "Choose a member of your teams, or ask a sales manager.",
                    users=", ".join(outside.mapped("name")),
                    teams=", ".join(teams.mapped("name")),
                )
            )

    def _handover_check_receiver_fits(self, receiver, leads, partners):
        """The one receiver must work in the companies of the leads and
        customers, and belong to the leads' teams."""
        receiver = receiver.sudo()
        companies = (leads.company_id | partners.company_id) - receiver.company_ids
        if companies:
            raise UserError(
                _(
                    "%(user)s may not work in %(companies)s: choose a salesperson "
                    "of that company, or hand over by the queue rules.",
                    user=receiver.name,
                    companies=", ".join(companies.mapped("name")),
                )
            )
        outside = leads.team_id._queue_not_joined_by(receiver)
        if outside:
            raise UserError(
                _(
                    "%(user)s is not a member of %(teams)s: add them to the team "
                    "first, or hand over by the queue rules.",
                    user=receiver.name,
                    teams=", ".join(outside.mapped("name")),
                )
            )

    def _handover_raise_nothing(self):
        teams = self.env["crm.team"]._queue_led_teams()
        if teams is None:
            raise UserError(
                _(
                    "%(user)s has nothing to hand over in this scope: no open lead "
                    "or opportunity and no customer.",
                    user=self.name,
                )
            )
        raise UserError(
            _(
                "%(user)s has nothing to hand over in this scope: no open lead or "
                "opportunity in the teams you lead (%(teams)s) and no customer you "
                "may edit. Leads in other teams are handed over by a sales manager.",
                user=self.name,
                teams=", ".join(teams.mapped("name")),
            )
        )

    # ------------------------------------------------------------
    # APPLY
    # ------------------------------------------------------------

    def _handover_apply(self, plan, archive=False):
        """Write ``plan`` (made by :meth:`_handover_plan` for ``self``); with
        ``archive``, then archive ``self``, refused unless the current user
        may archive users and ``self`` is left with nothing open (archiving
        deletes their activities). No rights are checked beyond the plan's:
        not callable over RPC."""
        self.ensure_one()
        if archive:
            self._handover_check_archive(plan)
        self._handover_write(plan)
        if archive:
            # Whatever the plan missed: raising rolls the whole handover back.
            self._handover_check_nothing_left(HandoverPlan(self))
            self.with_context(**{HANDOVER_DONE: HANDOVER_TOKEN}).action_archive()

    def _handover_check_archive_rights(self):
        if not self.env.user.has_group("base.group_erp_manager"):
            raise AccessError(
                _(
                    "Only an administrator can archive users: uncheck Archive the "
                    "User Afterwards, or ask an administrator."
                )
            )

    def _handover_check_archive(self, plan):
        """Before a handover that archives ``self``: the current user may
        archive users, and ``plan`` places everything."""
        self._handover_check_archive_rights()
        if plan.unplaced or plan.unplaced_partners:
            raise UserError(
                _(
                    "%(user)s would keep %(leads)s lead(s) and %(partners)s "
                    "customer(s) that could not be placed (see the preview): hand "
                    "them over to one salesperson, or uncheck Archive the User "
                    "Afterwards.",
                    user=self.name,
                    leads=sum(plan.unplaced.values()),
                    partners=sum(plan.unplaced_partners.values()),
                )
            )
        self._handover_check_nothing_left(plan)

    def _handover_check_nothing_left(self, plan):
        """Before archiving: once ``plan`` is applied, ``self`` must own no
        open lead or opportunity and no planned activity any more (the scope
        may leave some out, leads may wait in a pool with their activities),
        since archiving deletes their activities."""
        leaving = self.sudo()
        if not leaving._handover_pending():
            return
        lead_ids = set(
            self.env["crm.lead"]
            .sudo()
            .search([("user_id", "=", leaving.id), *OPEN_LEAD_DOMAIN])
            .ids
        )
        lead_ids -= {decision.lead.id for decision in plan.decisions}
        activity_ids = set(
            self.env["mail.activity"].sudo().search([("user_id", "=", leaving.id)]).ids
        )
        for moved in plan.activities.values():
            activity_ids -= set(moved)
        if not (lead_ids or activity_ids):
            return
        raise UserError(
            _(
                "%(user)s would still own %(leads)s open lead(s) or opportunity(ies) "
                "and %(activities)s planned activity(ies) after this handover, and "
                "archiving would delete those activities: nothing was handed over. "
                "Include them in the scope (Open Leads, Open Opportunities, Planned "
                "Activities), or uncheck Archive the User Afterwards and hand them "
                "over separately.",
                user=leaving.name,
                leads=len(lead_ids),
                activities=len(activity_ids),
            )
        )

    def _handover_write(self, plan):
        """Leads through the one door (one write per group, one ledger insert,
        one digest per receiver), customers and activities with one write per
        receiver, without Odoo's notice per record (the digest says it)."""
        if plan.decisions:
            self.env["crm.team.queue"].sudo()._apply_plan(
                plan.decisions,
                plan.routing_state,
                notify=True,
                activity=False,
                digest=True,
            )
        by_user = defaultdict(list)
        for partner_id, user in plan.partners.items():
            by_user[user].append(partner_id)
        Partner = (
            self.env["res.partner"]
            .sudo()
            .with_context(mail_auto_subscribe_no_notify=True)
        )
        for user, partner_ids in by_user.items():
            Partner.browse(partner_ids).write({"user_id": user.id})
        Activity = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
        )
        for user_id, activity_ids in plan.activities.items():
            Activity.browse(activity_ids).write({"user_id": user_id})
