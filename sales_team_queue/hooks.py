def post_init_hook(env):
    """Apply the module's changes to Odoo's core records.

    Odoo's "own documents" rules on leads and on the activity report are changed so
    that a team's private pool is not shown to every salesperson (see
    ``ir.rule._sales_team_queue_core_rules``). The same change is re-applied from
    ``security/sales_team_queue_security.xml`` on every upgrade; this hook only makes
    sure it is in place once the module is installed.
    """
    env["ir.rule"]._sales_team_queue_apply_core_rules()


def uninstall_hook(env):
    """Restore Odoo's core records changed by :func:`post_init_hook`."""
    env["ir.rule"]._sales_team_queue_restore_core_rules()
