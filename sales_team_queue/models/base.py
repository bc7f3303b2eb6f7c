"""Searches by the ids of leads or meetings apply the rules of the leads and
meetings (pool privacy), on every model that has such a field: contacts and
users (a contact's leads and meetings), and any model another add-on links to
leads or meetings (``website.visitor``, ``event.registration``,
``calendar.recurrence``, ...)."""

from collections.abc import Iterable

from odoo import api, models, tools
from odoo.osv import expression
from odoo.tools import Query

# The x2many fields whose conditions by ids must apply the rules of their
# records (see hide_private_conditions): fields towards leads and meetings.
PRIVATE_COMODELS = frozenset({"crm.lead", "calendar.event"})


def hide_private_conditions(model, domain):
    """``domain`` (on ``model``), its conditions on leads or meetings by ids
    read among the leads and meetings the user may read; as it is while no
    queue hides its pool (inert until configured).

    Odoo 18 reads a condition on an x2many field by ids (every operator but
    ``any``: ``in``, ``=``, ``=?``, ``<``, ``child_of``..., and ``= False``:
    "has none") as a subquery on the comodel's table that skips its record
    rules, also at the end of a path, on a field a user inherits from their
    contact, and inside an ``any`` through an ``auto_join`` field
    (``res.users.partner_id``, ``res.partner.user_ids``). On a contact's leads
    and meetings, that would tell which customer a private pool lead is for,
    or who attends a meeting the user may not read; on a visitor's or an
    attendee's leads (``website_crm``, ``event_crm``), who they are. The ids
    become a query that applies the rules; the operator keeps Odoo's meaning.
    A condition on a name (a string) already searches them with their
    rules."""
    if not domain or not (
        model.env["crm.team.queue"].sudo()._get_private_pool_queue_ids()
    ):
        return domain
    return _hide_private_conditions(model, domain)


def _hide_private_conditions(model, domain):
    return [_hide_private_condition(model, element) for element in domain]


def _hide_private_condition(model, element):
    if not (isinstance(element, list | tuple) and len(element) == 3):
        return element
    path, operator, value = element
    field, comodel = _path_end(model, path)
    if field is None:
        return element
    if operator in ("any", "not any"):
        if isinstance(value, list | tuple):
            return (path, operator, _hide_private_conditions(comodel, value))
        return element
    if (
        isinstance(value, str | Query)
        or operator not in (*expression.TERM_OPERATORS, "<>")
        or not (
            field.type in ("one2many", "many2many")
            and field.comodel_name in PRIVATE_COMODELS
        )
    ):
        # a name is searched with the rules; Odoo refuses what it does not know
        return element
    negative = operator in expression.NEGATIVE_TERM_OPERATORS or operator == "<>"
    if value is False or value is None:
        # "has none" / "has some" (active ones, as Odoo reads it)
        readable = comodel._search([])
        return (path, "in" if negative else "not in", readable)
    if isinstance(value, models.BaseModel):
        ids = value.ids
    elif isinstance(value, Iterable):
        ids = list(value)
    else:
        ids = [value]
    readable = comodel.with_context(active_test=False)._search([("id", "in", ids)])
    return (path, "not in" if negative else "in", readable)


def _path_end(model, path):
    """The relational field at the end of ``path`` (from ``model``) and its
    comodel, or (None, None) when the path is not one of relational fields."""
    if not isinstance(path, str):
        return None, None
    field = None
    for name in path.split("."):
        field = model._fields.get(name)
        if field is None or not field.relational:
            return None, None
        model = model.env[field.comodel_name]
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
    and whatever another add-on links to leads or meetings); a dictionary
    lookup for every other model."""

    _inherit = "base"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if domain and self._pool_searches_private():
            domain = hide_private_conditions(self, domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    @tools.ormcache()
    def _pool_searches_private(self):
        """Cached per model (the key holds the model's name): see
        :func:`_searches_private`."""
        return _searches_private(self)
