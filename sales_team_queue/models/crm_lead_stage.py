from collections import defaultdict

from odoo import fields, models
from odoo.tools import SQL, float_compare

from .values import STAGE_EVENT_CONTEXT_KEY, StageEvent


class CrmLead(models.Model):
    """Stage side of crm.lead: default stage, probability from the stage (teams in
    'stage' mode) and the stage history. The queue side is in crm_lead.py."""

    _inherit = "crm.lead"

    stage_history_ids = fields.One2many(
        "crm.lead.stage.history",
        "lead_id",
        string="Stage History",
        readonly=True,
        help="Every stage change of this lead, newest first: from its creation, "
        "the pipeline, the form, imports, won, lost, restore and merges.",
    )
    team_probability_mode = fields.Selection(
        related="team_id.probability_mode", string="Team Probability Mode"
    )

    # ------------------------------------------------------------
    # Default stage
    # ------------------------------------------------------------

    def _compute_stage_id(self):
        leads = self.filtered(lambda lead: not lead.stage_id)
        defaults = self.env["crm.stage"]._get_default_stages() if leads else {}
        if defaults:
            for lead in leads:
                stage = self._get_default_stage(defaults, lead.team_id.id)
                if stage:
                    lead.stage_id = stage
        # Odoo's "first stage by sequence" for the others.
        return super()._compute_stage_id()

    def _get_default_stage(self, defaults, team_id):
        """The stage marked default for ``team_id``: the team's own, else the
        shared one; empty when none is marked.

        :param defaults: result of ``crm.stage._get_default_stages()``
        """
        return (
            defaults.get(team_id or False)
            or defaults.get(False)
            or (self.env["crm.stage"])
        )

    def _convert_opportunity_data(self, customer, team_id=False):
        values = super()._convert_opportunity_data(customer, team_id=team_id)
        if values.get("stage_id"):
            defaults = self.env["crm.stage"]._get_default_stages()
            stage = self._get_default_stage(defaults, team_id or self.team_id.id)
            if stage:
                values["stage_id"] = stage.id
        return values

    # ------------------------------------------------------------
    # Probability from the stage
    # ------------------------------------------------------------

    def _filter_stage_probability_mode(self):
        """The leads whose team takes the probability from the stage."""
        return self.filtered(lambda lead: lead.team_id.probability_mode == "stage")

    def _get_stage_probability(self, stage=None, active=None):
        """Probability a lead of a 'stage' team takes in ``stage`` (default: its
        stage) when it is ``active`` (default: its state): the stage's, 100 for
        a won stage, 0 when lost."""
        self.ensure_one()
        stage = self.stage_id if stage is None else stage
        active = self.active if active is None else active
        if not active:
            return 0.0
        return 100.0 if stage.is_won else stage.probability

    def _pls_get_naive_bayes_probabilities(self, batch_mode=False):
        # Predictive scoring leaves the leads of 'stage' teams alone, in the
        # compute as in the nightly cron: their probability follows the stage.
        others = self - self._filter_stage_probability_mode()
        return super(CrmLead, others)._pls_get_naive_bayes_probabilities(
            batch_mode=batch_mode
        )

    def _compute_probabilities(self):
        res = super()._compute_probabilities()
        # In a form (new records): show the stage's probability as soon as the
        # stage is chosen; saved records get it from write().
        for lead in self._filter_stage_probability_mode():
            if not lead.id and lead.stage_id != lead._origin.stage_id:
                lead.probability = lead._get_stage_probability()
        return res

    def _apply_stage_probability(self):
        """Give the leads of ``self`` the probability of their stage (0 when
        lost), in one write per stage. Leads already at that value are left."""
        for stage, leads in self.grouped("stage_id").items():
            if not stage:
                continue
            by_probability = defaultdict(list)
            for lead in leads:
                probability = lead._get_stage_probability()
                if float_compare(lead.probability, probability, precision_digits=2):
                    by_probability[probability].append(lead.id)
            for probability, lead_ids in by_probability.items():
                self.browse(lead_ids).write({"probability": probability})

    # ------------------------------------------------------------
    # PIPELINE STEPS (called in order by crm_lead_pipeline.py)
    # ------------------------------------------------------------

    def _stage_on_create(self, vals_list):
        """Create step: the probability of the stage ('stage' teams) and the
        first line of the stage history."""
        self._stage_probability_on_create(vals_list)
        self._stage_history_on_create()

    def _stage_prepare_write(self, vals):
        """Write step, before the values are written: the leads that ``vals``
        moves (locked), with what happens to each and since when it was in
        its stage; None when the write moves nothing."""
        if "stage_id" not in vals and "active" not in vals:
            return None
        changes = self._prepare_stage_changes(vals)
        if not changes:
            return None
        changed = self.browse(list(changes))
        self._lock_for_stage_change(changed)
        History = self.env["crm.lead.stage.history"]
        return {
            "changes": changes,
            "entered": History._get_last_entry_dates(changed),
            "now": self.env.cr.now(),
        }

    def _stage_split_write(self, vals, prepared):
        """Write step: ``vals`` per group of leads of ``self``, ``[(leads,
        vals)]``: in 'stage' teams the probability follows the stage, unless
        given."""
        if not prepared:
            return [(self, vals)]
        changes = prepared["changes"]
        groups = defaultdict(lambda: self.browse())
        for lead in self:
            groups[
                self._stage_probability_for_write(lead, vals, lead.id in changes)
            ] |= lead
        result = []
        for probability, leads in groups.items():
            group_vals = dict(vals)
            if probability is not None:
                group_vals["probability"] = probability
            result.append((leads, group_vals))
        return result

    def _stage_after_write(self, prepared):
        """Write step, after the values are written: one stage history line
        per moved lead."""
        if not prepared:
            return
        now = prepared["now"]
        rows = []
        for lead_id, (event, previous_stage) in prepared["changes"].items():
            lead = self.browse(lead_id)
            since = prepared["entered"].get(lead_id) or lead.date_last_stage_update
            since = since or lead.create_date or now
            rows.append(
                lead._prepare_stage_history_row(
                    event,
                    previous_stage=previous_stage,
                    duration_hours=max((now - since).total_seconds() / 3600.0, 0.0),
                )
            )
        self.env["crm.lead.stage.history"]._insert_lines(rows)

    def _stage_probability_on_create(self, vals_list):
        groups = defaultdict(list)
        for lead, vals in zip(self, vals_list, strict=False):
            if "probability" in vals or lead.team_id.probability_mode != "stage":
                continue
            if lead.stage_id or not lead.active:
                groups[lead._get_stage_probability()].append(lead.id)
        for probability, lead_ids in groups.items():
            self.browse(lead_ids).write({"probability": probability})

    def _stage_probability_for_write(self, lead, vals, moves):
        """Probability to write on ``lead`` with ``vals`` (None: leave it)."""
        if not moves or "probability" in vals:
            return None
        team = (
            self.env["crm.team"].browse(vals["team_id"])
            if "team_id" in vals
            else lead.team_id
        )
        if team.probability_mode != "stage":
            return None
        stage = (
            self.env["crm.stage"].browse(vals["stage_id"])
            if "stage_id" in vals
            else lead.stage_id
        )
        return lead._get_stage_probability(
            stage=stage, active=bool(vals.get("active", lead.active))
        )

    def _stage_merge_dependences(self, opportunities):
        """Merge step: move the stage history of the merged ``opportunities``
        to ``self`` (before they are deleted), each line saying where it came
        from."""
        self.ensure_one()
        History = self.env["crm.lead.stage.history"].sudo()
        for opportunity in opportunities:
            lines = History.search([("lead_id", "=", opportunity.id)])
            lines.filtered(lambda line: not line.merged_from).write(
                {"merged_from": opportunity.name}
            )
            lines.write({"lead_id": self.id})

    def toggle_active(self):
        res = super().toggle_active()
        restored = self.filtered("active")
        if restored:
            # Odoo recomputes the probability of restored leads after their
            # write: the restore line takes the recomputed value.
            restored.flush_recordset(["probability"])
            self.env.cr.execute(
                SQL(
                    """
                UPDATE crm_lead_stage_history history
                   SET probability = lead.probability
                  FROM crm_lead lead
                 WHERE lead.id = history.lead_id
                   AND history.id IN (
                        SELECT DISTINCT ON (lead_id) id
                          FROM crm_lead_stage_history
                         WHERE lead_id = ANY(%s) AND source_lead_ref = lead_id
                           AND event = 'restore'
                      ORDER BY lead_id, date DESC, id DESC)
                """,
                    restored.ids,
                )
            )
            self.env["crm.lead.stage.history"].invalidate_model(["probability"])
        return res

    # ------------------------------------------------------------
    # Stage history
    # ------------------------------------------------------------

    def _prepare_stage_changes(self, vals):
        """The leads of ``self`` that ``vals`` moves, with what happens to them:
        ``{lead id: (event, previous stage)}``."""
        new_stage = (
            self.env["crm.stage"].browse(vals["stage_id"] or [])
            if "stage_id" in vals
            else None
        )
        given = self.env.context.get(STAGE_EVENT_CONTEXT_KEY)
        default_event = given.event if isinstance(given, StageEvent) else "stage"
        changes = {}
        for lead in self:
            stage_changed = new_stage is not None and lead.stage_id != new_stage
            active_changed = "active" in vals and bool(vals["active"]) != lead.active
            if active_changed and not vals["active"]:
                event = "lost"
            elif stage_changed and new_stage.is_won:
                event = "won"
            elif active_changed:
                event = "restore"
            elif stage_changed:
                event = default_event
            else:
                continue
            changes[lead.id] = (event, lead.stage_id)
        return changes

    def _lock_for_stage_change(self, leads):
        """Lock the rows of the moving leads for the transaction. Two users moving
        the same lead at the same time: the second waits, then fails with a
        serialization error and its request is retried from the first one's
        result, so each history line starts where the previous one ended."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM crm_lead WHERE id = ANY(%s) ORDER BY id "
                "FOR NO KEY UPDATE",
                leads.ids,
            )
        )

    def _prepare_stage_history_row(
        self, event, previous_stage=None, duration_hours=0.0
    ):
        """Values of the history line recording ``event`` on this lead, after
        the change (see ``crm.lead.stage.history._insert_lines``)."""
        self.ensure_one()
        return {
            "lead_id": self.id,
            "event": event,
            "stage_id": self.stage_id.id or None,
            "previous_stage_id": previous_stage.id if previous_stage else None,
            "salesperson_id": self.user_id.id or None,
            "team_id": self.team_id.id or None,
            "company_id": self.company_id.id or None,
            "probability": 0.0 if event == "lost" else self.probability,
            "duration_hours": duration_hours,
        }

    def _stage_history_on_create(self):
        rows = [
            lead._prepare_stage_history_row("create") for lead in self if lead.stage_id
        ]
        self.env["crm.lead.stage.history"]._insert_lines(rows)
