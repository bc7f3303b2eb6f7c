from markupsafe import Markup

from odoo import _, fields, models

ASSIGNMENT_METHODS = [
    ("auto", "Automatic"),
    ("claim", "Claimed"),
    ("manual", "Manual"),
    ("wizard", "Assignment Wizard"),
    ("handover", "Handover"),
    ("recycle", "Recycled"),
    ("dispatch", "Dispatched"),
]


class CrmLeadAssignment(models.Model):
    """The assignment ledger: one line per change of owner of a lead, saying who
    got it, from whom, by which method, from which queue and why. Lines are
    written by :meth:`crm.lead._queue_assign` only and never edited."""

    _name = "crm.lead.assignment"
    _description = "Lead Assignment"
    _order = "create_date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Lead",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        index=True,
        ondelete="set null",
        readonly=True,
    )
    previous_user_id = fields.Many2one(
        "res.users",
        string="Previous Salesperson",
        ondelete="set null",
        readonly=True,
    )
    queue_id = fields.Many2one(
        "crm.team.queue",
        string="Queue",
        index=True,
        ondelete="set null",
        readonly=True,
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        ondelete="set null",
        readonly=True,
    )
    company_id = fields.Many2one(
        related="lead_id.company_id", store=True, string="Company"
    )
    method = fields.Selection(
        ASSIGNMENT_METHODS,
        required=True,
        default="manual",
        readonly=True,
        help="How the lead changed hands: automatic routing by a queue, claimed "
        "from a pool, set by hand, by the assignment wizard, in a handover, "
        "recycled to the pool, or dispatched from a hybrid pool.",
    )
    reason = fields.Char(
        readonly=True, help="Why this salesperson got the lead, in plain words."
    )
    create_date = fields.Datetime(string="Date", readonly=True, index=True)
    create_uid = fields.Many2one("res.users", string="By", readonly=True)

    def _get_chatter_body(self):
        """The note logged on the lead for this line."""
        self.ensure_one()
        if self.user_id:
            text = _("Assigned to %(user)s", user=self.user_id.name)
        else:
            text = _("Back to the pool of %(queue)s", queue=self.queue_id.name)
        if self.reason:
            text = _("%(what)s (%(reason)s)", what=text, reason=self.reason)
        return Markup("<p>%s</p>") % text
