"""The lead pool: reps claim the leads waiting in their queue's pool and release
their own leads back to it. Every claim and release goes through the
assignment primitive (``crm.lead._queue_assign_batch``)."""

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .crm_lead_assignment import Decision, Reason


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def action_claim(self):
        """Take the selected pool leads for the current user (a member of their
        queue). The leads are locked first, so that two reps never claim the same
        lead. Callable by RPC."""
        if not self:
            return True
        user = self.env.user
        not_pool = self.sudo().filtered(lambda lead: lead.queue_state != "pool")
        if not_pool:
            raise UserError(
                _(
                    "%(leads)s is not waiting in a pool: only unassigned leads of a "
                    "queue's pool can be claimed (someone may have just claimed "
                    "it: refresh the pool).",
                    leads=self._queue_names(not_pool),
                )
            )
        self.check_access("read")
        is_manager = user.has_group("sales_team.group_sale_manager")
        for queue in self.sudo().queue_id:
            member = queue.member_ids.filtered(
                lambda m, user=user: m.user_id == user and m.active
            )
            if not member and not is_manager:
                raise UserError(
                    _(
                        "You are not an available member of the queue %(queue)s: ask "
                        "your team leader to add you, or to un-pause you.",
                        queue=queue.name,
                    )
                )
        self.env.cr.execute(
            SQL(
                """SELECT id FROM crm_lead
                    WHERE id IN %s AND user_id IS NULL
                    ORDER BY id FOR UPDATE SKIP LOCKED""",
                tuple(self.ids),
            )
        )
        locked_ids = {row[0] for row in self.env.cr.fetchall()}
        self.invalidate_recordset(["user_id", "queue_state"])
        taken = self.filtered(lambda lead: lead.id not in locked_ids or lead.user_id)
        if taken:
            raise UserError(
                _(
                    "%(leads)s was just claimed by someone else: refresh the pool "
                    "and pick another lead.",
                    leads=", ".join(taken.mapped("display_name")),
                )
            )
        leads = self.sudo()
        leads._queue_assign_batch(
            [
                Decision(
                    lead, user, lead.queue_id, method="claim", reason=Reason("claimed")
                )
                for lead in leads
            ],
            notify=False,
        )
        return True

    def action_release(self, reason=False):
        """Give the selected leads of the current user back to their queue's pool
        (a manager or the team leader may release anyone's), with the reason
        typed by the user. Callable by RPC."""
        if not self:
            return True
        no_queue = self.sudo().filtered(lambda lead: not lead.queue_id)
        if no_queue:
            raise UserError(
                _(
                    "%(leads)s belongs to no queue, so it has no pool to go back to: "
                    "reassign it instead.",
                    leads=self._queue_names(no_queue),
                )
            )
        self._queue_release(reason)
        return True

    def _queue_release(self, reason=False):
        user = self.env.user
        others = self.sudo().filtered(lambda lead: lead.user_id != user)
        if others and not others._queue_is_leader_or_manager():
            raise UserError(
                _(
                    "%(leads)s is not yours: only its salesperson, the team leader or "
                    "a sales manager can release it to the pool.",
                    leads=self._queue_names(others),
                )
            )
        self.check_access("write")
        args = {"user": Reason.ref(user)}
        if reason:
            why = Reason("released_because", dict(args, text=reason))
        else:
            why = Reason("released", args)
        leads = self.sudo()
        leads._queue_assign_batch(
            [
                Decision(
                    lead, user.browse(), lead.queue_id, method="recycle", reason=why
                )
                for lead in leads
            ],
            notify=False,
        )

    def _queue_names(self, leads):
        """Names of ``leads`` for a message: only those the user may read."""
        readable = leads.with_env(self.env)._filtered_access("read")
        names = readable.mapped("display_name")
        hidden = len(leads) - len(readable)
        if hidden:
            names.append(_("%s other lead(s)", hidden))
        return ", ".join(names)
