/** @odoo-module **/

import { registry } from "@web/core/registry";
import { handOverBook, openCrmMenu, pickInField, runAction, selectRows } from "@sales_team_queue/../tests/tours/utils/tour_steps";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A notification of success (whatever its wording), and no error dialog.
const SUCCESS = ".o_notification:has(.o_notification_bar.bg-success)";
const NO_ERROR = "body:not(:has(.o_error_dialog))";

function openLeadQueuesMenu(menu, content) {
    return openCrmMenu(
        "sales_team_queue.crm_team_queue_menu_root",
        `sales_team_queue.${menu}`,
        content
    );
}

// A team leader's day (a salesperson who leads a team, not a sales manager):
// the queue dashboard, the members' load, pausing and resuming a member, Test
// Routing, reassigning a lead with a reason, and the handover of a member's
// book. Every step checks what the leader sees; no step may show an error.
registry.category("web_tour.tours").add("sales_team_queue_leader_day", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root"),
        ...openLeadQueuesMenu("crm_team_queue_menu_dashboard", "open the Dashboard"),
        // The dashboard and the members' load.
        {
            trigger:
                ".o_kanban_record:contains(Tour Day Queue) button:contains(Assigned today):contains(2)",
            content: "the queue's card: two leads assigned today",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Day Queue) button:contains(Member load)",
            content: "open the members' load",
            run: "click",
        },
        {
            trigger:
                ".o_list_view .o_data_row:contains(Tour Day Anna):has(td[name=assigned_today]:contains(1)):has(td[name=daily_cap]:contains(5))",
            content: "Anna received one lead today, of a daily cap of 5",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Day Ben):has(td[name=open_count]:contains(1))",
            content: "Ben holds one open lead",
        },
        // Pause a member, then make them available again.
        {
            trigger: ".o_data_row:contains(Tour Day Ben) button[name=action_pause]",
            content: "pause Ben",
            run: "click",
        },
        {
            trigger:
                ".o_data_row:contains(Tour Day Ben):has(td[name=active] input:not(:checked)) button[name=action_resume]",
            content: "Ben is paused",
        },
        {
            trigger: ".o_data_row:contains(Tour Day Ben) button[name=action_resume]",
            content: "make Ben available again",
            run: "click",
        },
        {
            trigger:
                ".o_data_row:contains(Tour Day Ben):has(td[name=active] input:checked) button[name=action_pause]",
            content: "Ben is available",
        },
        {
            trigger: NO_ERROR,
        },
        // Test Routing on the queue.
        {
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Queue Dashboard)",
            content: "back to the dashboard",
            run: "click",
        },
        {
            trigger: ".o_kanban_record span:contains(Tour Day Queue)",
            content: "open the queue",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Test Routing)",
            content: "test its routing",
            run: "click",
        },
        {
            trigger:
                ".modal div[name=line_ids] .o_data_row:contains(Tour Day Waiting Lead):contains(Tour Day Anna):contains(round robin: next after Tour Day Ben)",
            content: "the waiting lead would go to Anna, and the test says why",
        },
        {
            trigger: ".modal .modal-footer button:contains(Close)",
            content: "close the test: nothing changed",
            run: "click",
        },
        // Reassign a lead with the assignment wizard.
        {
            trigger: "body:not(:has(.modal)) .o_form_view button[name=action_view_leads]",
            content: "open the queue's leads",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_group_header:contains(Assigned)",
            content: "open the assigned ones",
            run: "click",
        },
        ...selectRows("Tour Day Lead One"),
        ...runAction("Assign Leads", "open the assignment wizard"),
        ...pickInField("user_id", "Tour Day Ben"),
        {
            trigger: ".modal .o_field_widget[name=reason] textarea",
            content: "say why",
            run: "edit Anna is at the trade fair",
        },
        {
            trigger: ".modal .modal-footer button[name=action_apply]",
            content: "apply",
            run: "click",
        },
        {
            trigger: SUCCESS,
            content: "a notification says it is done",
        },
        {
            trigger:
                "body:not(:has(.modal)) .o_data_row:contains(Tour Day Lead One):contains(Tour Day Ben)",
            content: "the lead is Ben's",
        },
        // Hand over a member's book.
        ...openLeadQueuesMenu(
            "crm_salesperson_handover_menu",
            "open the Salesperson Handover"
        ),
        {
            trigger: ".modal .alert-info:contains(As a team leader):contains(Tour Day Team)",
            content: "the wizard says what a team leader hands over",
        },
        {
            trigger: ".modal:not(:has(.o_field_widget[name=archive_user]))",
            content: "archiving the user is for administrators: not offered",
        },
        ...handOverBook("Tour Day Chai", "Tour Day Ben", 2, "Ben would receive Chai's two leads"),
        {
            trigger: `${SUCCESS}:contains(Handover Done)`,
            content: "a notification says the handover is done",
        },
        {
            trigger: "body:not(:has(.modal)):not(:has(.o_error_dialog))",
            content: "the wizard is closed, without error",
        },
    ],
});
