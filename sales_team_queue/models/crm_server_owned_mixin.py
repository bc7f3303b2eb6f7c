"""Fields the server alone decides (figures, routing state): the module's own
code writes them as superuser; a create or write by anybody else that sets one
is refused (in this mixin's ``create`` and ``write``, which the models' own
overrides reach through ``super()``), and so is a create that would take one
from a default: a ``default_`` key of the context or a user-defined default
(:func:`check_no_user_default`). Readonly in a view is a screen hint; this
is the guard."""

from odoo import api, models
from odoo.exceptions import AccessError


def check_no_user_default(model, names):
    """Refuse a create of ``model`` that would take one of the fields ``names``
    (only the server sets them) from a user-defined default: any user may keep
    defaults for themselves (ir.default, "Set Defaults"), and a create adds
    them after its own checks."""
    if model.env.su:
        return
    defaults = model.env["ir.default"]._get_model_defaults(model._name)
    given = [name for name in names if name in defaults]
    if given:
        raise AccessError(
            model.env._(
                "%(fields)s: only the server sets this, and a default value "
                "would set it on the new record: remove that default (Settings > "
                "Technical > User-defined Defaults), or ask your administrator to.",
                fields=", ".join(
                    model._fields[name]._description_string(model.env) for name in given
                ),
            )
        )


class CrmServerOwnedMixin(models.AbstractModel):
    _name = "crm.server.owned.mixin"
    _description = "Fields Only the Server Sets"

    # Names of the fields of the model that only the server sets.
    _server_owned_fields = ()

    def _server_owned_refusal(self, fields):
        """Why setting ``fields`` (their labels, joined) by hand is refused,
        in the user's language."""
        raise NotImplementedError

    @api.model
    def _server_owned_given(self, vals_list, create=False):
        """Labels of the server's fields that a create or write would set, in
        its values or, for a create, as ``default_`` keys of the context.
        Empty for the superuser."""
        if self.env.su:
            return []
        names = self._server_owned_fields
        given = {name for vals in vals_list for name in vals if name in names}
        if create:
            given.update(
                name for name in names if f"default_{name}" in self.env.context
            )
        return [
            self._fields[name]._description_string(self.env)
            for name in names
            if name in given
        ]

    @api.model
    def _check_server_owned_vals(self, vals_list, create=False):
        """Refuse a create (``create``) or write of ``vals_list`` that sets a
        field only the server sets."""
        given = self._server_owned_given(vals_list, create)
        if given:
            raise AccessError(self._server_owned_refusal(", ".join(given)))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_server_owned_vals(vals_list, create=True)
        check_no_user_default(self, self._server_owned_fields)
        return super().create(vals_list)

    def write(self, vals):
        self._check_server_owned_vals([vals])
        return super().write(vals)
