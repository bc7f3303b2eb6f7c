from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    probability_mode = fields.Selection(
        [
            ("predictive", "Predictive (Odoo)"),
            ("stage", "From stage"),
        ],
        string="Probability",
        default="predictive",
        required=True,
        help="Predictive: Odoo computes each lead's win probability from past results "
        "(predictive lead scoring).\n"
        "From stage: a lead takes the win probability of its stage when it is created "
        "and each time it changes stage; reps may still type another value.",
    )
    lead_visibility = fields.Selection(
        [
            ("own", "Own leads"),
            ("team", "Whole team"),
        ],
        string="Members See",
        default="own",
        required=True,
        help="Own leads: a salesperson with 'Own Documents Only' sees the leads "
        "assigned to them (and unassigned leads), as in Odoo.\n"
        "Whole team: every member of this team sees and edits all of the team's "
        "leads and opportunities, so they can stand in for each other.\n"
        "The team leader always sees the whole team.",
    )
    restrict_pool = fields.Boolean(
        string="Private Pool",
        help="When set, unassigned leads of this team are visible only to its members, "
        "its leader and users who see all documents, instead of to every salesperson "
        "of the company.",
    )
