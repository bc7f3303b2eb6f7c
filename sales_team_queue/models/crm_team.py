from odoo import api, fields, models
from odoo.tools import float_compare

from .counts import set_related_counts
from .values import DOOR_HINT, DoorHint, Reason


class CrmTeam(models.Model):
    _inherit = "crm.team"

    probability_mode = fields.Selection(
        [
            ("predictive", "Predictive (Odoo)"),
            ("stage", "From stage"),
        ],
        string="Probability",
        default="predictive",
        help="Predictive: Odoo computes each lead's win probability from past results "
        "(predictive lead scoring).\n"
        "From stage: a lead takes the win probability of its stage when it is created "
        "and each time it changes stage; reps may still type another value.",
    )
    stage_probability_lead_count = fields.Integer(
        string="Open Leads Off Their Stage Probability",
        compute="_compute_stage_probability_lead_count",
        help="Open leads and opportunities of the team whose probability differs "
        "from the probability of their stage.",
    )
    lead_visibility = fields.Selection(
        [
            ("own", "Own leads"),
            ("team", "Whole team"),
        ],
        string="Members See",
        default="own",
        help="What the members of this team who have 'Own Documents Only' see of "
        "the team's leads and opportunities:\n"
        "Own leads: those assigned to them, and the unassigned ones (as in Odoo).\n"
        "Whole team: all of them, whoever they are assigned to; they can edit them "
        "too, so they can stand in for each other.\n"
        "The team leader always sees and edits all of the team's leads; users with "
        "'All Documents' see every lead. A member of several teams sees each team "
        "by that team's setting.",
    )
    restrict_pool = fields.Boolean(
        string="Private Pool",
        help="Off: the unassigned leads of this team (its pool) are visible to every "
        "salesperson of the company, as in Odoo.\n"
        "On: only the team's members, its leader and users with 'All Documents' "
        "see, edit and claim them.\n"
        "Assigned leads are not affected: see 'Members See'.",
    )

    queue_ids = fields.One2many(
        "crm.team.queue",
        "team_id",
        string="Queues",
        help="Routing rules of the team, tried in order: the first active queue "
        "that matches a new lead routes it. A team with queues is skipped by "
        "Odoo's own lead assignment.",
    )
    queue_count = fields.Integer(string="Queue Count", compute="_compute_queue_count")

    def _compute_queue_count(self):
        set_related_counts(self, "queue_count", "crm.team.queue", "team_id")

    def _action_assign_leads(self, force_quota=False, creation_delta_days=7):
        # Teams with active queues route their leads themselves: Odoo's
        # assignment (cron and button) only works for the others.
        queue_team_ids = self.env["crm.team.queue"]._get_queue_team_ids()
        teams = self.filtered(lambda team: team.id not in queue_team_ids)
        if queue_team_ids:
            # Its changes of salesperson pass the one door as automatic ones.
            teams = teams.with_context(
                **{DOOR_HINT: DoorHint("auto", Reason("odoo_assignment"))}
            )
        return super(CrmTeam, teams)._action_assign_leads(
            force_quota=force_quota, creation_delta_days=creation_delta_days
        )

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        if teams.user_id:
            teams._leaders_changed()
        return teams

    def write(self, vals):
        result = super().write(vals)
        if "user_id" in vals or "active" in vals:
            self._leaders_changed()
        if {"sequence", "company_id", "active"} & set(vals) and self.queue_ids:
            # Queues are tried in team order, within their team's company
            # (cached with their settings).
            self.env["crm.team.queue"]._queues_changed()
        return result

    def unlink(self):
        had_queues = bool(self.queue_ids)
        had_leader = bool(self.user_id)
        result = super().unlink()
        if had_leader:
            self._leaders_changed()
        if had_queues:
            # The database deleted their queues (cascade): forget them.
            self.env["crm.team.queue"]._queues_changed()
        return result

    @api.model
    def _queue_led_teams(self):
        """The teams whose queues, leads and members the current user steers
        as their leader: None for sales managers (and the superuser): every
        team; the teams they lead, in the companies they work in now (record
        rules), for a team leader; none for the other salespeople."""
        if self._queue_steers_all():
            return None
        return self.search([("user_id", "=", self.env.uid)])

    @api.model
    def _queue_leads_some_team(self):
        """Whether the current user is a sales manager or leads a team."""
        teams = self._queue_led_teams()
        return teams is None or bool(teams)

    @api.model
    def _queue_steers_all(self):
        """Whether the current user steers every team: a sales manager, or the
        superuser."""
        return self.env.su or self._queue_is_manager()

    @api.model
    def _queue_is_manager(self, user=None):
        """Whether ``user`` (the current user by default) is a sales manager
        (Sales: Administrator), who steers every team and lead as in Odoo."""
        return (user or self.env.user).has_group("sales_team.group_sale_manager")

    def _queue_not_led(self):
        """The teams of ``self`` the current user does not steer as their
        leader (none for sales managers and the superuser). Ask it on teams in
        the user's environment, not in sudo (sudo steers all)."""
        if self._queue_steers_all():
            return self.browse()
        return self.filtered(lambda team: team.sudo().user_id != self.env.user)

    def _queue_not_joined_by(self, user):
        """The teams of ``self`` that ``user`` neither leads nor is a member
        of: the teams whose leads they cannot take."""
        return self.filtered(
            lambda team: team.user_id != user and user not in team.member_ids
        )

    def _leaders_changed(self):
        # Team leaders see menus the other salespeople do not
        # (ir.ui.menu._load_menus_blacklist), and Odoo caches menus per user.
        self.env.registry.clear_cache()

    # ------------------------------------------------------------
    # Probability from the stage
    # ------------------------------------------------------------

    def _get_stage_probability_lead_domain(self):
        """Open leads and opportunities of the teams (not lost, with a stage)."""
        return [
            ("team_id", "in", self._origin.ids),
            ("active", "=", True),
            ("stage_id", "!=", False),
        ]

    def _compute_stage_probability_lead_count(self):
        groups = self.env["crm.lead"]._read_group(
            self._get_stage_probability_lead_domain(),
            ["team_id", "stage_id", "probability"],
            ["__count"],
        )
        counts = dict.fromkeys(self._origin.ids, 0)
        for team, stage, probability, count in groups:
            stage_probability = 100.0 if stage.is_won else stage.probability
            if float_compare(probability, stage_probability, precision_digits=2):
                counts[team.id] += count
        for team in self:
            team.stage_probability_lead_count = counts.get(team._origin.id, 0)

    def action_apply_stage_probabilities(self):
        """Give the team's open leads the probability of their stage, in batch
        (one write per stage and value). A setting of the team: for those who
        may change it (a client may call it on any team)."""
        self.ensure_one()
        self.check_access("write")
        count = self.stage_probability_lead_count
        leads = self.env["crm.lead"].search(self._get_stage_probability_lead_domain())
        leads._apply_stage_probability()
        self.invalidate_recordset(["stage_probability_lead_count"])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s open leads of %(team)s now have the probability of "
                    "their stage.",
                    count=count,
                    team=self.name,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
