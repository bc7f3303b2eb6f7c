/** @odoo-module **/

import { registry } from "@web/core/registry";
import { phoneOpenCrm, phoneOpenMenu } from "@sales_team_queue/../tests/tours/utils/tour_steps";

// A notification of success (whatever its wording).
const SUCCESS = ".o_notification:has(.o_notification_bar.bg-success)";

// A rep on a phone opens the Lead Pool, claims a lead from its card, finds it
// in their pipeline, and gives it back from its form with a reason: it is in
// the pool again.
registry.category("web_tour.tours").add("sales_team_queue_pool_phone", {
    url: "/odoo",
    steps: () => [
        ...phoneOpenCrm(),
        {
            trigger: "body:not(:has(.o_app_menu_sidebar)) .o_action_manager .o_kanban_view",
            content: "CRM is open, on the pipeline",
        },
        ...phoneOpenMenu("sales_team_queue.crm_lead_menu_pool", "open the Lead Pool"),
        {
            trigger: ".o_kanban_record:contains(Tour Phone Lead) .o_pool_waiting",
            content: "the card says how long the lead has been waiting",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Phone Lead) button.o_pool_claim",
            content: "claim it",
            run: "click",
        },
        {
            trigger: SUCCESS,
            content: "a notification says the claim succeeded",
        },
        {
            trigger: ".o_kanban_view:not(:has(.o_kanban_record:contains(Tour Phone Lead)))",
            content: "the lead has left the pool",
        },
        ...phoneOpenMenu("crm.menu_crm_opportunities", "open My Pipeline"),
        {
            trigger: ".o_kanban_record:contains(Tour Phone Lead)",
            content: "the lead is in the rep's own pipeline: open it",
            run: "click",
        },
        {
            trigger:
                ".o_form_view:has(.o_field_widget[name=name] textarea:value(Tour Phone Lead)) .o_field_widget[name=user_id] input:value(Tour Phone Rep)",
            content: "the lead's form: its salesperson is the rep",
        },
        {
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            content: "on a phone, the form's buttons are in the actions menu",
            run: "click",
        },
        {
            trigger: ".dropdown-item button:contains(Release)",
            content: "release the lead",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=reason] textarea",
            content: "say why",
            run: "edit Customer wants a Thai speaker",
        },
        {
            trigger: ".modal .modal-footer button[name=action_apply]",
            content: "confirm",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_form_view",
            content: "back on the lead",
        },
        ...phoneOpenMenu("sales_team_queue.crm_lead_menu_pool", "open the Lead Pool again"),
        {
            trigger:
                ".o_kanban_record:contains(Tour Phone Lead) .o_pool_returned:contains(Customer wants a Thai speaker)",
            content: "the lead is back in the pool, with the reason",
        },
    ],
});
