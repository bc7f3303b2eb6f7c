"""Contacts: conditions on a contact's leads and meetings apply the leads' rules (pool
privacy); a queue member's time zone is changed by a manager."""

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import UserError
from odoo.tools import Query


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        domain = self._pool_rewrite_lead_domain(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _pool_rewrite_lead_domain(self, domain):
        """Odoo 18 turns ``(x2many, 'in', ids)`` into a subquery on the
        comodel's table that skips its record rules (``any`` and paths apply
        them). On the partner's leads and meetings, that would tell which
        customer a lead the user may not read is for: the conditions on ids of
        leads and meetings become ``any`` conditions, which apply their
        rules."""
        fnames = {
            name
            for name, field in self._fields.items()
            if field.type in ("one2many", "many2many")
            and field.comodel_name in ("crm.lead", "calendar.event")
        }
        if not domain or not fnames:
            return domain
        result = []
        for element in domain:
            if (
                isinstance(element, list | tuple)
                and len(element) == 3
                and element[0] in fnames
                and element[1] in ("in", "not in", "=", "!=")
                and not isinstance(element[2], str)
            ):
                element = self._pool_rewrite_lead_leaf(*element)
            result.append(element)
        return result

    @api.model
    def _pool_rewrite_lead_leaf(self, fname, operator, value):
        negative = operator in ("not in", "!=")
        if value is False or value is None:
            # "has leads" / "has no leads": among the leads the user may read
            return (fname, "any" if negative else "not any", [])
        ids = value if isinstance(value, list | tuple | set | Query) else [value]
        return (fname, "not any" if negative else "any", [("id", "in", ids)])

    def write(self, vals):
        if "tz" in vals:
            self._queue_check_tz_change(vals["tz"])
        return super().write(vals)

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
