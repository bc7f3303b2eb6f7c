"""Pool privacy: the contact details of a lead waiting in the pool of a queue with
``pool_hide_contact`` are hidden from reps until one of them claims it.

Masked at the ORM's boundaries, set-based: ``_read_format`` (read, search_read,
web_read, web_search_read), ``_export_rows`` (export), ``_search`` and
``_read_group`` (searches, name searches, grouping), ``write`` (refused) and the
chatter's suggested recipients. The values in the database and in the cache are
never changed, so computes, routing and claims work on the real data.

Around the lead, what would name the customer is masked the same way: its
chatter (the customer's e-mails and the messages sent to them, the tracked
changes of contact fields, the followers who are not users), the activity
analysis, the meetings linked to it, and the e-mail composer (a template
rendered on the lead would show its details): see the classes at the end.
"""

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

# Read, exported, searched and written: the ways to reach the customer.
POOL_PRIVATE_FIELDS = (
    "partner_id",
    "partner_name",
    "contact_name",
    "email_from",
    "email_normalized",
    "email_cc",
    "email_domain_criterion",
    "phone",
    "mobile",
    "phone_sanitized",
    "website",
    "street",
    "street2",
    "zip",
    "city",
    # other leads with the same e-mail, phone or company would tell who it is
    "duplicate_lead_ids",
    "duplicate_lead_count",
    # the customer follows the lead
    "message_partner_ids",
    "message_follower_ids",
)
# Searched only (not stored, no value to read).
POOL_PRIVATE_SEARCH_FIELDS = ("phone_mobile_search",)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # --- who and what is hidden ---

    @api.model
    def _pool_private_fields(self, search=False):
        """Names of the fields hidden on a private pool lead (``search``: with the
        search-only fields). Overridable."""
        names = POOL_PRIVATE_FIELDS + (POOL_PRIVATE_SEARCH_FIELDS if search else ())
        return {name for name in names if name in self._fields}

    @api.model
    def _pool_privacy_applies(self):
        """Whether the current user can be refused contact details: some queue
        hides them, and the user is neither the superuser nor a sales manager
        (team leaders are judged per lead)."""
        return (
            not self.env.su
            and not self.env.user.has_group("sales_team.group_sale_manager")
            and bool(self.env["crm.team.queue"]._get_private_pool_queue_ids())
        )

    def _pool_privacy_hidden(self):
        """The leads of ``self`` whose contact details the current user may not
        see: waiting in the pool of a queue that hides them, and the user does not
        lead their team. Read from the cache: at most two queries per recordset
        (the leads' queue fields, their teams' leaders), none per lead."""
        if not self or not self._pool_privacy_applies():
            return self.browse()
        queue_ids = self.env["crm.team.queue"]._get_private_pool_queue_ids()
        uid = self.env.uid
        pool = self.sudo().filtered(
            lambda lead: lead.queue_state == "pool" and lead.queue_id.id in queue_ids
        )
        hidden = pool.filtered(lambda lead: lead.team_id.user_id.id != uid)
        return self.browse(hidden._ids)

    @api.model
    def _pool_privacy_visible_domain(self):
        """Domain of the leads whose contact details the current user may see
        (the negation of ``_pool_privacy_hidden``), for searches."""
        queue_ids = self.env["crm.team.queue"]._get_private_pool_queue_ids()
        teams = (
            self.env["crm.team"]
            .sudo()
            .with_context(active_test=False)
            ._search([("user_id", "=", self.env.uid)])
        )
        return [
            "|",
            "|",
            ("queue_state", "!=", "pool"),
            ("queue_id", "not in", list(queue_ids)),
            ("team_id", "in", teams),
        ]

    @api.model
    def _pool_privacy_hidden_sql(self):
        """Subquery (in parentheses) of the ids of the leads whose contact details
        the current user may not see, for the searches of the models around the
        lead; None when privacy does not apply to the user."""
        if not self._pool_privacy_applies():
            return None
        queue_ids = self.env["crm.team.queue"]._get_private_pool_queue_ids()
        self.flush_model(["queue_state", "queue_id", "team_id"])
        self.env["crm.team"].flush_model(["user_id"])
        return SQL(
            """(SELECT lead.id FROM crm_lead lead
                 WHERE lead.queue_state = 'pool' AND lead.queue_id IN %(queue_ids)s
                   AND NOT EXISTS (SELECT 1 FROM crm_team team
                                    WHERE team.id = lead.team_id
                                      AND team.user_id = %(uid)s))""",
            queue_ids=tuple(queue_ids),
            uid=self.env.uid,
        )

    def _pool_privacy_domain(self, domain):
        """``domain`` where every condition on a private field only holds for the
        leads the user may see: a private pool lead matches no such condition, and
        its negation whatever the value, so a search tells nothing about it."""
        private = self._pool_private_fields(search=True)
        result, changed = [], False
        for element in expression.normalize_domain(domain):
            if (
                expression.is_leaf(element)
                and isinstance(element[0], str)
                and element[0].split(".", 1)[0] in private
            ):
                if not changed:
                    visible = self._pool_privacy_visible_domain()
                    changed = True
                result += ["&", element, *visible]
            else:
                result.append(element)
        return result if changed else domain

    # --- ORM boundaries ---

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if domain and self._pool_privacy_applies():
            domain = self._pool_privacy_domain(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        # Groups and aggregates of a private field leave out the private leads
        # (a group would name the customer).
        private = self._pool_private_fields(search=True)
        specs = [*groupby, *aggregates]
        if self._pool_privacy_applies() and any(
            spec.split(":", 1)[0].split(".", 1)[0] in private for spec in specs
        ):
            domain = expression.AND([domain, self._pool_privacy_visible_domain()])
        return super()._read_group(
            domain,
            groupby=groupby,
            aggregates=aggregates,
            having=having,
            offset=offset,
            limit=limit,
            order=order,
        )

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        sql = super()._order_field_to_sql(alias, field_name, direction, nulls, query)
        if (
            query.groupby
            or not sql
            or field_name.split(".", 1)[0] not in self._pool_private_fields()
            or not self._pool_privacy_applies()
        ):
            return sql
        # Hidden leads come first, by id, whatever the direction: their order
        # tells nothing about their values; the others follow by the field.
        queue_ids = self.env["crm.team.queue"]._get_private_pool_queue_ids()
        hidden = SQL(
            "CASE WHEN %(state)s = 'pool' AND %(queue)s IN %(queue_ids)s AND NOT EXISTS"
            " (SELECT 1 FROM crm_team WHERE id = %(team)s AND user_id = %(uid)s)"
            " THEN %(id)s END",
            state=SQL.identifier(alias, "queue_state"),
            queue=SQL.identifier(alias, "queue_id"),
            queue_ids=tuple(queue_ids),
            team=SQL.identifier(alias, "team_id"),
            uid=self.env.uid,
            id=SQL.identifier(alias, "id"),
        )
        return SQL("%s NULLS LAST, %s", hidden, sql)

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        private = self._pool_private_fields()
        masked = [name for name in fnames or () if name in private]
        if not (masked and result):
            return result
        hidden_ids = set(self._pool_privacy_hidden()._ids)
        if hidden_ids:
            empty = {
                name: []
                if self._fields[name].type in ("one2many", "many2many")
                else False
                for name in masked
            }
            for values in result:
                if values["id"] in hidden_ids:
                    values.update(empty)
        return result

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        private = self._pool_private_fields()
        columns = [i for i, path in enumerate(fields) if path and path[0] in private]
        hidden_ids = columns and set(self._pool_privacy_hidden()._ids)
        if not hidden_ids:
            return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
        # A last column with the id tells the main line of each record from the
        # lines of its sub-records that follow it; it is removed afterwards.
        lines = super()._export_rows(
            [*fields, [".id"]], _is_toplevel_call=_is_toplevel_call
        )
        hidden = False
        for line in lines:
            record_id = line.pop()
            if record_id:
                hidden = int(record_id) in hidden_ids
            if hidden:
                for i in columns:
                    line[i] = ""
        return lines

    def write(self, vals):
        if self._pool_privacy_applies():
            touched = self._pool_private_fields() & set(vals)
            if touched and self._pool_privacy_hidden():
                raise UserError(
                    _(
                        "The contact details of this lead are hidden until it is "
                        "claimed: claim it first, then change them (%s).",
                        ", ".join(
                            sorted(self._fields[name].string for name in touched)
                        ),
                    )
                )
        return super().write(vals)

    def onchange(self, values, field_names, fields_spec):
        # An onchange (e.g. the phone reformatted for a new country) would send
        # the real values to the form.
        result = super().onchange(values, field_names, fields_spec)
        changed = result.get("value")
        if changed and self._pool_privacy_hidden():
            for name in self._pool_private_fields():
                changed.pop(name, None)
        return result

    def copy_data(self, default=None):
        self._pool_privacy_check()
        return super().copy_data(default=default)

    def _merge_opportunity(self, *args, **kwargs):
        self._pool_privacy_check()
        return super()._merge_opportunity(*args, **kwargs)

    def _pool_privacy_check(self):
        """Refuse to copy, merge or convert leads whose contact details the user
        may not see: it would hand those details to the user."""
        hidden = self._pool_privacy_hidden()
        if hidden:
            raise UserError(
                _(
                    "The contact details of %s are hidden until the lead is "
                    "claimed: claim it first.",
                    ", ".join(hidden.sudo().mapped("name")),
                )
            )

    def _message_get_suggested_recipients(self):
        if self._pool_privacy_hidden():
            return []
        return super()._message_get_suggested_recipients()

    def _track_filter_for_display(self, tracking_values):
        # The chatter's tracked changes of the contact fields (old and new e-mail,
        # phone, customer...).
        tracking_values = super()._track_filter_for_display(tracking_values)
        if not self._pool_privacy_hidden():
            return tracking_values
        private = self._pool_private_fields()
        return tracking_values.filtered(
            lambda tracking: tracking.field_id.name not in private
        )


class CrmLead2OpportunityPartner(models.TransientModel):
    _inherit = "crm.lead2opportunity.partner"

    @api.model
    def default_get(self, fields):
        # The wizard shows the customer and the similar leads of the lead.
        result = super().default_get(fields)
        leads = self.env["crm.lead"].browse(result.get("lead_id") or [])
        if self.env.context.get("active_model") == "crm.lead":
            leads |= leads.browse(self.env.context.get("active_ids") or [])
        leads._pool_privacy_check()
        return result


def _mask_rows(result, hidden_ids, fnames, model):
    """Blank ``fnames`` in the ``_read_format`` rows of ``hidden_ids``."""
    empty = {
        name: [] if model._fields[name].type in ("one2many", "many2many") else False
        for name in fnames
    }
    for values in result:
        if values["id"] in hidden_ids:
            values.update(empty)


class MailMessage(models.Model):
    _inherit = "mail.message"

    # What a message on a private pool lead may say about the customer.
    _pool_private_fields = (
        "author_id",
        "author_avatar",
        "email_from",
        "reply_to",
        "body",
        "subject",
        "partner_ids",
        "attachment_ids",
        "notification_ids",
    )

    @api.model
    def _pool_privacy_hidden_sql(self):
        """Subquery of the messages of the private pool leads that the current
        user may not see: everything but the logs (tracked changes, system
        notifications, internal notes) and their own messages, i.e. the
        customer's e-mails and the messages sent to them. None when privacy does
        not apply."""
        leads = self.env["crm.lead"]._pool_privacy_hidden_sql()
        if leads is None:
            return None
        self.flush_model(
            ["model", "res_id", "message_type", "is_internal", "subtype_id"]
        )
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        return SQL(
            """(SELECT message.id FROM mail_message message
                 WHERE message.model = 'crm.lead' AND message.res_id IN %(leads)s
                   AND message.author_id IS DISTINCT FROM %(pid)s
                   AND message.message_type NOT IN ('notification', 'auto_comment')
                   AND NOT (message.message_type = 'comment'
                            AND (COALESCE(message.is_internal, FALSE)
                                 OR message.subtype_id = %(note)s)))""",
            leads=leads,
            pid=self.env.user.partner_id.id,
            note=note,
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        hidden = self._pool_privacy_hidden_sql()
        if hidden is not None:
            domain = expression.AND([domain or [], [("id", "not in", hidden)]])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _read_format(self, fnames, load="_classic_read"):
        # A message read by its id (RPC) rather than found by a search.
        result = super()._read_format(fnames, load=load)
        masked = [name for name in fnames or () if name in self._pool_private_fields]
        hidden = masked and result and self._pool_privacy_hidden_sql()
        if hidden:
            rows = self.env.execute_query(
                SQL(
                    "SELECT id FROM mail_message WHERE id = ANY(%s) AND id IN %s",
                    [values["id"] for values in result],
                    hidden,
                )
            )
            if rows:
                _mask_rows(result, {row[0] for row in rows}, masked, self)
        return result


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    @api.model
    def _pool_privacy_hidden_sql(self):
        """Subquery of the followers of the private pool leads that are not
        internal users (the customer, their colleagues); None when privacy does
        not apply."""
        leads = self.env["crm.lead"]._pool_privacy_hidden_sql()
        if leads is None:
            return None
        self.flush_model(["res_model", "res_id", "partner_id"])
        return SQL(
            """(SELECT follower.id FROM mail_followers follower
                 WHERE follower.res_model = 'crm.lead' AND follower.res_id IN %(leads)s
                   AND NOT EXISTS (SELECT 1 FROM res_users users
                                    WHERE users.partner_id = follower.partner_id
                                      AND users.share IS NOT TRUE))""",
            leads=leads,
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        hidden = self._pool_privacy_hidden_sql()
        if hidden is not None:
            domain = expression.AND([domain or [], [("id", "not in", hidden)]])
        return super()._search(domain, offset=offset, limit=limit, order=order)


class CrmActivityReport(models.Model):
    _inherit = "crm.activity.report"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # The analysis shows each message's customer and body: the private
        # pool leads are left out of it (grouped reads search too).
        hidden = self.env["crm.lead"]._pool_privacy_hidden_sql()
        if hidden is not None:
            domain = expression.AND([domain or [], [("lead_id", "not in", hidden)]])
        return super()._search(domain, offset=offset, limit=limit, order=order)


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # A meeting of a private pool lead names the customer among its
        # attendees: only its organizer and attendees find it.
        leads = self.env["crm.lead"]._pool_privacy_hidden_sql()
        if leads is not None:
            self.flush_model(["opportunity_id", "user_id", "partner_ids"])
            hidden = SQL(
                """(SELECT event.id FROM calendar_event event
                     WHERE event.opportunity_id IN %(leads)s
                       AND event.user_id IS DISTINCT FROM %(uid)s
                       AND NOT EXISTS (
                           SELECT 1 FROM calendar_event_res_partner_rel attendee
                            WHERE attendee.calendar_event_id = event.id
                              AND attendee.res_partner_id = %(pid)s))""",
                leads=leads,
                uid=self.env.uid,
                pid=self.env.user.partner_id.id,
            )
            domain = expression.AND([domain or [], [("id", "not in", hidden)]])
        return super()._search(domain, offset=offset, limit=limit, order=order)


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    @api.model
    def _pool_privacy_check_composer(self, model, res_ids):
        """Refuse to write to private pool leads: the composer renders the
        recipients and the template (``{{ object.email_from }}``) for the user."""
        if model != "crm.lead" or not res_ids:
            return
        if isinstance(res_ids, str):
            res_ids = self.new({"res_ids": res_ids})._evaluate_res_ids()
        self.env["crm.lead"].browse(res_ids).exists()._pool_privacy_check()

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        context = self.env.context
        self._pool_privacy_check_composer(
            result.get("model") or context.get("default_model"),
            result.get("res_ids") or context.get("default_res_ids"),
        )
        return result

    def onchange(self, values, field_names, fields_spec):
        self._pool_privacy_check_composer(values.get("model"), values.get("res_ids"))
        return super().onchange(values, field_names, fields_spec)

    @api.model_create_multi
    def create(self, vals_list):
        composers = super().create(vals_list)
        for composer in composers:
            self._pool_privacy_check_composer(
                composer.model, composer._evaluate_res_ids()
            )
        return composers
