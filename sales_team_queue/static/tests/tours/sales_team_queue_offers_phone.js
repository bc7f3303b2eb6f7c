/** @odoo-module **/

import { registry } from "@web/core/registry";
import { declineOfferWithReason, phoneClickFormButton, phoneOpenCrm, phoneOpenMenu } from "@sales_team_queue/../tests/tours/utils/tour_steps";

// A rep on a phone opens a lead offered to them from their pipeline and
// accepts it, then opens another and declines it with a reason: it goes to the
// next member, and the rep is back on their pipeline.
registry.category("web_tour.tours").add("sales_team_queue_offers_phone", {
    url: "/odoo",
    steps: () => [
        ...phoneOpenCrm(),
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
        ...phoneClickFormButton("Accept", "accept it"),
        {
            trigger: ".o_form_view .o_field_widget[name=queue_state] .badge:contains(Assigned)",
            content: "the lead is the rep's: Assigned",
        },
        ...phoneOpenMenu("crm.menu_crm_opportunities", "open My Pipeline"),
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
        ...phoneClickFormButton("Decline", "decline it"),
        ...declineOfferWithReason("Driving all afternoon"),
        {
            trigger:
                "body:not(:has(.modal)) .o_kanban_view:not(:has(.o_kanban_record:contains(Tour Phone Offer Decline))) .o_kanban_record:contains(Tour Phone Offer Accept)",
            content: "back on the pipeline: the declined lead has left it",
        },
    ],
});
