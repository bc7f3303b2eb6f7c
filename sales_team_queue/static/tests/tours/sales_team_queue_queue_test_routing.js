/** @odoo-module **/

import { registry } from "@web/core/registry";

// A sales manager opens "Test Routing" on a queue and sees, without changing
// anything, which member each waiting lead would go to and why.
registry.category("web_tour.tours").add("sales_team_queue_queue_test_routing", {
    url: "/odoo/action-sales_team_queue.crm_team_queue_action",
    steps: () => [
        {
            trigger: ".o_data_row td[name=name]:contains(Tour Dry Run)",
            content: "open the queue",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Test Routing)",
            content: "test the routing",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=lead_total]:contains(2)",
            content: "two leads wait",
        },
        {
            trigger:
                ".modal div[name=line_ids] .o_data_row:contains(Dry Run Lead A):contains(Tour Rep One):contains(round robin: first turn)",
            content: "the first one would go to the first member",
        },
        {
            trigger:
                ".modal div[name=line_ids] .o_data_row:contains(Dry Run Lead B):contains(Tour Rep Two):contains(round robin: next after Tour Rep One)",
            content: "the second one to the next member, and why",
        },
        {
            trigger: ".modal .modal-footer button:contains(Close)",
            content: "close without changing anything",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
