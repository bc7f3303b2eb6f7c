"""Contacts: a queue member's time zone is changed by a manager; a colleague's account
(returning customers) changes salesperson or company by its salesperson, their
leader or a manager only."""

from odoo import SUPERUSER_ID, _, models
from odoo.exceptions import UserError

# The fields of a contact that decide whose account it is, and so who gets its
# leads when a queue routes returning customers (see _queue_check_account_change).
ACCOUNT_FIELDS = frozenset({"user_id", "parent_id", "commercial_partner_id"})


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        if "tz" in vals:
            self._queue_check_tz_change(vals["tz"])
        if ACCOUNT_FIELDS.intersection(vals):
            self._queue_check_account_change(vals)
        return super().write(vals)

    def _queue_check_account_change(self, vals):
        """Queues that route returning customers to their salesperson
        (``route_to_account_owner``, ``crm_team_queue_account.py``) make an
        account's salesperson, and a contact's company, decide who gets its
        next leads. Odoo lets every employee edit contacts: a rep would become
        a colleague's customer's salesperson, or move the customer under a
        company of theirs, and receive its leads. Only the account's
        salesperson, the leader of a team of theirs, or a sales manager change
        them; inert while no queue routes to account owners."""
        user = self.env.user
        if self.env.su or user.has_group("sales_team.group_sale_manager"):
            return
        Queue = self.env["crm.team.queue"].sudo()
        if not Queue.search_count([("route_to_account_owner", "=", True)], limit=1):
            return
        partners = self.sudo()
        accounts = partners.filtered(
            lambda partner: "user_id" in vals
            and partner == partner.commercial_partner_id
            and partner.user_id.id != (vals["user_id"] or False)
        )
        for fname in ("parent_id", "commercial_partner_id"):
            # (Odoo stores a write of the computed account as it is)
            if fname in vals:
                accounts |= partners.filtered(
                    lambda partner, f=fname: partner[f].id != (vals[f] or False)
                ).commercial_partner_id
        owners = Queue._account_owners(set(accounts.ids))
        led = self.env["crm.team"].sudo().search([("user_id", "=", user.id)])
        allowed = {user.id, *led.member_ids.ids}
        taken = accounts.filtered(
            lambda account: account.id in owners
            and owners[account.id][0] not in allowed
        )
        if taken:
            owner = self.env["res.users"].sudo().browse(owners[taken[0].id][0])
            raise UserError(
                _(
                    "%(account)s is %(owner)s's account: the lead queues send its "
                    "new leads to them. Ask %(owner)s, their team leader or a sales "
                    "manager to change its salesperson or its company.",
                    account=taken[0].display_name,
                    owner=owner.name,
                )
            )

    def _queue_check_tz_change(self, tz):
        """A queue member's time zone sets their claim window and the start of
        their day (daily claim limit, daily cap): they cannot move it
        themselves to claim outside the window or twice in one day. Users
        write their own time zone as superuser (Preferences), so the real user
        is judged; sales managers and administrators change anyone's."""
        if self.env.uid == SUPERUSER_ID:
            return
        user = self.env["res.users"].sudo().browse(self.env.uid)
        if user.has_group("sales_team.group_sale_manager") or user.has_group(
            "base.group_system"
        ):
            return
        changed = self.sudo().filtered(lambda partner: (partner.tz or False) != tz)
        if not changed:
            return
        members = (
            self.env["crm.team.queue.member"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("user_id.partner_id", "in", changed.ids),
                    ("queue_id.active", "=", True),
                ]
            )
        )
        if members:
            raise UserError(
                _(
                    "The time zone of %(users)s sets their claim windows and daily "
                    "limits in the lead queues: ask your administrator or a sales "
                    "manager to change it.",
                    users=", ".join(members.user_id.mapped("name")),
                )
            )
