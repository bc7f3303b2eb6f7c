{
    "name": "Sales Team Queues",
    "summary": "Instant, fair, explainable lead distribution: queues, lead pool, "
    "assignment wizards, stage probabilities and team visibility",
    "version": "18.0.1.6.3",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "sales_team_queue developers",
    "website": "https://github.com/sales-team-queue/sales_team_queue",
    "depends": ["crm", "product"],
    "data": [
        # security: groups and rules first, then access
        "security/ir.model.access.csv",
        "security/sales_team_queue_security.xml",
        "security/crm_lead_stage_history_security.xml",
        "security/crm_sales_target_security.xml",
        "security/crm_lead_assignment_report_security.xml",
        "security/wizard_security.xml",
        "security/crm_team_queue_fairness_report_security.xml",
        # data
        "data/ir_cron_data.xml",
        # wizards
        "wizards/crm_team_queue_simulation_views.xml",
        "wizards/crm_lead_release_views.xml",
        "wizards/crm_lead_offer_decline_views.xml",
        "wizards/crm_sales_target_generate_views.xml",
        "wizards/crm_lead_assign_views.xml",
        "wizards/crm_salesperson_handover_views.xml",
        # views
        "views/crm_team_queue_views.xml",
        "views/crm_team_queue_dashboard_views.xml",
        "views/crm_lead_assignment_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_lead_pool_views.xml",
        "views/crm_lead_sla_views.xml",
        "views/res_config_settings_views.xml",
        "views/crm_team_views.xml",
        "views/crm_stage_views.xml",
        "views/crm_lead_stage_history_views.xml",
        "views/crm_sales_target_views.xml",
        # reports
        "reports/crm_stage_analysis_views.xml",
        "reports/crm_lead_assignment_report_views.xml",
        "reports/crm_team_queue_fairness_report_views.xml",
        # menus last
        "views/sales_team_queue_menus.xml",
        "views/crm_lead_waiting_views.xml",
    ],
    "demo": [
        "demo/crm_team_demo.xml",
        "demo/crm_team_queue_demo.xml",
        "demo/crm_stage_demo.xml",
        "demo/crm_sales_target_demo.xml",
        "demo/crm_story_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "sales_team_queue/static/src/**/*",
        ],
        "web.assets_tests": [
            "sales_team_queue/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
