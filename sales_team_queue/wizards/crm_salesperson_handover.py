from collections import Counter, defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..models.res_users import HANDOVER_DONE, HANDOVER_TOKEN
from ..models.values import OPEN_LEAD_DOMAIN, Decision, Reason

MANAGER = "sales_team.group_sale_manager"


class HandoverPlan:
    """Where a handover puts each lead and customer, computed in memory and
    shown as the preview; applying writes exactly this."""

    def __init__(self):
        self.decisions = []
        # unplaced: note -> count of leads that stay with the leaving rep
        self.unplaced = Counter()
        # partner id -> receiving user (res.users record)
        self.partners = {}
        self.unplaced_partners = Counter()
        self.routing_state = None


class CrmSalespersonHandover(models.TransientModel):
    """Hand over the book of a salesperson who leaves or is away: their open
    leads and opportunities, their customers and their planned activities, to
    one user or spread by the queue rules of each lead's team, after a
    preview. Ledger method ``handover``; one digest notification per
    receiver."""

    _name = "crm.salesperson.handover"
    _description = "Salesperson Handover"

    leader_team_ids = fields.Many2many(
        "crm.team",
        string="Your Teams",
        compute="_compute_leader_team_ids",
        help="A team leader hands over what is in the teams they lead, to "
        "their members or queues (empty for sales managers: every team).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson Leaving",
        required=True,
        domain="[('share', '=', False), '|', ('crm_team_ids', 'in', leader_team_ids), "
        "('active', '=', False)] if leader_team_ids else [('share', '=', False)]",
        help="The salesperson who leaves or is away.",
    )
    mode = fields.Selection(
        [("user", "To one salesperson"), ("queues", "By the queue rules")],
        string="Hand Over",
        required=True,
        default="user",
        help="To one salesperson: everything goes to the salesperson you choose.\n"
        "By the queue rules: each lead goes to the member its team's queues "
        "choose (never back to the salesperson leaving); leads of no queue go to "
        "their team leader.",
    )
    target_user_id = fields.Many2one(
        "res.users",
        string="Receiver",
        domain="[('share', '=', False), ('id', '!=', user_id), '|', "
        "('crm_team_ids', 'in', leader_team_ids), ('id', '=', uid)] "
        "if leader_team_ids else [('share', '=', False), ('id', '!=', user_id)]",
    )
    include_leads = fields.Boolean(string="Open Leads", default=True)
    include_opportunities = fields.Boolean(
        string="Open Opportunities",
        default=True,
        help="Opportunities keep their stage and history.",
    )
    include_customers = fields.Boolean(
        string="Customers",
        default=True,
        help="Contacts whose salesperson is the salesperson leaving.",
    )
    include_activities = fields.Boolean(
        string="Planned Activities",
        default=True,
        help="Their planned activities on the leads and customers handed over "
        "go to the new salesperson of each.",
    )
    archive_user = fields.Boolean(
        string="Archive the User Afterwards",
        help="Archive the salesperson leaving once everything is handed over.",
    )
    line_ids = fields.One2many(
        "crm.salesperson.handover.line", "handover_id", string="Preview"
    )
    previewed = fields.Boolean(readonly=True)

    # user_id: a dependency to recompute it on, or the form's first onchange
    # would send it empty (it sends the fields it computes from others).
    @api.depends("user_id")
    @api.depends_context("uid")
    def _compute_leader_team_ids(self):
        teams = self._get_leader_teams()
        for wizard in self:
            wizard.leader_team_ids = teams or False

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "user_id" in fields_list
            and not values.get("user_id")
            and context.get("active_model") == "res.users"
            and context.get("active_id")
        ):
            values["user_id"] = context["active_id"]
        return values

    @api.onchange(
        "user_id",
        "mode",
        "target_user_id",
        "include_leads",
        "include_opportunities",
        "include_customers",
        "include_activities",
    )
    def _onchange_scope(self):
        # A changed scope makes the preview stale.
        self.line_ids = [fields.Command.clear()]
        self.previewed = False

    # ------------------------------------------------------------
    # SCOPE
    # ------------------------------------------------------------

    @api.model
    def _get_leader_teams(self):
        """The teams whose leads the current user hands over as their team
        leader: None for sales managers (every team, as they see every lead);
        the teams they lead, in the companies they work in now, for a team
        leader; empty for the others (refused)."""
        return self.env["crm.team"]._queue_led_teams()

    def _get_lead_domain(self):
        """Open leads and opportunities (active, not won) of the salesperson
        leaving, as the scope says."""
        types = []
        if self.include_leads:
            types.append("lead")
        if self.include_opportunities:
            types.append("opportunity")
        return [
            ("user_id", "=", self.user_id.id),
            ("type", "in", types),
            *OPEN_LEAD_DOMAIN,
        ]

    def _get_leads(self):
        """The leads handed over (as superuser, to be written). A team leader's
        are those of the teams they lead that their own access rules let them
        read (which keeps out the companies they do not work in now)."""
        Lead = self.env["crm.lead"]
        if not (self.include_leads or self.include_opportunities):
            return Lead.sudo()
        teams = self._get_leader_teams()
        if teams is None:
            return Lead.sudo().search(self._get_lead_domain(), order="id")
        domain = self._get_lead_domain() + [("team_id", "in", teams.ids)]
        return Lead.search(domain, order="id").sudo()

    def _get_partners(self):
        """The customers handed over (as superuser, to be written): those of
        the companies the current user works in (and the shared ones, without
        company); for a team leader, only those they may edit."""
        Partner = self.env["res.partner"]
        if not self.include_customers:
            return Partner.sudo()
        # Active ones, whatever the client's context says (as for leads).
        domain = [
            ("user_id", "=", self.user_id.id),
            ("company_id", "in", self.env.companies.ids + [False]),
            ("active", "=", True),
        ]
        if self._get_leader_teams() is None:
            return Partner.sudo().search(domain, order="id")
        return Partner.search(domain, order="id")._filtered_access("write").sudo()

    # ------------------------------------------------------------
    # CHECKS
    # ------------------------------------------------------------

    def _check_input(self):
        if not self.user_id:
            raise UserError(_("Choose the salesperson who leaves or is away."))
        if not (
            self.include_leads
            or self.include_opportunities
            or self.include_customers
            or self.include_activities
        ):
            raise UserError(
                _(
                    "Choose what to hand over: open leads, open opportunities, "
                    "customers or planned activities."
                )
            )
        if self.include_activities and not (
            self.include_leads or self.include_opportunities or self.include_customers
        ):
            raise UserError(
                _(
                    "Planned activities move with the leads and customers handed "
                    "over: choose leads, opportunities or customers too."
                )
            )
        if self.mode == "user":
            target = self.target_user_id.sudo()
            if not target:
                raise UserError(_("Choose the salesperson who receives the book."))
            if target == self.user_id:
                raise UserError(
                    _(
                        "%(user)s cannot hand over to themselves: choose another "
                        "salesperson.",
                        user=target.name,
                    )
                )
            if not target.active:
                raise UserError(
                    _(
                        "%(user)s is archived: choose an active salesperson.",
                        user=target.name,
                    )
                )
            if target.share:
                raise UserError(
                    _(
                        "%(user)s is not an internal user and cannot own leads.",
                        user=target.name,
                    )
                )

    def _check_rights(self):
        """Sales managers hand over anyone; a team leader hands over a member
        of a team they lead (not a sales manager); others nobody."""
        teams = self._get_leader_teams()
        if teams is None:
            return
        if not teams:
            raise AccessError(
                _(
                    "Only a sales manager or a team leader can hand over the book "
                    "of a salesperson: ask your sales manager."
                )
            )
        leaving = self.user_id.sudo()
        if leaving.has_group(MANAGER):
            raise AccessError(
                _(
                    "%(user)s is a sales manager: only a sales manager can hand "
                    "over their book.",
                    user=leaving.name,
                )
            )
        if not leaving.crm_team_ids & teams and not self._owns_leads_in(teams):
            raise AccessError(
                _(
                    "%(user)s is not a member of a team you lead (%(teams)s): ask "
                    "a sales manager to hand over their book.",
                    user=leaving.name,
                    teams=", ".join(teams.mapped("name")),
                )
            )

    def _owns_leads_in(self, teams):
        """Whether the salesperson leaving still owns open leads in ``teams``
        (a rep who left the team, moved to another or was archived: Odoo
        archives their membership, not their leads)."""
        return bool(
            self.env["crm.lead"]
            .sudo()
            .search_count(
                [("user_id", "=", self.user_id.id), ("team_id", "in", teams.ids)],
                limit=1,
            )
        )

    def _check_receivers(self, users):
        """A team leader gives only to the members of the teams they lead, or
        takes over themselves."""
        teams = self._get_leader_teams()
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

    def _check_target_fits(self, leads, partners):
        """One receiver: they must work in the leads' companies and belong to
        the leads' teams."""
        target = self.target_user_id.sudo()
        companies = (leads.company_id | partners.company_id) - target.company_ids
        if companies:
            raise UserError(
                _(
                    "%(user)s may not work in %(companies)s: choose a salesperson "
                    "of that company, or hand over by the queue rules.",
                    user=target.name,
                    companies=", ".join(companies.mapped("name")),
                )
            )
        outside = leads.team_id.filtered(
            lambda team: team.user_id != target and target not in team.member_ids
        )
        if outside:
            raise UserError(
                _(
                    "%(user)s is not a member of %(teams)s: add them to the team "
                    "first, or hand over by the queue rules.",
                    user=target.name,
                    teams=", ".join(outside.mapped("name")),
                )
            )

    # ------------------------------------------------------------
    # PLAN
    # ------------------------------------------------------------

    def _plan(self, lock=False):
        """Where everything goes, computed in memory (see :class:`HandoverPlan`).

        :param lock: passed to the routing engine (False for the preview)
        """
        self._check_input()
        self._check_rights()
        if self.mode == "user":
            self._check_receivers(self.target_user_id)
        leads = self._get_leads()
        partners = self._get_partners()
        if not leads and not partners:
            self._raise_nothing_to_hand_over()
        plan = HandoverPlan()
        leaving = self.user_id
        why = Reason("handover", {"user": Reason.ref(leaving)})
        if self.mode == "user":
            self._check_target_fits(leads, partners)
            target = self.target_user_id
            plan.decisions = [
                Decision(lead, target, lead.queue_id, "handover", why) for lead in leads
            ]
            plan.partners = dict.fromkeys(partners.ids, target)
            return plan
        self._plan_by_queues(plan, leads, lock)
        self._plan_partners(plan, partners)
        receivers = self.env["res.users"].union(
            *(decision.user for decision in plan.decisions),
            *plan.partners.values(),
        )
        self._check_receivers(receivers)
        return plan

    def _raise_nothing_to_hand_over(self):
        teams = self._get_leader_teams()
        if teams is None:
            raise UserError(
                _(
                    "%(user)s has nothing to hand over in this scope: no open lead "
                    "or opportunity and no customer.",
                    user=self.user_id.name,
                )
            )
        raise UserError(
            _(
                "%(user)s has nothing to hand over in this scope: no open lead or "
                "opportunity in the teams you lead (%(teams)s) and no customer you "
                "may edit. Leads in other teams are handed over by a sales manager.",
                user=self.user_id.name,
                teams=", ".join(teams.mapped("name")),
            )
        )

    def _plan_by_queues(self, plan, leads, lock):
        leaving = self.user_id
        Queue = self.env["crm.team.queue"].sudo()
        queue_team_ids = Queue._get_queue_team_ids()
        routable = leads.filtered(
            lambda lead: not lead.team_id or lead.team_id.id in queue_team_ids
        )
        routing = Queue._plan_routing(
            routable, lock=lock, exclude_user_ids=[leaving.id]
        )
        if routing.busy:
            raise UserError(
                _(
                    "The queues of these leads are routing other leads right now: "
                    "try again in a moment."
                )
            )
        plan.routing_state = routing.state
        user_ref = Reason.ref(leaving)
        for decision in routing.decisions.values():
            decision.method = "handover"
            decision.reason = Reason(
                "handover_route",
                {"user": user_ref, "reason": decision.reason.to_json()},
            )
            plan.decisions.append(decision)
        for lead in leads.filtered(lambda lead: lead.id not in routing.decisions):
            leader = lead.team_id.user_id
            if not lead.team_id:
                plan.unplaced[_("no team and no queue matches")] += 1
            elif not leader or not leader.active or leader == leaving:
                plan.unplaced[
                    _(
                        "no queue of %(team)s matches and the team has no other leader",
                        team=lead.team_id.name,
                    )
                ] += 1
            else:
                plan.decisions.append(
                    Decision(
                        lead,
                        leader,
                        lead.queue_id,
                        "handover",
                        Reason(
                            "handover_leader",
                            {"user": user_ref, "reason": Reason("no_queue").to_json()},
                        ),
                    )
                )

    def _plan_partners(self, plan, partners):
        """By the queue rules, a customer goes to whoever receives most of
        their leads, else to the leader of the leaving salesperson's team."""
        if not partners:
            return
        received = defaultdict(Counter)
        for decision in plan.decisions:
            partner = decision.lead.partner_id.commercial_partner_id
            if partner and decision.user:
                received[partner.id][decision.user] += 1
        leader = self._get_customer_fallback()
        for partner in partners:
            company = partner.company_id
            counts = received.get(partner.commercial_partner_id.id) or Counter()
            # Only receivers who work in the customer's company.
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

    def _get_customer_fallback(self):
        """Who takes, by the queue rules, the customers none of whose leads
        went to anyone: the leader of the leaving salesperson's team; the team
        leader running the handover when they run it (they lead a team of the
        salesperson leaving). Nobody when that is the salesperson leaving."""
        if self._get_leader_teams() is None:
            leader = self.user_id.sudo().sale_team_id.user_id
        else:
            leader = self.env.user
        if leader == self.user_id or not leader.active:
            return self.env["res.users"]
        return leader

    def _preview_lines(self, plan):
        """Preview lines of ``plan``: one per receiver (leads, customers,
        activities), one per pool, one per reason a lead or customer could not
        be placed."""
        leads_by = Counter()
        pool_why = {}
        for decision in plan.decisions:
            key = (decision.user.id, False if decision.user else decision.queue.id)
            leads_by[key] += 1
            inner = (decision.reason.args or {}).get("reason") or {}
            if not decision.user and inner.get("code") not in (None, "pool"):
                # Nobody was eligible: say why (the first such lead's reason).
                pool_why.setdefault(decision.queue.id, decision.reason)
        partners_by = Counter(user.id for user in plan.partners.values())
        activities_by = self._activity_moves(plan)
        keys = set(leads_by) | {(user_id, False) for user_id in partners_by}
        keys |= {(user_id, False) for user_id in activities_by}
        lines = []
        for user_id, queue_id in sorted(keys, key=lambda k: (not k[0], k)):
            lines.append(
                {
                    "user_id": user_id or False,
                    "queue_id": queue_id,
                    "lead_count": leads_by.get((user_id, queue_id), 0),
                    "partner_count": partners_by.get(user_id, 0) if user_id else 0,
                    "activity_count": len(activities_by.get(user_id, ()))
                    if user_id
                    else 0,
                    "note": "" if user_id else self._pool_note(pool_why.get(queue_id)),
                }
            )
        for note, count in sorted(plan.unplaced.items()):
            lines.append({"lead_count": count, "note": _("not placed: %s", note)})
        for note, count in sorted(plan.unplaced_partners.items()):
            lines.append({"partner_count": count, "note": _("not placed: %s", note)})
        return lines

    def _pool_note(self, reason):
        if not reason:
            return _("waits in the pool of its queue")
        inner = reason.args["reason"]
        return _(
            "waits in the pool of its queue (%(reason)s)",
            reason=Reason(inner["code"], inner.get("args") or {}).render(self.env),
        )

    def _activity_moves(self, plan):
        """Planned activities of the salesperson leaving on the leads and
        customers handed over, by receiving user id.

        :return: dict {user id: list of activity ids}
        """
        if not self.include_activities:
            return {}
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
                self.user_id.id,
            )
        )
        result = defaultdict(list)
        for activity_id, res_model, res_id in self.env.cr.fetchall():
            user_id = owner.get((res_model, res_id))
            if user_id:
                result[user_id].append(activity_id)
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_preview(self):
        """Compute who gets what (nothing is written) and show it."""
        self.ensure_one()
        plan = self._plan()
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(values) for values in self._preview_lines(plan)
        ]
        self.previewed = True
        return self._reopen()

    def action_apply(self):
        """Hand over exactly what the preview shows (when there is one: if
        anything changed since, nothing is written and the preview is asked
        again), then archive the user when asked."""
        self.ensure_one()
        if self.archive_user and not self.env.user.has_group("base.group_erp_manager"):
            raise AccessError(
                _(
                    "Only an administrator can archive users: uncheck Archive the "
                    "User Afterwards, or ask an administrator."
                )
            )
        plan = self._plan(lock="nowait")
        if self.archive_user and (plan.unplaced or plan.unplaced_partners):
            raise UserError(
                _(
                    "%(user)s would keep %(leads)s lead(s) and %(partners)s "
                    "customer(s) that could not be placed (see the preview): hand "
                    "them over to one salesperson, or uncheck Archive the User "
                    "Afterwards.",
                    user=self.user_id.name,
                    leads=sum(plan.unplaced.values()),
                    partners=sum(plan.unplaced_partners.values()),
                )
            )
        if self.previewed:
            planned = self._preview_lines(plan)
            shown = sorted(
                (line.user_id.id, line.queue_id.id, line.lead_count, line.partner_count)
                for line in self.line_ids
            )
            now = sorted(
                (
                    line.get("user_id") or False,
                    line.get("queue_id") or False,
                    line.get("lead_count", 0),
                    line.get("partner_count", 0),
                )
                for line in planned
            )
            if shown != now:
                raise UserError(
                    _(
                        "The handover of %(user)s is no longer what the preview "
                        "shows (their leads or customers changed, or the queues "
                        "moved on to other members by routing other leads): "
                        "preview again before applying.",
                        user=self.user_id.name,
                    )
                )
        if self.archive_user:
            self._check_nothing_left(plan)
        self._apply_plan(plan)
        if self.archive_user:
            # Whatever the plan missed: raising rolls the whole handover back.
            self._check_nothing_left(HandoverPlan())
            leaving = self.user_id.with_context(**{HANDOVER_DONE: HANDOVER_TOKEN})
            leaving.action_archive()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Handover Done"),
                "message": _(
                    "%(leads)s lead(s) and %(partners)s customer(s) of %(user)s "
                    "handed over.",
                    leads=sum(1 for d in plan.decisions),
                    partners=len(plan.partners),
                    user=self.user_id.name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _check_nothing_left(self, plan):
        """Before archiving: once ``plan`` is applied, the salesperson leaving
        must own no open lead or opportunity and no planned activity any more
        (the scope may leave some out, leads may wait in a pool with their
        activities), since archiving deletes their activities."""
        leaving = self.user_id.sudo()
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
        for moved in self._activity_moves(plan).values():
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

    def _apply_plan(self, plan):
        """Write ``plan``: leads through the one door (one write per group,
        one ledger insert, one digest per receiver), customers and activities
        with one write per receiver."""
        activity_moves = self._activity_moves(plan)
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
        # One digest per receiver (above), not Odoo's "you have been assigned"
        # per customer.
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
        for user_id, activity_ids in activity_moves.items():
            Activity.browse(activity_ids).write({"user_id": user_id})

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Salesperson Handover"),
        }


class CrmSalespersonHandoverLine(models.TransientModel):
    _name = "crm.salesperson.handover.line"
    _description = "Salesperson Handover Preview Line"
    _order = "id"

    handover_id = fields.Many2one(
        "crm.salesperson.handover", required=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", string="Receiver")
    queue_id = fields.Many2one("crm.team.queue", string="Pool of Queue")
    lead_count = fields.Integer(string="Leads")
    partner_count = fields.Integer(string="Customers")
    activity_count = fields.Integer(string="Activities")
    note = fields.Char()
