/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openCrmMenu, openQueueList } from "@sales_team_queue/../tests/tours/utils/tour_steps";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A sales manager switches a round-robin queue to Best Fit (its team has a
// history of won and lost leads): the fairness settings and the members'
// weights show, they set the band and save; Test Routing says a Thai lead would
// go to the member who wins Thai leads, with the numbers; Queue Fairness shows
// each member's band limit.
registry.category("web_tour.tours").add("sales_team_queue_best_fit", {
    url: "/odoo",
    steps: () => [
        ...openQueueList(),
        {
            trigger: ".o_data_row td[name=name]:contains(Tour Fit Queue)",
            content: "open the queue",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=strategy] input[data-value=round_robin]:checked",
            content: "the queue routes in turn",
        },
        {
            trigger:
                ".o_form_view:not(:has(.o_field_widget[name=fairness_band])) div[name=member_ids] table:not(:has(th[data-name=weight]))",
            content: "in turn: no fairness band, no weight column",
        },
        {
            trigger: ".o_field_widget[name=strategy] input[data-value=best_fit]",
            content: "choose Best Fit",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=fairness_window_days] input",
            content: "the fairness window shows",
        },
        {
            trigger: "div[name=member_ids] th[data-name=weight]",
            content: "the members' weight column shows",
        },
        {
            trigger: ".o_field_widget[name=fairness_band] input",
            content: "set the fairness band",
            run: "edit 50",
        },
        ...stepUtils.saveForm(),
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Test Routing)",
            content: "test the routing",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=lead_total]:contains(1)",
            content: "one lead waits",
        },
        {
            trigger:
                ".modal div[name=line_ids] .o_data_row:contains(Tour Fit Thai Lead):contains(/best fit: Somchai wins \\d+ % of leads like this one \\(Thailand\\), team \\d+ %; within fair share: 2 of 4 today \\(share 1\\.3, band 50 %\\)/)",
            content: "the Thai lead would go to Somchai, who wins Thai leads, within his share",
        },
        {
            trigger: ".modal .modal-footer button:contains(Close)",
            content: "close without changing anything",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        ...openCrmMenu(
            "crm.crm_menu_report",
            "sales_team_queue.crm_team_queue_fairness_menu",
            "open Reporting > Queue Fairness"
        ),
        {
            trigger: "button.o_switch_view.o_list",
            content: "as a list",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains(Member) .o_facet_remove",
            content: "one row per member and day",
            run: "click",
        },
        {
            trigger: ".o_list_view th[data-name=band_share]:contains(Band Limit)",
            content: "the Band Limit column",
        },
        {
            trigger:
                ".o_data_row:contains(Tour Fit Queue):contains(Somchai) td[name=band_share]:contains(50.00)",
            content: "a third of the weights plus a band of 50 %: at most 50 % of the leads",
        },
    ],
});
