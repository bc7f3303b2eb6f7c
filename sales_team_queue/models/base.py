"""Searches by the ids of leads or meetings leave out the private pool leads, and
their meetings, that the user may not read (pool privacy), on every model that
has such a field: contacts and users (a contact's leads and meetings), and any
model another add-on links to leads or meetings (``website.visitor``,
``event.registration``, ``calendar.recurrence``, ...)."""

from collections.abc import Iterable

from odoo import api, models
from odoo.osv import expression
from odoo.tools import Query

# The x2many fields whose conditions by ids must leave out what pool privacy
# hides (see hide_private_conditions): fields towards leads and meetings.
PRIVATE_COMODELS = frozenset({"crm.lead", "calendar.event"})

# A search as superuser of a domain a user wrote (a mailing's recipients, which
# Odoo's cron computes) leaves out every private pool lead, and its meetings,
# as if the user could read none of them. The value is a Python object, which
# no RPC client can send.
PRIVATE_POOLS_OUT = "sales_team_queue.private_pools_out"
PRIVATE_POOLS_OUT_TOKEN = object()


def leaves_private_pools_out(env):
    """Whether searches in ``env`` leave every private pool lead out."""
    return env.context.get(PRIVATE_POOLS_OUT) is PRIVATE_POOLS_OUT_TOKEN


def hide_private_conditions(model, domain):
    """``domain`` (on ``model``), its conditions on leads or meetings by ids
    read without the private pool leads, and their meetings, that the user
    may not read; as it is while no queue hides its pool (inert until
    configured) and in sudo mode (no rules to keep: website's clean-up of
    visitors counts their leads so), unless the search runs a domain a user
    wrote (``PRIVATE_POOLS_OUT``): then every private pool lead, and its
    meetings, is left out.

    Odoo 18 reads a condition on an x2many field by ids (every operator but
    ``any``: ``in``, ``=``, ``<``, ``child_of``..., and ``= False``: "has
    none") as a subquery (on the comodel's or the relation's table) that
    skips the comodel's record rules, also at the end of a path, on a field a
    user inherits from their contact, and inside an ``any`` through an
    ``auto_join`` field
    (``res.users.partner_id``, ``res.partner.user_ids``). On a contact's leads
    and meetings, that would tell which customer a private pool lead is for,
    or who attends a meeting the user may not read; on a visitor's or an
    attendee's leads (``website_crm``, ``event_crm``), who they are. The ids
    become a query of the same records, as Odoo reads them (archived ones
    too; for "has none", a one2many's active ones and a many2many's every
    link), but the hidden ones; everything else keeps Odoo's meaning (other
    users' leads still count, whatever the rules). The hierarchy operators,
    which Odoo cannot run on leads or meetings (no parent), read as ``in``.
    A condition on a name (a string) already searches with the rules."""
    strict = leaves_private_pools_out(model.env)
    if not domain or (model.env.su and not strict):
        return domain
    if not model.env["crm.team.queue"].sudo()._get_private_pool_queue_ids():
        return domain
    hidden = _HiddenRecords(model.env, strict)
    return _hide_private_conditions(model, domain, hidden)


class _HiddenRecords(dict):
    """The records of a comodel (leads or meetings) that pool privacy hides
    from the user (``strict``: every private pool lead and its meetings), as a
    query (sudo), computed once per search."""

    def __init__(self, env, strict=False):
        super().__init__()
        self.env = env
        self.strict = strict

    def __missing__(self, model_name):
        if self.strict:
            self[model_name] = hidden = self._every_private(model_name)
            return hidden
        leads = self.env["crm.lead"]._pool_hidden_query()
        if leads is None or model_name == "crm.lead":
            hidden = leads
        else:
            events = self.env[model_name].sudo().with_context(active_test=False)
            hidden = events._search([("pool_hidden", "=", True)])
        self[model_name] = hidden
        return hidden

    def _every_private(self, model_name):
        env = self.env(context=dict(self.env.context, **{PRIVATE_POOLS_OUT: None}))
        leads = env["crm.lead"].sudo().with_context(active_test=False)
        private = leads._search([("pool_private", "=", True)])
        if model_name == "crm.lead":
            return private
        events = env[model_name].sudo().with_context(active_test=False)
        return events._search(
            [
                "|",
                ("opportunity_id", "in", private),
                "&",
                ("res_model", "=", "crm.lead"),
                ("res_id", "in", private),
            ]
        )


