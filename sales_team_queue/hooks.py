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


def install_ready_bridges(env, names):
    """Install the bridges ``names`` (add-ons that depend on this module and
    another app, and install by themselves) where their apps are installed.
    Odoo installs such an add-on by itself when one of its dependencies is
    installed, not when one is upgraded: the migration that brings a bridge
    calls this with its name (and only then: a bridge uninstalled on purpose
    stays so)."""
    bridges = env["ir.module.module"].search(
        [("name", "in", list(names)), ("state", "=", "uninstalled")]
    )
    ready = bridges.filtered(
        lambda bridge: all(
            dependency.state in ("installed", "to upgrade")
            for dependency in bridge.dependencies_id
        )
    )
    if ready:
        ready.button_install()
