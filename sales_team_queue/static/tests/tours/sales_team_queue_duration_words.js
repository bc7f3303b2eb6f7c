/** @odoo-module **/

import { registry } from "@web/core/registry";

// The assignment analysis shows durations in words, in the pivot and the list.
registry.category("web_tour.tours").add("sales_team_queue_duration_words", {
    steps: () => [
        {
            trigger: ".o_pivot th:contains(Tour Duration Rep)",
            content: "the analysis opens on the reps",
        },
        {
            trigger: ".o_pivot td:contains(2 h 5 min)",
            content: "the rep's first response reads in words",
        },
        {
            trigger: "button.o_switch_view.o_list",
            content: "switch to the list",
            run: "click",
        },
        {
            trigger: ".o_group_name:contains(Tour Duration Rep)",
            content: "open the rep's group",
            run: "click",
        },
        {
            trigger: ".o_data_row td[name=response_minutes]:contains(2 h 5 min)",
            content: "the line reads in words too",
        },
    ],
});
