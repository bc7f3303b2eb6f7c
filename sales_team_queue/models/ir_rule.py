import json

from odoo import api, models

# Odoo 18's own domains of the core rules the module changes, verbatim from
# crm/security/crm_security.xml. They are only the fallback of the uninstall: the
# domains found in the database at install time are kept and restored first.
ODOO_CORE_RULE_DOMAINS = {
    "crm.crm_rule_personal_lead": "['|',('user_id','=',user.id),('user_id','=',False)]",
    "crm.crm_activity_report_rule_personal_activities": (
        "['|',('user_id','=',user.id),('user_id','=',False)]"
    ),
}

# While the module is installed: Odoo's "own documents" rule, except that the
# unassigned leads of a team with a private pool are no longer everybody's (the
# module's own rules give them back to the team's members and leader), and that a
# lead waiting in a pool that hides contact details (``pool_private``, see
# crm_lead_pool_privacy.py) is nobody's but its team leader's and "All Documents".
PERSONAL_RULE_DOMAIN = (
    "['|', ('user_id', '=', user.id), "
    "'&', '&', ('user_id', '=', False), "
    "'|', ('team_id', '=', False), ('team_id.restrict_pool', '=', False), "
    "('pool_private', '=', False)]"
)
# The same on the activity analysis, through the row's lead.
PERSONAL_ACTIVITY_RULE_DOMAIN = (
    "['|', ('user_id', '=', user.id), "
    "'&', '&', ('user_id', '=', False), "
    "'|', ('team_id', '=', False), ('team_id.restrict_pool', '=', False), "
    "('lead_id.pool_private', '=', False)]"
)

SAVED_DOMAINS_PARAM = "sales_team_queue.core_rule_domains"


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _sales_team_queue_core_rules(self):
        """Odoo's record rules the module changes: ``{xml id: domain while the
        module is installed}``. Override to change more of them."""
        return {
            "crm.crm_rule_personal_lead": PERSONAL_RULE_DOMAIN,
            "crm.crm_activity_report_rule_personal_activities": (
                PERSONAL_ACTIVITY_RULE_DOMAIN
            ),
        }

    @api.model
    def _sales_team_queue_saved_domains(self):
        value = self.env["ir.config_parameter"].sudo().get_param(SAVED_DOMAINS_PARAM)
        return json.loads(value) if value else {}

    @api.model
    def _sales_team_queue_apply_core_rules(self):
        """Give Odoo's core rules the module's domains. Idempotent: called by the
        install hook and, from the module's security data, on every install and
        upgrade, so that neither ``-u crm`` nor ``-u sales_team_queue`` loses the
        change. The domain a rule had before its first change is kept for the
        uninstall."""
        saved = self._sales_team_queue_saved_domains()
        for xmlid, domain in self._sales_team_queue_core_rules().items():
            rule = self.env.ref(xmlid, raise_if_not_found=False)
            if not rule or rule.domain_force == domain:
                continue
            # Keep the first original: a later difference is a former version of
            # the module's own domain, or an edit made while it was installed.
            saved.setdefault(xmlid, rule.domain_force)
            rule.sudo().domain_force = domain
        if saved:
            self.env["ir.config_parameter"].sudo().set_param(
                SAVED_DOMAINS_PARAM, json.dumps(saved, sort_keys=True)
            )

    @api.model
    def _sales_team_queue_restore_core_rules(self):
        """Give Odoo's core rules back the domains they had before the module
        changed them (Odoo's own domains when none was kept)."""
        saved = self._sales_team_queue_saved_domains()
        for xmlid in self._sales_team_queue_core_rules():
            rule = self.env.ref(xmlid, raise_if_not_found=False)
            original = saved.get(xmlid, ODOO_CORE_RULE_DOMAINS.get(xmlid))
            if rule and original is not None and rule.domain_force != original:
                rule.sudo().domain_force = original
        self.env["ir.config_parameter"].sudo().search(
            [("key", "=", SAVED_DOMAINS_PARAM)]
        ).unlink()
