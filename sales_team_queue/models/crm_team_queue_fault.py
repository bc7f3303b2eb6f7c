"""A queue that fails when routing evaluates it (its lead filter raises in SQL):
routing skips it (crm_team_queue_routing.py), and this file flags it, once the
transaction commits, on its form and the dashboard, and tells its team leader
and the sales managers once, not per lead."""

import logging

from markupsafe import Markup

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.tools import SQL, format_datetime

from .after_commit import after_commit_value

_logger = logging.getLogger(__name__)

# Post-commit data key: {queue id: error} of the queues that failed.
FAULTS_LATER = "sales_team_queue.queue_faults"
# A fault is flagged in a short transaction of its own that waits this long
# for the queue's row at most (routing may hold it): the next lead retries.
FAULT_LOCK_TIMEOUT = "2s"
# The error is kept as its first line, at most this long.
FAULT_TEXT_MAX = 200
MANAGER = "sales_team.group_sale_manager"


def fault_text(error):
    """The first line of ``error``, short enough for a reason and a banner."""
    lines = str(error).strip().splitlines() or [type(error).__name__]
    return lines[0][:FAULT_TEXT_MAX]


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    fault_date = fields.Datetime(
        string="Failing Since",
        readonly=True,
        copy=False,
        help="When routing first found that this queue's lead filter fails. "
        "Routing skips the queue each time its filter fails; the flag stays "
        "until the filter is saved again or checked.",
    )
    fault_message = fields.Char(
        string="Failure",
        readonly=True,
        copy=False,
        help="The error of the lead filter when routing ran it.",
    )

    def _queue_fault_after_commit(self, domain, message):
        """Flag ``self`` as failing with ``message`` once the current
        transaction has committed (the routing that found it goes on without
        the queue), unless its filter is no longer ``domain`` by then (fixed
        meanwhile). Several faults of one transaction are flagged together."""
        faults = after_commit_value(
            self.env, FAULTS_LATER, dict, _flag_faults_after_commit
        )
        for queue in self:
            faults.setdefault(queue.id, (domain, message))

    def _queue_flag_faults(self, faults):
        """Flag the queues of ``faults`` ({queue id: (filter, error)}) not
        flagged yet and whose filter is still the one that failed, and tell
        their leaders and the sales managers: only the transaction that flags
        a queue tells, so a failing queue alerts once."""
        flagged = self.browse()
        for queue_id, (domain, message) in sorted(faults.items()):
            self.env.cr.execute(
                SQL(
                    """UPDATE crm_team_queue
                          SET fault_date = NOW() AT TIME ZONE 'UTC',
                              fault_message = %s
                        WHERE id = %s AND fault_date IS NULL AND domain = %s
                    RETURNING id""",
                    message,
                    queue_id,
                    domain,
                ),
                log_exceptions=False,
            )
            if self.env.cr.fetchone():
                flagged |= self.browse(queue_id)
        flagged.invalidate_recordset(["fault_date", "fault_message"])
        for queue in flagged.exists():
            _logger.warning(
                "Queue %s (%s): its lead filter fails, routing skips the queue: %s",
                queue.id,
                queue.name,
                queue.fault_message,
            )
            queue._queue_fault_notify()
        return flagged

    def _queue_fault_recipients(self):
        """Who is told of a failing queue: its team leader and the sales
        managers of its company."""
        self.ensure_one()
        managers = (
            self.env.ref(MANAGER)
            .sudo()
            .users.filtered(
                lambda user: user.active
                and not user.share
                and (not self.company_id or self.company_id in user.company_ids)
            )
        )
        leader = self.team_id.user_id.filtered("active")
        return (leader | managers).filtered(lambda user: user.id != SUPERUSER_ID)

    def _queue_fault_notify(self):
        """One note on the queue per language of the recipients, each
        notifying them in their inbox."""
        self.ensure_one()
        recipients = self._queue_fault_recipients()
        by_lang = {}
        for user in recipients:
            key = (user.lang or self.env.lang, user.tz or self.env.user.tz)
            by_lang.setdefault(key, user.partner_id)
            by_lang[key] |= user.partner_id
        for (lang, tz), partners in by_lang.items():
            queue = self.with_context(lang=lang, tz=tz)
            queue.message_post(
                body=queue._queue_fault_body(),
                partner_ids=partners.ids,
                subtype_xmlid="mail.mt_note",
            )

    def _queue_fault_body(self):
        return Markup("<p>%s</p><p><code>%s</code></p><p>%s</p>") % (
            _(
                "Routing could not evaluate the lead filter of the queue %(queue)s "
                "(%(team)s) on %(date)s: the queue is skipped, and the leads it would "
                "take go on to the next queue, its pool or wait for routing.",
                queue=self.name,
                team=self.team_id.name,
                date=format_datetime(
                    self.env, self.fault_date, tz=self.env.context.get("tz")
                ),
            ),
            self.fault_message,
            _(
                "Fix the Advanced Filter of the queue and save it: routing takes the "
                "queue again at once."
            ),
        )

    def _queue_clear_fault(self):
        """Routing takes ``self`` again (its filter was changed and checked)."""
        failing = self.filtered("fault_date")
        if failing:
            failing.sudo().write({"fault_date": False, "fault_message": False})

    def action_clear_fault(self):
        """Check the lead filter again (by running it, as on save) and, when it
        works, let routing take the queue again."""
        self.check_access("write")
        self._check_domain()
        self._queue_clear_fault()
        return True


def _flag_faults_after_commit(registry, faults):
    """Post-commit hook: flag the failing queues in a transaction of its own.
    Never raises: when it cannot (the row is locked, a concurrent flag), the
    next lead the queue fails on tries again."""
    try:
        with registry.cursor() as cr:
            cr.execute(
                SQL("SELECT set_config('lock_timeout', %s, true)", FAULT_LOCK_TIMEOUT)
            )
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.team.queue"]._queue_flag_faults(faults)
    except Exception:
        _logger.info(
            "Could not flag the failing queues %s", sorted(faults), exc_info=True
        )
