from odoo import _, models
from odoo.exceptions import RedirectWarning

# Set by the handover when it archives the user it has just emptied.
HANDOVER_DONE = "sales_team_queue_handover_done"


class ResUsers(models.Model):
    _inherit = "res.users"

    def action_archive(self):
        """Odoo deletes the planned activities of an archived user: a user who
        still owns open leads or planned activities is offered the handover
        instead (unless the handover itself archives them)."""
        if not self.env.context.get(HANDOVER_DONE):
            busy = self._handover_pending()
            if busy:
                user = busy[:1]
                action = self.env.ref(
                    "sales_team_queue.crm_salesperson_handover_action"
                )
                raise RedirectWarning(
                    _(
                        "%(user)s still owns open leads or planned activities; "
                        "archiving would delete their activities. Hand them over "
                        "first.",
                        user=user.name,
                    ),
                    action.id,
                    _("Hand Over"),
                    {"default_user_id": user.id, "default_archive_user": True},
                )
        return super().action_archive()

    def _handover_pending(self):
        """Users of ``self`` who own open leads (active, not won) or planned
        activities."""
        if not self:
            return self
        Lead = self.env["crm.lead"].sudo()
        with_leads = Lead._read_group(
            [
                ("user_id", "in", self.ids),
                ("active", "=", True),
                "|",
                ("stage_id", "=", False),
                ("stage_id.is_won", "=", False),
            ],
            ["user_id"],
        )
        users = self.browse([user.id for (user,) in with_leads])
        with_activities = (
            self.env["mail.activity"]
            .sudo()
            ._read_group([("user_id", "in", self.ids)], ["user_id"])
        )
        users |= self.browse([user.id for (user,) in with_activities])
        return self.filtered(lambda user: user in users)
