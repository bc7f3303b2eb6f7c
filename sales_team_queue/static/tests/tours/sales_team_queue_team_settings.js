/** @odoo-module **/

import { registry } from "@web/core/registry";

// A sales manager opens a team and switches it to whole-team visibility with a
// private pool, from the Lead Distribution tab of the team form.
registry.category("web_tour.tours").add("sales_team_queue_team_settings", {
    url: "/odoo/action-sales_team.crm_team_action_config",
    steps: () => [
        {
            trigger: ".o_data_row td[name=name]:contains('Tour Settings Team')",
            content: "open the team",
            run: "click",
        },
        {
            trigger: ".o_notebook .nav-link:contains('Lead Distribution')",
            content: "open the Lead Distribution tab",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=lead_visibility] input[data-value=team]",
            content: "members see the whole team",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=restrict_pool] input",
            content: "private pool",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            content: "save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
    ],
});
