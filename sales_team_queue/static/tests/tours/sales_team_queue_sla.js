/** @odoo-module **/

import { registry } from "@web/core/registry";

// A team leader finds the breached SLAs of the team with the "SLA Breached"
// filter (red badge), then logs a note on a running lead of a rep (not a
// follow-up: only the salesperson's own follow-ups meet the SLA).
registry.category("web_tour.tours").add("sales_team_queue_sla", {
    url: "/odoo/crm?view_type=list",
    steps: () => [
        {
            trigger: ".o_list_view .o_searchview .o_facet_remove",
            content: "remove My Pipeline: the leader looks at the whole team",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour SLA running)",
            content: "the pipeline lists the team's leads",
        },
        {
            trigger: ".o_searchview_dropdown_toggler",
            content: "open the search options",
            run: "click",
        },
        {
            trigger: ".o_filter_menu .o-dropdown-item:contains(SLA Breached)",
            content: "filter on the breached SLAs",
            run: "click",
        },
        {
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains(Tour SLA running))) .o_data_row:contains(Tour SLA breached) .badge.text-bg-danger:contains(Breached)",
            content: "only the breached lead is left, with a red badge",
        },
        {
            trigger: ".o_facet_remove",
            content: "remove the filters",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(Tour SLA running) .o_data_cell[name=name]",
            content: "open the running lead",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=sla_state] .badge:contains(Running)",
            content: "its SLA runs",
        },
        {
            trigger: "button.o-mail-Chatter-logNote",
            content: "log a note for the rep",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            content: "write the note",
            run: "edit Please call them, demo on Monday",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            content: "post it",
            run: "click",
        },
        {
            trigger: ".o-mail-Message:contains(Please call them, demo on Monday)",
            content: "the note is in the chatter",
        },
    ],
});