def _hide_private_conditions(model, domain, hidden):
    return [_hide_private_condition(model, element, hidden) for element in domain]


def _hide_private_condition(model, element, hidden):
    if not (isinstance(element, list | tuple) and len(element) == 3):
        return element
    path, operator, value = element
    field, comodel = _path_end(model, path)
    if field is None:
        return element
    if operator in ("any", "not any"):
        if isinstance(value, list | tuple):
            return (path, operator, _hide_private_conditions(comodel, value, hidden))
        return element
    if not _by_ids(field, operator, value) or hidden[field.comodel_name] is None:
        return element
    negative = operator in expression.NEGATIVE_TERM_OPERATORS or operator == "<>"
    shown = [("id", "not in", hidden[field.comodel_name])]
    comodel = comodel.sudo()
    if value is False:
        # "has none" / "has some", counted as Odoo counts them
        if field.type == "many2many":
            comodel = comodel.with_context(active_test=False)
        return (path, "in" if negative else "not in", comodel._search(shown))
    if isinstance(value, models.BaseModel):
        ids = value.ids
    elif isinstance(value, Iterable):
        ids = list(value)
    else:
        ids = [value]
    found = comodel.with_context(active_test=False)._search([("id", "in", ids)] + shown)
    return (path, "not in" if negative else "in", found)


def _by_ids(field, operator, value):
    """Whether the condition (on ``field``) is one by ids that Odoo resolves
    with a rule-free subquery: on leads or meetings, an operator Odoo knows
    (it refuses the others), not a name (a string, or a list of them for
    ``child_of``/``parent_of``: Odoo searches names with the rules; in a list
    for another operator, a string is an id, ``"17"``), and not ``=?`` with
    no value (no condition)."""
    if isinstance(value, str | Query) or (operator == "=?" and not value):
        return False
    if (
        operator in ("child_of", "parent_of")
        and isinstance(value, list | tuple)
        and value
        and all(isinstance(item, str) for item in value)
    ):
        return False
    return (
        operator in (*expression.TERM_OPERATORS, "<>")
        and field.type in ("one2many", "many2many")
        and field.comodel_name in PRIVATE_COMODELS
    )


def _path_end(model, path):
    """The relational field at the end of ``path`` (from ``model``) and its
    comodel, in the context Odoo searches it with (archived records too after
    a many2one, the field's context after an x2many), or (None, None) when the
    path is not one of relational fields."""
    if not isinstance(path, str):
        return None, None
    field = None
    for name in path.split("."):
        field = model._fields.get(name)
        if field is None or not field.relational:
            return None, None
        model = model.env[field.comodel_name]
        if field.type == "many2one":
            model = model.with_context(active_test=False)
        else:
            model = model.with_context(**field.context)
    return field, model


def _searches_private(model, seen=frozenset()):
    """Whether a search on ``model`` can hold a condition by ids on leads or
    meetings: it has an x2many field towards them (its own or inherited), or
    an ``auto_join`` field towards such a model (joined without its
    ``_search``)."""
    seen = seen | {model._name}
    for field in model._fields.values():
        if not field.relational:
            continue
        if field.type != "many2one" and field.comodel_name in PRIVATE_COMODELS:
            return True
        comodel = model.env[field.comodel_name]
        if field.auto_join and comodel._name not in seen:
            if _searches_private(comodel, seen):
                return True
    return False


class Base(models.AbstractModel):
    """Applies :func:`hide_private_conditions` to every search of a model that
    can hold such a condition (``res.partner``, ``res.users``, ``crm.lead``,
    and whatever another add-on links to leads or meetings), as the model says
    since the registry's setup; other models pay one attribute read."""

    _inherit = "base"

    # Whether the model can hold such a condition (_searches_private), set on
    # each model's class when the registry sets the models up.
    _pool_searches_private = False

    @api.model
    def _setup_complete(self):
        result = super()._setup_complete()
        type(self)._pool_searches_private = _searches_private(self)
        return result

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if domain and self._pool_searches_private:
            domain = hide_private_conditions(self, domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)
