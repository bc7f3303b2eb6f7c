from odoo import api, fields, models

from .values import yes_no_domain


class CrmLeadPoolHiddenMixin(models.AbstractModel):
    """Records about a document that Odoo 18 lets every employee read whatever
    the document (followers, notifications, meetings): hidden from the reps
    who may not read the private pool lead they are about, or the meeting of
    one (pool privacy, see ``crm_lead_pool_privacy.py``). A global record
    rule of each model says ``('pool_hidden', '=', False)``.

    A model that names its document by two fields (model name, id) says which
    in ``_pool_hidden_document``; another names the document each record is
    about (:meth:`_pool_hidden_reference`) and says which records are hidden
    (:meth:`_pool_hidden_domain`)."""

    _name = "crm.lead.pool.hidden.mixin"
    _description = "Hidden with Private Pool Leads"

    # (model name field, id field) of the document, e.g. ("res_model", "res_id")
    _pool_hidden_document = None

    pool_hidden = fields.Boolean(
        compute="_compute_pool_hidden",
        search="_search_pool_hidden",
        help="Technical: about a private pool lead (or its meeting) that the user "
        "may not read.",
    )

    def _pool_hidden_reference(self):
        """The ``(model name, id)`` of the document the record (read as
        superuser) is about."""
        if not self._pool_hidden_document:
            raise NotImplementedError
        model_field, id_field = self._pool_hidden_document
        return (self[model_field], self[id_field])

    @api.depends_context("uid")
    def _compute_pool_hidden(self):
        references = [record._pool_hidden_reference() for record in self.sudo()]
        hidden = self.env["calendar.event"]._pool_hidden_references(references)
        for record, reference in zip(self, references, strict=True):
            record.pool_hidden = reference in hidden

    @api.model
    def _search_pool_hidden(self, operator, value):
        return yes_no_domain(
            self, "pool_hidden", operator, value, self._pool_hidden_domain
        )

    @api.model
    def _pool_hidden_domain(self, hidden):
        """The domain of the records that are hidden (``hidden``), or not."""
        if not self._pool_hidden_document:
            raise NotImplementedError
        return self.env["calendar.event"]._pool_hidden_reference_domain(
            *self._pool_hidden_document, hidden
        )
