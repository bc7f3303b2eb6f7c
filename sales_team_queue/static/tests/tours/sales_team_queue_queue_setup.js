/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openQueueList, pickInField } from "@sales_team_queue/../tests/tours/utils/tour_steps";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function addMember(name) {
    return [
        {
            trigger: "div[name=member_ids] .o_field_x2many_list_row_add a",
            content: `add a member line for ${name}`,
            run: "click",
        },
        {
            trigger: "div[name=member_ids] .o_data_row.o_selected_row .o_field_widget[name=user_id] input",
            content: `type ${name}`,
            run: `edit ${name}`,
        },
        {
            trigger: `.o_field_widget[name=user_id] .o-autocomplete--dropdown-menu li:contains(${name})`,
            content: `pick ${name}`,
            run: "click",
        },
    ];
}

// A sales manager creates a round-robin queue with two members from
// CRM > Configuration > Lead Queues, then creates a lead in the CRM and sees it
// assigned to the first member, with the ledger line on the lead form.
registry.category("web_tour.tours").add("sales_team_queue_queue_setup", {
    url: "/odoo",
    steps: () => [
        ...openQueueList(),
        {
            trigger: "button.o_list_button_add",
            content: "new queue",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            content: "name the queue",
            run: "edit Tour Web Leads",
        },
        ...pickInField("team_id", "Tour Queue Team", ""),
        {
            trigger: ".o_field_widget[name=strategy] input[data-value=round_robin]:checked",
            content: "round robin is the default strategy",
        },
        ...addMember("Tour Rep One"),
        ...addMember("Tour Rep Two"),
        ...stepUtils.saveForm(),
        {
            trigger: "div[name=member_ids] .o_data_row:eq(1):contains(Tour Rep Two)",
            content: "two members saved, in order",
        },
        {
            trigger: 'button[data-menu-xmlid="crm.crm_menu_leads"], a[data-menu-xmlid="crm.crm_menu_leads"]',
            content: "open CRM > Leads",
            run: "click",
        },
        {
            trigger: "button.o_list_button_add",
            content: "new lead",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] textarea",
            content: "name the lead",
            run: "edit Tour Website Enquiry",
        },
        {
            trigger: ".o_field_widget[name=team_id] input:value(Tour Queue Team)",
            content: "the lead is in the queue's team, without salesperson yet",
        },
        ...stepUtils.saveForm(),
        {
            trigger: "button[name=action_view_assignments] .o_stat_value:contains(1)",
            content: "one assignment on the lead",
        },
        {
            trigger: ".o_notebook .nav-link:contains(Assignments)",
            content: "open the assignment history",
            run: "click",
        },
        {
            trigger:
                "div[name=assignment_ids] .o_data_row:contains(Tour Rep One):contains(round robin: first turn)",
            content: "the first member got it, and the ledger says why",
        },
    ],
});
