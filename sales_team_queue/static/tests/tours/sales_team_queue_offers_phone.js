/** @odoo-module **/

import { registry } from "@web/core/registry";

// On a phone, the app's menus are in the sidebar of the top left button.
function openMenu(xmlid, content) {
    return [
        {
            trigger: ".o_main_navbar .o_menu_toggle",
            content: "open the app's menu",
            run: "click",
        },
        {
            trigger: `.o_app_menu_sidebar li[data-menu-xmlid="${xmlid}"]`,
            content,
            run: "click",
        },
    ];
}

// On a phone, the form's buttons are in the actions menu (the gear).
function clickFormButton(label, content) {
    return [
        {
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            content: "open the actions menu",
            run: "click",
        },
        {
            trigger: `.dropdown-item button:contains(${label})`,
            content,
            run: "click",
        },
    ];
}

// A rep on a phone opens a lead offered to them from their pipeline and
// accepts it, then opens another and declines it with a reason: it goes to the
// next member, and the rep is back on their pipeline.
registry.category("web_tour.tours").add("sales_team_queue_offers_phone", {
    url: "/odoo",
    steps: () => [
        {
            trigger: ".o_main_navbar .o_menu_toggle",
            content: "open the menu",
            run: "click",
        },
        {
            trigger: ".o_app_menu_sidebar .o_sidebar_topbar a:contains(All Apps)",
            content: "list all apps",
            run: "click",
        },
        {
            trigger: '.o_app_menu_sidebar li.o_app[data-menu-xmlid="crm.crm_menu_root"]',
            content: "open CRM",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Phone Offer Accept)",
            content: "the offered leads are in the rep's pipeline: open one",
            run: "click",
        },
        {
            trigger:
                ".o_form_view:has(.o_field_widget[name=name] textarea:value(Tour Phone Offer Accept)) .o_field_widget[name=queue_state] .badge:contains(Offered)",
            content: "the lead is offered to the rep",
        },
        ...clickFormButton("Accept", "accept it"),
        {
            trigger: ".o_form_view .o_field_widget[name=queue_state] .badge:contains(Assigned)",
            content: "the lead is the rep's: Assigned",
        },
        ...openMenu("crm.menu_crm_opportunities", "open My Pipeline"),
        {
            trigger: ".o_kanban_record:contains(Tour Phone Offer Decline)",
            content: "open the other offer",
            run: "click",
        },
        {
            trigger:
                ".o_form_view:has(.o_field_widget[name=name] textarea:value(Tour Phone Offer Decline)) .o_field_widget[name=queue_state] .badge:contains(Offered)",
            content: "the lead is offered to the rep",
        },
        ...clickFormButton("Decline", "decline it"),
        {
            trigger: ".modal .o_field_widget[name=reason] textarea",
            content: "say why",
            run: "edit Driving all afternoon",
        },
        {
            trigger: ".modal .modal-footer button[name=action_apply]",
            content: "confirm",
            run: "click",
        },
        {
            trigger: ".o_notification:contains(1 lead(s) declined)",
            content: "a notification says the lead goes to the next member",
        },
        {
            trigger:
                "body:not(:has(.modal)) .o_kanban_view:not(:has(.o_kanban_record:contains(Tour Phone Offer Decline))) .o_kanban_record:contains(Tour Phone Offer Accept)",
            content: "back on the pipeline: the declined lead has left it",
        },
    ],
});
