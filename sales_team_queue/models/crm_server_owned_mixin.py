"""Fields the server alone decides (figures, routing state): the module's own
code writes them as superuser; a create or write by anybody else that sets one
is refused (in this mixin's ``create`` and ``write``, which the models' own
overrides reach through ``super()``). Readonly in a view is a screen hint; this
is the guard."""

from odoo import _, api, models
from odoo.exceptions import AccessError


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
    def _server_owned_defaulted(self):
        """Names of the server's fields a create would take from a default
        that is not the field's own: a ``default_`` key of the context, or a
        user-defined default (ir.default, which any user may keep for
        themselves and which a create adds after these checks)."""
        ir_defaults = self.env["ir.default"]._get_model_defaults(self._name)
        return {
            name
            for name in self._server_owned_fields
            if f"default_{name}" in self.env.context or name in ir_defaults
        }

    @api.model
    def _server_owned_given(self, vals_list, create=False):
        """Labels of the server's fields that a create or write would set, in
        its values or, for a create, by a default
        (:meth:`_server_owned_defaulted`). Empty for the superuser."""
        if self.env.su:
            return []
        names = self._server_owned_fields
        given = {name for vals in vals_list for name in vals if name in names}
        if create:
            given |= self._server_owned_defaulted()
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
        if not given:
            return
        refusal = self._server_owned_refusal(", ".join(given))
        if create and self._server_owned_defaulted():
            refusal += "\n" + _(
                "A default value sets it: remove that default (Settings > "
                "Technical > User-defined Defaults, or ask your administrator)."
            )
        raise AccessError(refusal)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_server_owned_vals(vals_list, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_server_owned_vals([vals])
        return super().write(vals)
