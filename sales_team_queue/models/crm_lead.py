from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # Odoo's default owner is the creating user; while the lead's team has queues
    # the default is nobody, so that the queue picks the owner.
    user_id = fields.Many2one(default=lambda self: self._default_queue_user_id())
    queue_id = fields.Many2one(
        "crm.team.queue",
        string="Queue",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        copy=False,
        help="The queue that routed this lead (or whose pool it waits in).",
    )
    queue_state = fields.Selection(
        [
            ("unrouted", "Unrouted"),
            ("pool", "In Pool"),
            ("assigned", "Assigned"),
        ],
        string="Queue State",
        compute="_compute_queue_state",
        store=True,
        precompute=True,
        index=True,
        help="Unrouted: no queue has placed the lead yet.\n"
        "In Pool: the lead waits, without salesperson, in its queue's pool.\n"
        "Assigned: the lead has a salesperson.",
    )
    assignment_ids = fields.One2many(
        "crm.lead.assignment",
        "lead_id",
        string="Assignment History",
        help="Every change of salesperson of this lead, with the reason.",
    )
    assignment_count = fields.Integer(
        string="Assignments", compute="_compute_assignment_count"
    )
    sla_deadline = fields.Datetime(
        string="SLA Deadline",
        copy=False,
        help="When the salesperson must have taken up the lead, from the SLA of "
        "its queue.",
    )
    product_interest_ids = fields.Many2many(
        "product.template",
        "crm_lead_product_interest_rel",
        "lead_id",
        "product_id",
        string="Product Interest",
        help="Products the customer asked about; queues can route on them.",
    )

    @api.depends("user_id", "queue_id")
    def _compute_queue_state(self):
        for lead in self:
            if lead.user_id:
                lead.queue_state = "assigned"
            elif lead.queue_id:
                lead.queue_state = "pool"
            else:
                lead.queue_state = "unrouted"

    def _compute_assignment_count(self):
        groups = self.env["crm.lead.assignment"]._read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
        )
        counts = {lead.id: count for lead, count in groups}
        for lead in self:
            lead.assignment_count = counts.get(lead.id, 0)

    # ------------------------------------------------------------
    # DEFAULTS
    # ------------------------------------------------------------

    @api.model
    def _queue_default_owner(self, team_id=False):
        """Default (owner, team) of a new lead: Odoo's (the current user) unless
        the lead's team - given, from the context, or the user's default team -
        has active queues; then nobody, so that the queue routes it.

        :return: tuple (user id or False, team id or False)
        """
        queue_team_ids = self.env["crm.team.queue"]._get_queue_team_ids()
        if not queue_team_ids:
            return self.env.uid, False
        team_id = team_id or self.env.context.get("default_team_id")
        if not team_id:
            team_id = (
                self.env["crm.team"]
                ._get_default_team_id(
                    user_id=self.env.uid,
                    domain=[("use_leads", "=", True)]
                    if self.env.context.get("default_type", "lead") == "lead"
                    else [("use_opportunities", "=", True)],
                )
                .id
            )
        if team_id in queue_team_ids and self._queue_routes_own_creations(team_id):
            return False, team_id
        return self.env.uid, False

    @api.model
    def _queue_routes_own_creations(self, team_id):
        """Whether the queues route the leads the current user creates: yes for
        users who see all leads and are not a member of the team (managers,
        receptionists, integrations); a salesperson keeps the leads they create
        themselves, as in Odoo (and could not see them once routed to another)."""
        user = self.env.user
        if not user.has_group("sales_team.group_sale_salesman_all_leads"):
            return False
        team = self.env["crm.team"].browse(team_id)
        return user not in team.sudo().member_ids

    def _default_queue_user_id(self):
        return self.env["res.users"].browse(self._queue_default_owner()[0])

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            "user_id" in fields_list
            and not values.get("user_id")
            and "team_id" in fields_list
            and not values.get("team_id")
            and "default_user_id" not in self.env.context
        ):
            user_id, team_id = self._queue_default_owner()
            if not user_id and team_id:
                values["team_id"] = team_id
        return values

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if (
            "default_user_id" not in self.env.context
            and self.env["crm.team.queue"]._get_queue_team_ids()
        ):
            # One default per team for the whole batch (not one per lead).
            defaults = {}
            for vals in vals_list:
                if "user_id" in vals:
                    continue
                team_key = vals.get("team_id") or False
                if team_key not in defaults:
                    defaults[team_key] = self._queue_default_owner(team_key)
                user_id, team_id = defaults[team_key]
                vals["user_id"] = user_id
                if team_id and not vals.get("team_id"):
                    vals["team_id"] = team_id
        leads = super().create(vals_list)
        if not self.env.context.get("sales_team_queue_no_route"):
            to_route = leads.filtered(
                lambda lead: not lead.user_id and not lead.queue_id
            )
            if to_route and self.env["crm.team.queue"]._get_queue_team_ids():
                to_route._queue_route()
        return leads

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_route(self):
        """Route the selected leads that have no salesperson through the queues
        of their team (or of every team when they have none). Callable by RPC.

        :return: a client notification saying what happened
        """
        leads = self.filtered(lambda lead: not lead.user_id)
        result = leads._queue_route()
        assigned = sum(1 for outcome in result.values() if outcome == "assigned")
        pooled = sum(1 for outcome in result.values() if outcome == "pool")
        unmatched = len(leads) - assigned - pooled
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if not unmatched else "warning",
                "title": _("Leads Routed"),
                "message": _(
                    "%(assigned)s assigned, %(pooled)s placed in a pool, %(left)s "
                    "matched no queue, %(owned)s already had a salesperson.",
                    assigned=assigned,
                    pooled=pooled,
                    left=unmatched,
                    owned=len(self) - len(leads),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_claim(self):
        """Take the selected pool leads for the current user (a member of their
        queue). The leads are locked first, so that two reps never claim the same
        lead. Callable by RPC."""
        if not self:
            return True
        user = self.env.user
        not_pool = self.filtered(lambda lead: lead.queue_state != "pool")
        if not_pool:
            raise UserError(
                _(
                    "%(leads)s is not waiting in a pool: only unassigned leads of a "
                    "queue's pool can be claimed.",
                    leads=", ".join(not_pool.mapped("display_name")),
                )
            )
        is_manager = user.has_group("sales_team.group_sale_manager")
        for queue in self.queue_id:
            member = queue.sudo().member_ids.filtered(
                lambda m: m.user_id == user and m.active
            )
            if not member and not is_manager:
                raise UserError(
                    _(
                        "You are not an available member of the queue %(queue)s: ask "
                        "your team leader to add you, or to un-pause you.",
                        queue=queue.name,
                    )
                )
        self.env.cr.execute(
            SQL(
                """SELECT id FROM crm_lead
                    WHERE id IN %s AND user_id IS NULL
                    ORDER BY id FOR UPDATE SKIP LOCKED""",
                tuple(self.ids),
            )
        )
        locked_ids = {row[0] for row in self.env.cr.fetchall()}
        self.invalidate_recordset(["user_id", "queue_state"])
        taken = self.filtered(lambda lead: lead.id not in locked_ids or lead.user_id)
        if taken:
            raise UserError(
                _(
                    "%(leads)s was just claimed by someone else: refresh the pool "
                    "and pick another lead.",
                    leads=", ".join(taken.mapped("display_name")),
                )
            )
        reason = _("claimed from pool")
        self.sudo()._queue_assign_batch(
            [
                (lead, user, lead.queue_id, lead.queue_id.team_id, reason)
                for lead in self
            ],
            method="claim",
            notify=False,
        )
        return True

    def action_release(self):
        """Give the selected leads of the current user back to their queue's pool
        (a manager may release anyone's). Callable by RPC."""
        if not self:
            return True
        user = self.env.user
        no_queue = self.filtered(lambda lead: not lead.queue_id)
        if no_queue:
            raise UserError(
                _(
                    "%(leads)s belongs to no queue, so it has no pool to go back to: "
                    "reassign it instead.",
                    leads=", ".join(no_queue.mapped("display_name")),
                )
            )
        if not user.has_group("sales_team.group_sale_manager"):
            others = self.filtered(lambda lead: lead.user_id != user)
            if others:
                raise UserError(
                    _(
                        "%(leads)s is not yours: only its salesperson or a sales "
                        "manager can release it to the pool.",
                        leads=", ".join(others.mapped("display_name")),
                    )
                )
        self.sudo()._queue_assign_batch(
            [
                (lead, self.env["res.users"], lead.queue_id, lead.team_id, False)
                for lead in self
            ],
            method="recycle",
            reason=_("released to the pool by %s", user.name),
            notify=False,
        )
        return True

    def action_view_assignments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Assignment History"),
            "res_model": "crm.lead.assignment",
            "view_mode": "list,form",
            "domain": [("lead_id", "=", self.id)],
            "context": {"default_lead_id": self.id},
        }

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_route_backlog(self, limit=1000):
        """Route open leads that have neither salesperson nor queue (created while
        no queue matched, or before queues existed), newest first."""
        team_ids = list(self.env["crm.team.queue"]._get_queue_team_ids())
        if not team_ids:
            return True
        leads = self.search(
            [
                ("user_id", "=", False),
                ("queue_id", "=", False),
                "|",
                ("team_id", "=", False),
                ("team_id", "in", team_ids),
            ],
            order="id desc",
            limit=limit,
        )
        leads.sorted("id")._queue_route()
        return True

    # ------------------------------------------------------------
    # ROUTING (see readme/DEVELOP.md)
    # ------------------------------------------------------------

    def _queue_route(self):
        """Route ``self`` through the queues: each lead without salesperson goes to
        the first active queue of its team (of every team, in team order, when it
        has none) that matches it, whose strategy picks a member or places it in
        the pool. Set-based: the plan is computed in memory and written per owner.

        :return: dict {lead id: 'assigned' | 'pool'} for the leads placed
        """
        leads = self.sudo().filtered(lambda lead: not lead.user_id and lead.active)
        if not leads:
            return {}
        return self.env["crm.team.queue"].sudo()._route_leads(leads)

    def _queue_assign(self, user, queue=False, method="manual", reason=False, **kw):
        """The one assignment primitive: give ``self`` (leads) to ``user`` (or to
        nobody: back to the pool of ``queue``) and record it. See
        :meth:`_queue_assign_batch` for what it does and the keyword options.
        """
        queue = queue or self.env["crm.team.queue"]
        team = kw.pop("team", False) or queue.team_id
        return self._queue_assign_batch(
            [(lead, user, queue, team or lead.team_id, reason) for lead in self],
            method=method,
            **kw,
        )

    @api.model
    def _queue_assign_batch(
        self, assignments, method="manual", reason=False, notify=None, activity=True
    ):
        """Apply a list of assignments, set-based (one write per owner, team,
        queue and stage; one create for all ledger lines and for all activities):

        - writes the owner, team and queue of each lead, and a stage valid for
          the new team when the current one belongs to another team;
        - writes one ``crm.lead.assignment`` line per lead with ``method`` and the
          reason (the assignment's own, else ``reason``);
        - schedules the queue's activity (or the company default) for the new
          owner, due in working days of their calendar;
        - sends exactly one notification to each new owner per lead (none to the
          current user; Odoo's own assignment notification is suppressed).

        :param assignments: list of tuples (lead, user, queue, team, reason) where
            user may be empty (lead back to its queue's pool), queue may be empty
        :param bool notify: force (True/False) the notification; None follows the
            queue's ``notify_assignee`` (or the company default without queue)
        :param bool activity: schedule the activity (queue or company default)
        :return: the ledger lines created
        """
        Lead = self.env["crm.lead"]
        if not assignments:
            return self.env["crm.lead.assignment"]
        now = fields.Datetime.now()
        company = self.env.company
        stage_cache = {}
        groups = {}
        ledger_vals = []
        alerts = {}
        for lead, user, queue, team, line_reason in assignments:
            team = team or lead.team_id
            stage = lead.stage_id
            if stage.team_id and team and stage.team_id != team:
                if team.id not in stage_cache:
                    stage_cache[team.id] = Lead._stage_find(
                        team_id=team.id, domain=[("fold", "=", False)]
                    )
                stage = stage_cache[team.id]
            sla_deadline = lead.sla_deadline
            if user and queue.sla_hours:
                sla_deadline = now + timedelta(hours=queue.sla_hours)
            key = (user.id, team.id, queue.id, stage.id, sla_deadline)
            groups.setdefault(key, Lead)
            groups[key] |= lead
            ledger_vals.append(
                {
                    "lead_id": lead.id,
                    "user_id": user.id,
                    "previous_user_id": lead.user_id.id,
                    "queue_id": queue.id,
                    "team_id": team.id,
                    "method": method,
                    "reason": line_reason or reason,
                }
            )
            if user and user != lead.user_id:
                alerts.setdefault((user, queue or company), Lead)
                alerts[(user, queue or company)] |= lead
        # The chatter gets one note per lead with the reason (created in one
        # batch) instead of per-lead tracking messages; Odoo's own assignment
        # notification is replaced by ours (see _queue_alert).
        writer = Lead.with_context(
            mail_auto_subscribe_no_notify=True,
            mail_notrack=True,
            sales_team_queue_no_route=True,
        )
        for (
            user_id,
            team_id,
            queue_id,
            stage_id,
            sla_deadline,
        ), leads in groups.items():
            vals = {"user_id": user_id, "team_id": team_id, "queue_id": queue_id}
            if stage_id and any(lead.stage_id.id != stage_id for lead in leads):
                vals["stage_id"] = stage_id
            if sla_deadline != leads[:1].sla_deadline or len(leads) > 1:
                vals["sla_deadline"] = sla_deadline
            writer.browse(leads.ids).write(vals)
        lines = self.env["crm.lead.assignment"].sudo().create(ledger_vals)
        Lead.browse([vals["lead_id"] for vals in ledger_vals])._message_log_batch(
            bodies={line.lead_id.id: line._get_chatter_body() for line in lines}
        )
        for (user, source), leads in alerts.items():
            self._queue_alert(leads, user, source, notify=notify, activity=activity)
        return lines

    @api.model
    def _queue_alert(self, leads, user, source, notify=None, activity=True):
        """Schedule ``source``'s activity (a queue, or the company defaults) for
        ``user`` on ``leads`` and send them one notification per lead."""
        settings = self._queue_alert_settings(source)
        if activity and settings["activity_type"]:
            deadline = self._queue_activity_deadline(user, settings["deadline_days"])
            activity_type = settings["activity_type"]
            model_id = self.env["ir.model"]._get_id("crm.lead")
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=True
            ).create(
                [
                    {
                        "activity_type_id": activity_type.id,
                        "summary": activity_type.summary,
                        "note": activity_type.default_note,
                        "automated": True,
                        "date_deadline": deadline,
                        "res_model_id": model_id,
                        "res_id": lead.id,
                        "user_id": user.id,
                    }
                    for lead in leads
                ]
            )
        do_notify = settings["notify"] if notify is None else notify
        if do_notify and user != self.env.user and user.active:
            partner = user.partner_id
            leads.with_context(
                lang=partner.lang or self.env.context.get("lang")
            )._message_auto_subscribe_notify(partner.ids, "mail.message_user_assigned")

    @api.model
    def _queue_alert_settings(self, source):
        """Alert settings of a queue, or the company defaults (assignments made
        outside any queue)."""
        if source._name == "res.company":
            return {
                "activity_type": source.queue_activity_type_id,
                "deadline_days": source.queue_activity_deadline_days,
                "notify": source.queue_notify_assignee,
            }
        return {
            "activity_type": source.activity_type_id,
            "deadline_days": source.activity_deadline_days,
            "notify": source.notify_assignee,
        }

    @api.model
    def _queue_activity_deadline(self, user, days):
        """The date ``days`` working days after today for ``user``: counted on
        their working schedule (skipping days off and time off) when they have
        one, in calendar days otherwise. 0 is today (in the user's time zone)."""
        tz = pytz.timezone(user.tz or "UTC")
        today = datetime.now(tz).date()
        calendar = user.resource_calendar_id
        if not days:
            return today
        if calendar:
            start = tz.localize(datetime.combine(today + timedelta(days=1), time.min))
            resource = user.resource_ids.filtered(lambda r: r.calendar_id == calendar)[
                :1
            ]
            found = set()
            for step in range(26):  # look one year ahead at most
                window_start = start + timedelta(days=14 * step)
                intervals = calendar._work_intervals_batch(
                    window_start,
                    window_start + timedelta(days=14),
                    resources=resource,
                    tz=tz,
                )[resource.id]
                for interval_start, _stop, _meta in intervals:
                    found.add(interval_start.astimezone(tz).date())
                    if len(found) == days:
                        return max(found)
        return today + timedelta(days=days)
