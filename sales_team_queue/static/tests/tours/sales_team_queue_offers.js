/** @odoo-module **/

import { registry } from "@web/core/registry";
import { declineOfferWithReason } from "@sales_team_queue/../tests/tours/utils/tour_steps";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A rep finds the leads offered to them with the "Offered to Me" filter,
// accepts one (it is theirs: Assigned) and declines the other with a reason:
// it goes to the next member of the queue, and the rep (who reads only their
// own leads) is back on their pipeline.
registry.category("web_tour.tours").add("sales_team_queue_offers", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "open CRM"),
        {
            trigger: ".o_kanban_view .o_kanban_record:contains(Tour Offer Own)",
            content: "the pipeline shows the rep's leads",
        },
        {
            trigger: ".o_searchview_dropdown_toggler",
            content: "open the search options",
            run: "click",
        },
        {
            trigger: ".o_filter_menu .o-dropdown-item:contains(Offered to Me)",
            content: "filter on the leads offered to the rep",
            run: "click",
        },
        {
            trigger:
                ".o_kanban_view:not(:has(.o_kanban_record:contains(Tour Offer Own))) .o_kanban_record:contains(Tour Offer Decline)",
            content: "only the offered leads are left",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Offer Accept)",
            content: "open the first offer",
            run: "click",
        },
        {
            trigger:
                ".o_form_view:has(.o_field_widget[name=name] textarea:value(Tour Offer Accept)) .o_field_widget[name=queue_state] .badge:contains(Offered)",
            content: "the lead is offered to the rep",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_accept_offer]",
            content: "accept it",
            run: "click",
        },
        {
            trigger:
                ".o_form_view:not(:has(button[name=action_accept_offer])) .o_field_widget[name=queue_state] .badge:contains(Assigned)",
            content: "the lead is the rep's: Assigned, no Accept button any more",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item a",
            content: "back to the offered leads",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Offer Decline)",
            content: "open the second offer",
            run: "click",
        },
        {
            trigger:
                ".o_form_view:has(.o_field_widget[name=name] textarea:value(Tour Offer Decline)) .o_statusbar_buttons button:contains(Decline)",
            content: "decline it",
            run: "click",
        },
        ...declineOfferWithReason("On a customer visit today"),
        {
            trigger:
                "body:not(:has(.modal)) .o_kanban_view:not(:has(.o_kanban_record:contains(Tour Offer Decline))) .o_kanban_record:contains(Tour Offer Accept)",
            content: "back on the pipeline: the declined lead has left it, the accepted one is there",
        },
    ],
});
