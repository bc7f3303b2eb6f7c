"""The queue dashboard (first screen of the lead queues): live figures of each
queue, each opening its list. All figures of all the queues shown are read in
a few grouped reads, whatever the number of queues and leads."""

from datetime import timedelta

import pytz
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression

from .local_day import today_start_utc
from .values import OPEN_LEAD_DOMAIN

DASHBOARD_FIELDS = [
    "dashboard_pool_count",
    "dashboard_oldest_pool_date",
    "dashboard_oldest_wait_hours",
    "dashboard_oldest_wait",
    "dashboard_sla_risk_count",
    "dashboard_sla_breached_count",
    "dashboard_assigned_today",
    "dashboard_claimed_today",
    "dashboard_members_at_cap",
    "dashboard_member_load",
    "dashboard_waiting_count",
]


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    dashboard_pool_count = fields.Integer(
        string="Waiting in Pool", compute="_compute_dashboard"
    )
    dashboard_oldest_pool_date = fields.Datetime(
        string="Oldest in Pool Since", compute="_compute_dashboard"
    )
    dashboard_oldest_wait = fields.Char(
        string="Oldest Wait",
        compute="_compute_dashboard",
        help="e.g. 18 min, 2 h 05 min",
    )
    dashboard_oldest_wait_hours = fields.Float(
        string="Oldest Wait (hours)", compute="_compute_dashboard"
    )
    dashboard_sla_risk_count = fields.Integer(
        string="SLA at Risk",
        compute="_compute_dashboard",
        help="Open leads whose SLA runs and whose deadline is within the queue's "
        "warning hours (or already past).",
    )
    dashboard_sla_breached_count = fields.Integer(
        string="SLA Breached",
        compute="_compute_dashboard",
        help="Open leads whose SLA was breached.",
    )
    dashboard_assigned_today = fields.Integer(
        string="Assigned Today", compute="_compute_dashboard"
    )
    dashboard_claimed_today = fields.Integer(
        string="Claimed Today", compute="_compute_dashboard"
    )
    dashboard_members_at_cap = fields.Integer(
        string="Members at Cap",
        compute="_compute_dashboard",
        help="Active members who reached their daily cap or their maximum of "
        "open leads.",
    )
    dashboard_member_load = fields.Html(
        string="Member Load",
        compute="_compute_dashboard",
        sanitize=False,
        help="Each member's open leads and leads of today against their caps.",
    )

    dashboard_waiting_count = fields.Integer(
        string="Waiting for Routing",
        compute="_compute_dashboard",
        help="Open leads of the queue's team with neither salesperson nor queue: "
        "they match no queue, a queue fails, or their routing was cut short.",
    )

    @api.depends_context("uid", "tz")
    def _compute_dashboard(self):
        # The figures are the team leader's and the managers': a rep reading a
        # queue (e.g. over RPC) gets none of them (members' loads and caps).
        queues = self.filtered("id")._dashboard_readable()
        (self - queues).update(
            {
                name: False if name.endswith(("_date", "_load", "_wait")) else 0
                for name in DASHBOARD_FIELDS
            }
        )
        if not queues:
            return
        now = fields.Datetime.now()
        Lead = self.env["crm.lead"]
        open_domain = [("queue_id", "in", queues.ids), *OPEN_LEAD_DOMAIN]
        pool = {
            queue.id: (count, oldest)
            for queue, count, oldest in Lead._read_group(
                [("queue_id", "in", queues.ids), ("queue_state", "=", "pool")],
                ["queue_id"],
                ["__count", "pool_date:min"],
            )
        }
        breached = dict(
            Lead._read_group(
                open_domain + [("sla_state", "=", "breached")],
                ["queue_id"],
                ["__count"],
            )
        )
        at_risk = dict(
            Lead._read_group(
                open_domain
                + [("sla_state", "=", "running")]
                + queues._dashboard_sla_risk_domain(now),
                ["queue_id"],
                ["__count"],
            )
        )
        today = dict.fromkeys(queues.ids, (0, 0))
        for queue, method, count in self.env["crm.lead.assignment"]._read_group(
            [
                ("queue_id", "in", queues.ids),
                ("user_id", "!=", False),
                ("create_date", ">=", self._dashboard_start_of_day(now)),
            ],
            ["queue_id", "method"],
            ["__count"],
        ):
            assigned, claimed = today[queue.id]
            today[queue.id] = (
                assigned + count,
                claimed + (count if method == "claim" else 0),
            )
        waiting = queues._dashboard_waiting_counts()
        # members of all the queues: their live counts are computed for all of
        # them at once (prefetch)
        members = queues.member_ids.filtered("active")
        for queue in queues:
            count, oldest = pool.get(queue.id, (0, False))
            queue.dashboard_pool_count = count
            queue.dashboard_oldest_pool_date = oldest
            queue.dashboard_oldest_wait_hours = (
                round((now - oldest).total_seconds() / 3600, 1) if oldest else 0
            )
            queue.dashboard_oldest_wait = (
                Lead._pool_waiting_label(int((now - oldest).total_seconds() // 60))
                if oldest
                else False
            )
            queue.dashboard_sla_breached_count = breached.get(queue, 0)
            queue.dashboard_sla_risk_count = at_risk.get(queue, 0)
            (
                queue.dashboard_assigned_today,
                queue.dashboard_claimed_today,
            ) = today[queue.id]
            mine = members.filtered(lambda member, q=queue: member.queue_id == q)
            queue.dashboard_members_at_cap = len(mine.filtered(_at_cap))
            queue.dashboard_waiting_count = waiting.get(queue.team_id, 0)
            queue.dashboard_member_load = _member_load_html(self.env, mine)

    def _dashboard_waiting_counts(self):
        """Leads waiting for routing per team of ``self``: {team: count}."""
        domain = self.env["crm.lead"]._queue_waiting_domain()
        if domain is None:
            return {}
        return dict(
            self.env["crm.lead"]._read_group(
                expression.AND([domain, [("team_id", "in", self.team_id.ids)]]),
                ["team_id"],
                ["__count"],
            )
        )

    def _dashboard_sla_risk_domain(self, now):
        """Leads whose deadline is within their queue's warning hours (or past):
        one condition per distinct warning, not per queue or lead."""
        by_warning = {}
        for queue in self:
            by_warning.setdefault(queue.sla_warning_hours or 0.0, []).append(queue.id)
        return expression.OR(
            [
                [
                    ("queue_id", "in", ids),
                    ("sla_deadline", "<=", now + timedelta(hours=warning)),
                ]
                for warning, ids in by_warning.items()
            ]
        )

    @api.model
    def _dashboard_start_of_day(self, now):
        """Start of today in the user's time zone, as a naive UTC datetime."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        return today_start_utc(now, tz)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def _dashboard_queue_domain(self):
        """The queues of the dashboard: all for managers, those of the teams a
        leader leads for them; nothing for a rep (refused)."""
        teams = self.env["crm.team"]._queue_led_teams()
        if teams is None:
            return []
        if not teams:
            raise AccessError(
                _(
                    "The queue dashboard is for team leaders and sales managers: "
                    "your own leads are in your pipeline, and the leads you may "
                    "claim in the Lead Pool."
                )
            )
        return [("team_id", "in", teams.ids)]

    @api.model
    def action_open_dashboard(self):
        """The queue dashboard of the current leader or manager; a rep's own
        page for a rep (:meth:`_dashboard_rep_action`)."""
        if not self.env["crm.team"]._queue_leads_some_team():
            return self._dashboard_rep_action()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_team_queue.crm_team_queue_action_dashboard"
        )
        action["domain"] = self._dashboard_queue_domain()
        return action

    @api.model
    def _dashboard_rep_action(self):
        """A rep's page: their line in each queue, with what they received today
        and their open leads against their caps."""
        return {
            "type": "ir.actions.act_window",
            "name": _("My Queues"),
            "res_model": "crm.team.queue.member",
            "view_mode": "list",
            "views": [
                (
                    self.env.ref(
                        "sales_team_queue.crm_team_queue_member_view_list_mine"
                    ).id,
                    "list",
                )
            ],
            "domain": [("user_id", "=", self.env.uid)],
            "context": {"active_test": False},
            "help": _(
                "<p>You are in no lead queue yet.</p><p>Your leads are in your "
                "pipeline; the leads you may claim are in the Lead Pool.</p>"
            ),
        }

    def _dashboard_readable(self):
        """The queues of ``self`` whose figures the user may read: all for
        sales managers, those of the teams they lead for leaders."""
        not_led = self.sudo().team_id.with_env(self.env)._queue_not_led()
        return self.filtered(lambda queue: queue.sudo().team_id not in not_led)

    def _check_dashboard_access(self):
        others = self - self._dashboard_readable()
        if others:
            raise AccessError(
                _(
                    "Only the team leader or a sales manager can open the figures "
                    "of the queue %s.",
                    others[0].display_name,
                )
            )

    def action_dashboard_open(self):
        """Open the list behind a figure of the dashboard (``dashboard_figure``
        in the context: pool, sla_risk, sla_breached, assigned_today,
        claimed_today, members)."""
        self.ensure_one()
        self._check_dashboard_access()
        figure = self.env.context.get("dashboard_figure")
        now = fields.Datetime.now()
        open_domain = [("queue_id", "=", self.id), *OPEN_LEAD_DOMAIN]
        if figure in ("assigned_today", "claimed_today"):
            domain = [
                ("queue_id", "=", self.id),
                ("user_id", "!=", False),
                ("create_date", ">=", self._dashboard_start_of_day(now)),
            ]
            if figure == "claimed_today":
                domain.append(("method", "=", "claim"))
            return {
                "type": "ir.actions.act_window",
                "name": _("%s: assigned today", self.name)
                if figure == "assigned_today"
                else _("%s: claimed today", self.name),
                "res_model": "crm.lead.assignment",
                "view_mode": "list,form",
                "views": [(False, "list"), (False, "form")],
                "domain": domain,
            }
        if figure == "members":
            return {
                "type": "ir.actions.act_window",
                "name": _("%s: members", self.name),
                "res_model": "crm.team.queue.member",
                "view_mode": "list",
                "views": [
                    (
                        self.env.ref(
                            "sales_team_queue.crm_team_queue_member_view_list_load"
                        ).id,
                        "list",
                    )
                ],
                "domain": [("queue_id", "=", self.id)],
                "context": {"active_test": False},
            }
        if figure == "sla_risk":
            domain = (
                open_domain
                + [("sla_state", "=", "running")]
                + self._dashboard_sla_risk_domain(now)
            )
            name = _("%s: SLA at risk", self.name)
        elif figure == "sla_breached":
            domain = open_domain + [("sla_state", "=", "breached")]
            name = _("%s: SLA breached", self.name)
        elif figure == "waiting":
            action = self.env["crm.lead"].action_open_waiting_for_routing()
            action["domain"] = expression.AND(
                [action["domain"], [("team_id", "=", self.team_id.id)]]
            )
            action["name"] = _("%s: waiting for routing", self.team_id.name)
            return action
        else:
            domain = [("queue_id", "=", self.id), ("queue_state", "=", "pool")]
            name = _("%s: waiting in the pool", self.name)
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "crm.lead",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False},
        }


def _at_cap(member):
    return bool(
        (member.daily_cap and member.assigned_today >= member.daily_cap)
        or (member.max_open and member.open_count >= member.max_open)
    )


def _member_load_html(env, members):
    if not members:
        return False
    rows = []
    for member in members:
        open_text = (
            f"{member.open_count} / {member.max_open}"
            if member.max_open
            else str(member.open_count)
        )
        today_text = (
            f"{member.assigned_today} / {member.daily_cap}"
            if member.daily_cap
            else str(member.assigned_today)
        )
        css = "text-danger fw-bold" if _at_cap(member) else ""
        rows.append(
            Markup(
                '<tr class="%s"><td>%s</td><td class="text-end">%s</td>'
                '<td class="text-end">%s</td></tr>'
            )
            % (css, escape(member.user_id.name or ""), open_text, today_text)
        )
    header = Markup(
        '<thead><tr><th>%s</th><th class="text-end">%s</th>'
        '<th class="text-end">%s</th></tr></thead>'
    ) % (env._("Member"), env._("Open"), env._("Today"))
    return Markup('<table class="table table-sm mb-0">%s<tbody>%s</tbody></table>') % (
        header,
        Markup("").join(rows),
    )
