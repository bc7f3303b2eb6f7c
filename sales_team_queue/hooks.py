def post_init_hook(env):
    """Apply the module's changes to Odoo's core records (see security)."""


def uninstall_hook(env):
    """Restore Odoo's core records changed by :func:`post_init_hook`."""
