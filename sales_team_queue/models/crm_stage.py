from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmStage(models.Model):
    _inherit = "crm.stage"

    probability = fields.Float(
        string="Probability (%)",
        compute="_compute_probability",
        store=True,
        readonly=False,
        aggregator="avg",
        help="Win probability of an opportunity in this stage, from 0 to 100. Teams "
        "whose probability mode is 'From stage' give it to their leads when they "
        "enter the stage. A won stage is always 100 %.",
    )
    is_default = fields.Boolean(
        string="Default Stage",
        help="New leads and opportunities start in this stage instead of the first "
        "stage by sequence. One default per scope: the stages of one team, or the "
        "shared stages (without team), which are the default of every team that has "
        "no default of its own. Marking another stage of the same scope as default "
        "moves the mark to it.",
    )

    @api.depends("is_won")
    def _compute_probability(self):
        # Only won stages are forced; other stages keep what was typed.
        for stage in self:
            if stage.is_won:
                stage.probability = 100.0

    @api.constrains("probability", "is_won")
    def _check_probability(self):
        for stage in self:
            if not 0 <= stage.probability <= 100:
                raise ValidationError(
                    self.env._(
                        "The probability of stage %(stage)s must be between 0 and "
                        "100 (it is %(probability)s).",
                        stage=stage.name,
                        probability=stage.probability,
                    )
                )
            if stage.is_won and stage.probability != 100:
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s is a won stage: its probability is always "
                        "100 %%. Leave it at 100, or untick 'Is Won Stage?' to give "
                        "it another probability.",
                        stage=stage.name,
                    )
                )

    @api.constrains("is_default", "is_won")
    def _check_is_default(self):
        for stage in self.filtered("is_default"):
            if stage.is_won:
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s is a won stage and cannot be the default "
                        "stage: new leads would start won. Choose another default "
                        "stage.",
                        stage=stage.name,
                    )
                )

    def _auto_init(self):
        res = super()._auto_init()
        # One default per scope, also against two saves at the same time: the ORM
        # moves the mark, PostgreSQL refuses a second mark committed concurrently.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS crm_stage_is_default_scope_uniq
                ON crm_stage ((COALESCE(team_id, 0))) WHERE is_default
            """
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        team_ids = [
            vals.get("team_id") or False for vals in vals_list if vals.get("is_default")
        ]
        self._check_one_default_per_scope(team_ids)
        for team_id in set(team_ids):
            self._unmark_other_defaults(team_id)
        return super().create(vals_list)

    def write(self, vals):
        marked = self if vals.get("is_default") else self.browse()
        if "team_id" in vals and "is_default" not in vals:
            marked = self.filtered("is_default")
        if marked:
            team_ids = [
                vals["team_id"] if "team_id" in vals else stage.team_id.id
                for stage in marked
            ]
            self._check_one_default_per_scope([t or False for t in team_ids])
            for team_id in set(team_ids):
                self._unmark_other_defaults(team_id or False, exclude=marked)
        result = super().write(vals)
        if "is_won" in vals:
            # Rare and global: every target may count deals of these stages.
            self.env["crm.sales.target"].sudo().search(
                [], order="id"
            )._mark_achieved_stale_or_later()
        return result

    def _check_one_default_per_scope(self, team_ids):
        """Refuse to mark several stages of one scope as default in one save
        (there is no way to tell which one should keep the mark)."""
        for team_id in set(team_ids):
            if team_ids.count(team_id) > 1:
                raise ValidationError(
                    self.env._(
                        "Only one default stage per scope: mark a single stage of "
                        "%(scope)s as default.",
                        scope=self.env["crm.team"].browse(team_id).name
                        or self.env._("the shared stages"),
                    )
                )

    def _unmark_other_defaults(self, team_id, exclude=None):
        """Move the default mark: unmark the defaults of the scope ``team_id``
        (``False``: the shared stages), except the stages of ``exclude``."""
        others = self.search([("is_default", "=", True), ("team_id", "=", team_id)])
        if exclude:
            others -= exclude
        if others:
            others.write({"is_default": False})
            # Unmarked in the database before the new mark is written: the unique
            # index checks each row as soon as it is updated.
            others.flush_recordset(["is_default"])

    @api.model
    def _get_default_stages(self):
        """Default stages by scope: ``{team id or False: stage}``."""
        stages = self.sudo().search([("is_default", "=", True)])
        return {stage.team_id.id or False: stage.with_env(self.env) for stage in stages}
