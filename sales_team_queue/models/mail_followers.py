"""Followers of private pool leads: hidden from the reps who may not read the lead
(pool privacy)."""

from odoo import api, fields, models


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    pool_hidden = fields.Boolean(
        compute="_compute_pool_hidden",
        search="_search_pool_hidden",
        help="Technical: follows a private pool lead the user may not read.",
    )

    @api.depends_context("uid")
    def _compute_pool_hidden(self):
        followers = self.sudo()
        hidden = self.env["calendar.event"]._pool_hidden_references(
            [(follower.res_model, follower.res_id) for follower in followers]
        )
        for follower, follower_sudo in zip(self, followers, strict=True):
            follower.pool_hidden = (follower_sudo.res_model, follower_sudo.res_id) in (
                hidden
            )

    @api.model
    def _search_pool_hidden(self, operator, value):
        return self.env["calendar.event"]._pool_hidden_reference_domain(
            "res_model", "res_id", operator, value
        )
