from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .crm_lead_pool import ClaimState
from .crm_team_queue import MEMBER_MAXIMA, check_maxima

# Figures and routing state of a member: counted from the ledger and the leads,
# or kept by routing itself (in SQL); never set by a client.
SERVER_FIELDS = (
    "assigned_today",
    "open_count",
    "claimed_today",
    "sla_running_count",
    "wrr_current",
)


class CrmTeamQueueMember(models.Model):
    _name = "crm.team.queue.member"
    _description = "Lead Queue Member"
    _inherit = ["crm.server.owned.mixin"]
    _server_owned_fields = SERVER_FIELDS
    _order = "sequence, id"
    _rec_name = "user_id"

    queue_id = fields.Many2one(
        "crm.team.queue",
        string="Queue",
        required=True,
        index=True,
        ondelete="cascade",
    )
    team_id = fields.Many2one(related="queue_id.team_id", store=True)
    company_id = fields.Many2one(related="queue_id.company_id", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('share', '=', False)]",
        help="A member of the queue's sales team.",
    )
    sequence = fields.Integer(
        default=10, help="Turn order of the member in round-robin queues."
    )
    active = fields.Boolean(
        string="Available",
        default=True,
        help="Untick to pause the member: they receive no lead from this queue "
        "until ticked again, and keep their place in the rotation.",
    )
    weight = fields.Integer(
        default=1,
        help="Weighted queues: the member's share of leads relative to the others "
        "(2 gets twice as many as 1).",
    )
    daily_cap = fields.Integer(
        string="Daily Cap",
        help="Most leads the member receives from this queue per day (their own "
        "time zone). 0: no cap.",
    )
    max_open = fields.Integer(
        string="Max Open",
        help="The member receives no lead while they have this many open leads "
        "(not won, not lost) in the team. 0: no limit.",
    )
    is_senior = fields.Boolean(
        string="Senior",
        help="Senior members get first access to VIP leads: in the pool, during "
        "the queue's VIP Senior Minutes; in a queue that assigns, a VIP lead goes "
        "to an eligible senior member first.",
    )
    skill_tag_ids = fields.Many2many(
        "crm.tag",
        "crm_team_queue_member_skill_rel",
        "member_id",
        "tag_id",
        string="Skills",
        help="Lead tags the member can handle; compared with the queue's skill tags.",
    )
    assigned_today = fields.Integer(
        string="Assigned Today",
        compute="_compute_assigned_today",
        help="Leads the member received from this queue today (their time zone).",
    )
    open_count = fields.Integer(
        string="Open Leads",
        compute="_compute_open_count",
        help="Open leads (not won, not lost) of the member in the team.",
    )
    claimed_today = fields.Integer(
        string="Claimed Today",
        compute="_compute_claimed_today",
        help="Leads the member claimed from this queue's pool today (their time "
        "zone), against the queue's daily claim limit.",
    )
    claim_daily_limit = fields.Integer(
        related="queue_id.claim_daily_limit",
        string="Daily Claim Limit",
    )
    sla_running_count = fields.Integer(
        string="SLAs Running",
        compute="_compute_sla_running_count",
        help="The member's leads of this queue whose SLA runs: a follow-up is due "
        "before their deadline.",
    )
    wrr_current = fields.Integer(
        string="Weighted Turn Credit",
        readonly=True,
        copy=False,
        help="Technical: smooth weighted round-robin credit of the member.",
    )

    _sql_constraints = [
        (
            "queue_user_unique",
            "UNIQUE(queue_id, user_id)",
            "A salesperson can be listed only once in a queue.",
        ),
        ("weight_positive", "CHECK(weight >= 1)", "The weight must be at least 1."),
        (
            "daily_cap_positive",
            "CHECK(daily_cap >= 0)",
            "The daily cap cannot be negative (0 means no cap).",
        ),
        (
            "max_open_positive",
            "CHECK(max_open >= 0)",
            "The maximum of open leads cannot be negative (0 means no limit).",
        ),
    ]

    def _compute_assigned_today(self):
        counts = self.env["crm.team.queue"]._routing_assigned_today(
            self.queue_id, self.user_id
        )
        for member in self:
            member.assigned_today = counts.get(
                (member.queue_id.id, member.user_id.id), 0
            )

    def _compute_open_count(self):
        counts = self.env["crm.team.queue"]._routing_open_counts(
            self.queue_id.team_id, self.user_id
        )
        for member in self:
            member.open_count = counts.get((member.team_id.id, member.user_id.id), 0)

    def _compute_claimed_today(self):
        Line = self.env["crm.lead.assignment"].sudo()
        now = fields.Datetime.now()
        counts = {}
        for user in self.user_id:
            since = ClaimState(user, now, False).day_start
            groups = Line._read_group(
                [
                    ("method", "=", "claim"),
                    ("user_id", "=", user.id),
                    ("queue_id", "in", self.queue_id.ids),
                    ("create_date", ">=", since),
                ],
                ["queue_id"],
                ["__count"],
            )
            counts.update({(queue.id, user.id): n for queue, n in groups})
        for member in self:
            member.claimed_today = counts.get(
                (member.queue_id.id, member.user_id.id), 0
            )

    def _compute_sla_running_count(self):
        groups = (
            self.env["crm.lead"]
            .sudo()
            ._read_group(
                [
                    ("sla_state", "=", "running"),
                    ("queue_id", "in", self.queue_id.ids),
                    ("user_id", "in", self.user_id.ids),
                ],
                ["queue_id", "user_id"],
                ["__count"],
            )
        )
        counts = {(queue.id, user.id): n for queue, user, n in groups}
        for member in self:
            member.sla_running_count = counts.get(
                (member.queue_id.id, member.user_id.id), 0
            )

    @api.constrains("user_id", "queue_id")
    def _check_user_in_team(self):
        for member in self:
            team = member.queue_id.team_id
            if team._queue_not_joined_by(member.user_id):
                raise ValidationError(
                    _(
                        "%(user)s is not a member of the sales team %(team)s: add "
                        "them to the team first, then to its queue %(queue)s.",
                        user=member.user_id.name,
                        team=team.name,
                        queue=member.queue_id.name,
                    )
                )

    @api.constrains("user_id", "queue_id")
    def _check_user_company(self):
        for member in self:
            company = member.queue_id.company_id
            if company and company not in member.user_id.company_ids:
                raise ValidationError(
                    _(
                        "%(user)s may not work in %(company)s, the company of queue "
                        "%(queue)s: allow them that company first (Settings > "
                        "Users).",
                        user=member.user_id.name,
                        company=company.name,
                        queue=member.queue_id.name,
                    )
                )

    @api.constrains("user_id", "queue_id")
    def _check_user_once_per_queue(self):
        for queue in self.queue_id:
            users = queue.member_ids.user_id
            if len(users) != len(queue.member_ids):
                raise ValidationError(
                    _(
                        "A salesperson is listed twice in the queue %s: keep one line "
                        "per salesperson.",
                        queue.name,
                    )
                )

    @api.constrains("weight", "daily_cap", "max_open")
    def _check_limits(self):
        for member in self:
            check_maxima(
                member,
                MEMBER_MAXIMA,
                _(
                    "%(user)s in queue %(queue)s",
                    user=member.user_id.name,
                    queue=member.queue_id.name,
                ),
            )
            if member.weight < 1:
                raise ValidationError(
                    _(
                        "%(user)s in queue %(queue)s: the weight must be at least 1.",
                        user=member.user_id.name,
                        queue=member.queue_id.name,
                    )
                )
            if member.daily_cap < 0 or member.max_open < 0:
                raise ValidationError(
                    _(
                        "%(user)s in queue %(queue)s: caps cannot be negative (use 0 "
                        "for no limit).",
                        user=member.user_id.name,
                        queue=member.queue_id.name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def _server_owned_refusal(self, fields):
        return _(
            "%(fields)s: a member's figures are counted from their leads "
            "and the routing keeps its turns; they cannot be set by hand.",
            fields=fields,
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_pause(self):
        """Pause the members: they receive nothing from their queue until
        resumed, and keep their place. For the leader of the queue's team and
        sales managers (a leader may do this, not edit the other settings)."""
        return self._set_available(False)

    def action_resume(self):
        """Make paused members available again (see :meth:`action_pause`)."""
        return self._set_available(True)

    def _set_available(self, available):
        self._check_can_pause()
        changed = self.filtered(lambda member: member.active != available)
        changed.sudo().write({"active": available})
        for member in changed.sudo():
            member.queue_id.message_post(
                body=_(
                    "%(user)s made %(member)s available again.",
                    user=self.env.user.name,
                    member=member.user_id.name,
                )
                if available
                else _(
                    "%(user)s paused %(member)s.",
                    user=self.env.user.name,
                    member=member.user_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _check_can_pause(self):
        if self.env["crm.team"]._queue_steers_all():
            return
        for member in self.sudo():
            if member.queue_id.team_id.user_id != self.env.user:
                raise AccessError(
                    _(
                        "Only the leader of %(team)s or a sales manager can pause or "
                        "resume %(user)s in the queue %(queue)s.",
                        team=member.queue_id.team_id.name,
                        user=member.user_id.name,
                        queue=member.queue_id.name,
                    )
                )
