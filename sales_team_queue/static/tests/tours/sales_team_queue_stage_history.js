/** @odoo-module **/

import { registry } from "@web/core/registry";

// A rep drags an opportunity of a team in "from stage" mode from New to Qualified
// in the pipeline, then opens it: the probability is the stage's (30 %) and the
// Stage History tab shows the move, newest first.
registry.category("web_tour.tours").add("sales_team_queue_stage_history", {
    url: "/odoo/action-crm.crm_lead_action_pipeline",
    steps: () => [
        {
            trigger:
                ".o_kanban_group:has(.o_column_title:contains('New')) .o_kanban_record:contains('Tour Stage Lead')",
            content: "drag the opportunity to Qualified",
            run: "drag_and_drop (.o_opportunity_kanban .o_kanban_group:has(.o_column_title:contains('Qualified')))",
        },
        {
            trigger:
                ".o_kanban_group:has(.o_column_title:contains('Qualified')) .o_kanban_record:contains('Tour Stage Lead')",
            content: "open it",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=probability] input:value(30.00)",
            content: "the probability is the stage's",
        },
        {
            trigger: ".o_notebook .nav-link:contains('Stage History')",
            content: "open the stage history",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=stage_history_ids] .o_data_row:first-child:contains('New'):contains('Qualified'):contains('30.00')",
            content: "the move is the newest line",
        },
        {
            trigger:
                ".o_field_widget[name=stage_history_ids] .o_data_row:eq(1):contains('Created')",
            content: "the creation is the oldest line",
        },
    ],
});
