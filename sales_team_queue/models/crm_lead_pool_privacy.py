"""Pool privacy: the contact details of a lead waiting in the pool of a queue with
``pool_hide_contact`` are hidden from reps until one of them claims it.

Masked at the ORM's boundaries, set-based: ``_read_format`` (read, search_read,
web_read, web_search_read), ``_export_rows`` (export), ``_search`` and
``_read_group`` (searches, name searches, grouping), ``write`` (refused) and the
chatter's suggested recipients. The values in the database and in the cache are
never changed, so computes, routing and claims work on the real data.
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
