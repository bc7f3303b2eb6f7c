/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openCrmAppMenu, openCrmMenu } from "@sales_team_queue/../tests/tours/utils/tour_steps";

// A team leader opens the queue dashboard, opens the leads waiting in a
// queue's pool from its card, then the fairness of the queue.
registry.category("web_tour.tours").add("sales_team_queue_queue_dashboard", {
    url: "/odoo",
    steps: () => [
        ...openCrmAppMenu(
            "sales_team_queue.crm_team_queue_menu_root",
            "sales_team_queue.crm_team_queue_menu_dashboard",
            "open Lead Queues > Dashboard, the first screen"
        ),
        {
            trigger: ".o_kanban_record:contains(Tour Dashboard Pool) .badge:contains(at cap)",
            content: "the card shows a member at their cap",
        },
        {
            trigger:
                ".o_kanban_record:contains(Tour Dashboard Pool) button:contains(Waiting in pool):contains(2)",
            content: "two leads wait in the pool: open them",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Dashboard Lead 1)",
            content: "the waiting leads are listed",
        },
        ...openCrmMenu(
            "crm.crm_menu_report",
            "sales_team_queue.crm_team_queue_fairness_menu",
            "open Reporting > Queue Fairness"
        ),
        {
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(Tour Dashboard Rep)",
            content: "the report opens on the members' shares, by queue",
        },
        {
            trigger: "button.o_switch_view.o_list",
            content: "switch to the list",
            run: "click",
        },
        {
            trigger: ".o_group_name:contains(Tour Dashboard Pool)",
            content: "open the queue's group",
            run: "click",
        },
        {
            trigger: ".o_group_name:contains(Tour Dashboard Rep)",
            content: "open the member's group",
            run: "click",
        },
        {
            trigger: ".o_data_row td[name=assigned_count]:contains(1)",
            content: "open the member's line",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Dashboard Lead 3)",
            content: "the ledger line behind it is listed",
        },
    ],
});
