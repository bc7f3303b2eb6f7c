import logging

from odoo import _, models
from odoo.exceptions import RedirectWarning

from .values import OPEN_LEAD_DOMAIN

# Set by the handover when it archives the user it has just emptied:
# HANDOVER_DONE: HANDOVER_TOKEN. The value is a Python object that no RPC
# client can send (a context arrives as JSON), so a client cannot skip the
# archive guard by naming the key.
HANDOVER_DONE = "sales_team_queue_handover_done"
HANDOVER_TOKEN = object()

# An offer of the handover is a refusal the user can act on: Odoo's HTTP layer logs
# it as it logs a UserError (one warning line, no traceback), not as a crash.
OFFER_LOGLEVEL = logging.WARNING


class ResUsers(models.Model):
    _inherit = "res.users"

    def action_archive(self):
        """Odoo deletes the planned activities of an archived user: a user who
        still owns open leads or planned activities on leads or customers is
        offered the handover instead (unless the handover itself archives them).
        Only once lead queues are in use, and for a user who may run the
        handover: otherwise archiving stays Odoo's (inert until configured)."""
        done = self.env.context.get(HANDOVER_DONE) is HANDOVER_TOKEN
        if not done and self._handover_guard_applies():
            busy = self._handover_pending()
            if busy:
                user = busy[:1]
                action = self.env.ref(
                    "sales_team_queue.crm_salesperson_handover_action"
                )
                offer = RedirectWarning(
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
                # (an attribute, not a subclass: the web client knows the
                # RedirectWarning by its class name)
                offer.loglevel = OFFER_LOGLEVEL
                raise offer
        return super().action_archive()

    def _handover_guard_applies(self):
        """Whether archiving users offers the handover: an interactive archive
        (not the superuser's automated flows) by a salesperson who may archive
        these users (others get Odoo's refusal, not what the users still own),
        in a database where lead queues are in use."""
        return (
            not self.env.su
            and self.env.user.has_group("sales_team.group_sale_salesman")
            and self.has_access("write")
            and bool(self.env["crm.team.queue"].sudo()._get_queue_team_ids())
        )

    def _handover_pending(self):
        """Users of ``self`` who own open leads (active, not won) or planned
        activities on leads or customers (what the handover moves)."""
        if not self:
            return self
        Lead = self.env["crm.lead"].sudo()
        with_leads = Lead._read_group(
            [("user_id", "in", self.ids), *OPEN_LEAD_DOMAIN],
            ["user_id"],
        )
        users = self.browse([user.id for (user,) in with_leads])
        with_activities = (
            self.env["mail.activity"]
            .sudo()
            ._read_group(
                [
                    ("user_id", "in", self.ids),
                    ("res_model", "in", ("crm.lead", "res.partner")),
                ],
                ["user_id"],
            )
        )
        users |= self.browse([user.id for (user,) in with_activities])
        return self.filtered(lambda user: user in users)
