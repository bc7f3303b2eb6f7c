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
from .values import OPEN_LEAD_DOMAIN, over_cap


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
        # (False is 0 for the counts)
        (self - queues).update(
            {
                name: False
                for name, field in self._fields.items()
                if field.compute == "_compute_dashboard"
            }
        )
        if not queues:
            return
        now = fields.Datetime.now()
        values = {queue.id: {} for queue in queues}
        for read_figures in queues._dashboard_figure_readers():
            for queue_id, figures in read_figures(now).items():
                values[queue_id].update(figures)
        for queue in queues:
            queue.update(values[queue.id])

    def _dashboard_figure_readers(self):
        """The figures of the dashboard, as methods that read them for all the
        queues of ``self`` at once: ``method(now)`` returns ``{queue id:
        {field: value}}`` for each queue of ``self``. An add-on adds a figure
        by adding its field (computed by ``_compute_dashboard``) and a method
        here."""
        return [
            self._dashboard_pool_figures,
            self._dashboard_sla_figures,
            self._dashboard_today_figures,
            self._dashboard_member_figures,
            self._dashboard_waiting_figures,
        ]

    def _dashboard_pool_figures(self, now):
        """How many leads wait in each pool, and since when the oldest."""
        Lead = self.env["crm.lead"]
        pool = {
            queue.id: (count, oldest)
            for queue, count, oldest in Lead._read_group(
                self._dashboard_pool_domain(),
                ["queue_id"],
                ["__count", "pool_date:min"],
            )
        }
        figures = {}
        for queue in self:
            count, oldest = pool.get(queue.id, (0, False))
            seconds = (now - oldest).total_seconds() if oldest else 0
            figures[queue.id] = {
                "dashboard_pool_count": count,
                "dashboard_oldest_pool_date": oldest,
                "dashboard_oldest_wait_hours": round(seconds / 3600, 1),
                "dashboard_oldest_wait": oldest
                and Lead._pool_waiting_label(int(seconds // 60)),
            }
        return figures

    def _dashboard_sla_figures(self, now):
        """Open leads whose SLA was breached, and those at risk."""
        breached = self._dashboard_count_leads(self._dashboard_sla_breached_domain())
        at_risk = self._dashboard_count_leads(self._dashboard_sla_risk_domain(now))
        return {
            queue.id: {
                "dashboard_sla_breached_count": breached.get(queue, 0),
                "dashboard_sla_risk_count": at_risk.get(queue, 0),
            }
            for queue in self
        }

    def _dashboard_count_leads(self, domain):
        return dict(self.env["crm.lead"]._read_group(domain, ["queue_id"], ["__count"]))

    def _dashboard_today_figures(self, now):
        """Leads the queues gave today (the user's day), and how many of them
        were claimed."""
        today = dict.fromkeys(self.ids, (0, 0))
        for queue, method, count in self.env["crm.lead.assignment"]._read_group(
            self._dashboard_today_domain(now), ["queue_id", "method"], ["__count"]
        ):
            assigned, claimed = today[queue.id]
            today[queue.id] = (
                assigned + count,
                claimed + (count if method == "claim" else 0),
            )
        return {
            queue_id: {
                "dashboard_assigned_today": assigned,
                "dashboard_claimed_today": claimed,
            }
            for queue_id, (assigned, claimed) in today.items()
        }

    def _dashboard_member_figures(self, now):
        """The active members' loads against their caps."""
        # members of all the queues: their live counts are computed for all of
        # them at once (prefetch)
        members = self.member_ids.filtered("active")
        figures = {}
        for queue in self:
            mine = members.filtered(lambda member, q=queue: member.queue_id == q)
            figures[queue.id] = {
                "dashboard_members_at_cap": len(mine.filtered(_at_cap)),
                "dashboard_member_load": _member_load_html(self.env, mine),
            }
        return figures

    def _dashboard_waiting_figures(self, now):
        """Leads of each queue's team waiting for routing."""
        Lead = self.env["crm.lead"]
        domain = Lead._queue_waiting_domain()
        waiting = {}
        if domain is not None:
            waiting = dict(
                Lead._read_group(
                    expression.AND([domain, [("team_id", "in", self.team_id.ids)]]),
                    ["team_id"],
                    ["__count"],
                )
            )
        return {
            queue.id: {"dashboard_waiting_count": waiting.get(queue.team_id, 0)}
            for queue in self
        }

    # ------------------------------------------------------------
    # THE RECORDS BEHIND THE FIGURES
    # ------------------------------------------------------------

    def _dashboard_queue_leaf(self):
        """Of the queues of ``self`` (one queue: the equality its list shows)."""
        if len(self) == 1:
            return ("queue_id", "=", self.id)
        return ("queue_id", "in", self.ids)

    def _dashboard_pool_domain(self):
        """Leads waiting in the pools of ``self``."""
        return [self._dashboard_queue_leaf(), ("queue_state", "=", "pool")]

    def _dashboard_sla_breached_domain(self):
        """Open leads of ``self`` whose SLA was breached."""
        return [
            self._dashboard_queue_leaf(),
            *OPEN_LEAD_DOMAIN,
            ("sla_state", "=", "breached"),
        ]

    def _dashboard_sla_risk_domain(self, now):
        """Open leads of ``self`` whose SLA runs and whose deadline is within
        their queue's warning hours (or past): one condition per distinct
        warning, not per queue or lead."""
        by_warning = {}
        for queue in self:
            by_warning.setdefault(queue.sla_warning_hours or 0.0, []).append(queue.id)
        deadline = expression.OR(
            [
                [
                    ("queue_id", "in", ids),
                    ("sla_deadline", "<=", now + timedelta(hours=warning)),
                ]
                for warning, ids in by_warning.items()
            ]
        )
        return expression.AND(
            [
                [self._dashboard_queue_leaf(), *OPEN_LEAD_DOMAIN],
                [("sla_state", "=", "running")],
                deadline,
            ]
        )

    def _dashboard_today_domain(self, now, claims_only=False):
        """Ledger lines that gave a lead of ``self`` to someone today (the
        user's day); only the claims with ``claims_only``."""
        domain = [
            self._dashboard_queue_leaf(),
            ("user_id", "!=", False),
            ("create_date", ">=", self._dashboard_start_of_day(now)),
        ]
        if claims_only:
            domain.append(("method", "=", "claim"))
        return domain

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
        action = self._dashboard_members_action(
            _("My Queues"),
            "sales_team_queue.crm_team_queue_member_view_list_mine",
            [("user_id", "=", self.env.uid)],
        )
        action["help"] = _(
            "<p>You are in no lead queue yet.</p><p>Your leads are in your "
            "pipeline; the leads you may claim are in the Lead Pool.</p>"
        )
        return action

    @api.model
    def _dashboard_members_action(self, name, view_xmlid, domain):
        """Queue members (paused ones too) in the list view ``view_xmlid``."""
        return self._dashboard_list_action(
            name,
            "crm.team.queue.member",
            domain,
            view_mode="list",
            views=[(self.env.ref(view_xmlid).id, "list")],
            context={"active_test": False},
        )

    @api.model
    def _dashboard_list_action(self, name, res_model, domain, **values):
        """The list (and form) of the records of ``res_model`` in ``domain``;
        ``values`` add to the action or replace its keys."""
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": res_model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            **values,
        }

    def _dashboard_readable(self):
        """The queues of ``self`` whose figures the user may read: all for
        sales managers, those of the teams they lead for leaders."""
        not_led = self.sudo().team_id.with_env(self.env)._queue_not_led()
        return self.filtered(lambda queue: queue.sudo().team_id not in not_led)

    def _check_dashboard_access(self):
        # The queues themselves first (their company's rule): the test below
        # reads them as superuser, which leaves them in the cache for the rest.
        self.check_access("read")
        others = self - self._dashboard_readable()
        if others:
            raise AccessError(
                _(
                    "Only the team leader or a sales manager can open the figures "
                    "of the queue %s.",
                    others[0].display_name,
                )
            )

    @api.readonly
    def action_dashboard_open(self):
        """Open the list behind a figure of the dashboard (``dashboard_figure``
        in the context: a key of :meth:`_dashboard_figure_actions`; the pool by
        default). It only reads: a replica may serve it."""
        self.ensure_one()
        self._check_dashboard_access()
        figure = self.env.context.get("dashboard_figure")
        actions = self._dashboard_figure_actions()
        # The figure only chooses among the server's lists (a client sends
        # anything: a domain, a model, a dict).
        open_list = actions.get(figure) if isinstance(figure, str) else None
        return (open_list or actions["pool"])(fields.Datetime.now())

    def _dashboard_figure_actions(self):
        """The lists behind the figures of the dashboard: ``{figure:
        method(now)}`` returning the action that opens the list of the queue
        ``self``. An add-on adds a list by adding its method here."""
        return {
            "pool": self._dashboard_open_pool,
            "sla_risk": self._dashboard_open_sla_risk,
            "sla_breached": self._dashboard_open_sla_breached,
            "assigned_today": self._dashboard_open_assigned_today,
            "claimed_today": self._dashboard_open_claimed_today,
            "members": self._dashboard_open_members,
            "waiting": self._dashboard_open_waiting,
        }

    def _dashboard_open_pool(self, now):
        return self._dashboard_leads_action(
            _("%s: waiting in the pool", self.name), self._dashboard_pool_domain()
        )

    def _dashboard_open_sla_risk(self, now):
        return self._dashboard_leads_action(
            _("%s: SLA at risk", self.name), self._dashboard_sla_risk_domain(now)
        )

    def _dashboard_open_sla_breached(self, now):
        return self._dashboard_leads_action(
            _("%s: SLA breached", self.name), self._dashboard_sla_breached_domain()
        )

    def _dashboard_open_assigned_today(self, now):
        return self._dashboard_ledger_action(
            _("%s: assigned today", self.name), self._dashboard_today_domain(now)
        )

    def _dashboard_open_claimed_today(self, now):
        return self._dashboard_ledger_action(
            _("%s: claimed today", self.name),
            self._dashboard_today_domain(now, claims_only=True),
        )

    def _dashboard_open_members(self, now):
        return self._dashboard_members_action(
            _("%s: members", self.name),
            "sales_team_queue.crm_team_queue_member_view_list_load",
            [("queue_id", "=", self.id)],
        )

    def _dashboard_open_waiting(self, now):
        action = self.env["crm.lead"].action_open_waiting_for_routing()
        action["domain"] = expression.AND(
            [action["domain"], [("team_id", "=", self.team_id.id)]]
        )
        action["name"] = _("%s: waiting for routing", self.team_id.name)
        return action

    def _dashboard_leads_action(self, name, domain):
        return self._dashboard_list_action(
            name, "crm.lead", domain, context={"create": False}
        )

    def _dashboard_ledger_action(self, name, domain):
        return self._dashboard_list_action(name, "crm.lead.assignment", domain)


def _at_cap(member):
    return over_cap(member.assigned_today, member.daily_cap) or over_cap(
        member.open_count, member.max_open
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
