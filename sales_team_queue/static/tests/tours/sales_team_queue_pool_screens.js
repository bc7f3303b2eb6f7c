/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openCrmAppMenu, selectRows } from "@sales_team_queue/../tests/tours/utils/tour_steps";

const openLeadPool = () => [
    ...openCrmAppMenu(
        "crm.crm_menu_sales",
        "sales_team_queue.crm_lead_menu_pool",
        "open Sales > Lead Pool"
    ),
    {
        trigger: ".o_kanban_view .o_kanban_group .o_column_title:contains(Tour Pool)",
        content: "the pool is grouped by queue",
    },
];

// The pool as a list, the tour's queue opened.
const openPoolList = () => [
    {
        trigger: ".o_switch_view.o_list",
        content: "switch to the list",
        run: "click",
    },
    {
        trigger: ".o_list_view .o_group_header:contains(Tour Pool)",
        content: "open the queue's group",
        run: "click",
    },
];

// A rep opens the Lead Pool and claims a lead from its card: the lead leaves
// the pool.
registry.category("web_tour.tours").add("sales_team_queue_pool_claim", {
    url: "/odoo",
    steps: () => [
        ...openLeadPool(),
        {
            trigger: ".o_kanban_record:contains(Tour Pool Open Lead) .o_pool_waiting",
            content: "the card says how long the lead has been waiting",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Pool Open Lead) button.o_pool_claim",
            content: "claim the lead",
            run: "click",
        },
        {
            trigger: ".o_notification:contains(Lead claimed) a[href^='/odoo/crm/']:contains(Tour Pool Open Lead)",
            content: "a notification says the lead is claimed, with a link to it",
        },
        {
            trigger: ".o_kanban_view:not(:has(.o_kanban_record:contains(Tour Pool Open Lead)))",
            content: "the lead has left the pool",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Pool VIP Lead)",
            content: "the other lead is still waiting",
        },
    ],
});

// A rep sees why they cannot claim a lead, on the card and when they click.
registry.category("web_tour.tours").add("sales_team_queue_pool_refused", {
    url: "/odoo",
    steps: () => [
        ...openLeadPool(),
        {
            trigger:
                ".o_kanban_record:contains(Tour Pool VIP Lead) .o_pool_vip",
            content: "the VIP badge is on the card",
        },
        {
            trigger:
                ".o_kanban_record:contains(Tour Pool VIP Lead) .o_pool_block_reason:contains(VIP lead: senior members only until)",
            content: "the card says why the lead cannot be claimed yet",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Pool VIP Lead) button.o_pool_claim_blocked",
            content: "try to claim it anyway",
            run: "click",
        },
        {
            trigger: ".modal .modal-body:contains(VIP lead: senior members only until)",
            content: "the refusal says which rule and until when",
        },
        {
            trigger: ".modal .modal-footer button.btn-primary",
            content: "close the message",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_kanban_record:contains(Tour Pool VIP Lead)",
            content: "the lead is still in the pool",
        },
    ],
});

// A rep releases their lead from its form with a reason (the test opens the
// form); the lead is back in the pool and its card shows who released it and
// why.
registry.category("web_tour.tours").add("sales_team_queue_pool_release", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=name] textarea:value(Tour Pool Mine Lead)",
            content: "the rep's lead is open",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Release)",
            content: "release it",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=reason] textarea",
            content: "say why",
            run: "edit Customer wants a Vietnamese speaker",
        },
        {
            trigger: ".modal .modal-footer button[name=action_apply]",
            content: "confirm",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_buttons button:contains(Claim)",
            content: "the lead is back in the pool: it can be claimed again",
        },
        ...openLeadPool(),
        {
            trigger:
                ".o_kanban_record:contains(Tour Pool Mine Lead) .o_pool_returned:contains(Tour Pool Rep One):contains(Customer wants a Vietnamese speaker)",
            content: "the card says who released it and why",
        },
    ],
});

// A rep switches the Lead Pool to the list, selects two leads and claims them
// at once from the list's Claim button.
registry.category("web_tour.tours").add("sales_team_queue_pool_list_claim", {
    url: "/odoo",
    steps: () => [
        ...openLeadPool(),
        ...openPoolList(),
        ...selectRows("Tour Pool Open Lead", "Tour Pool Second Lead"),
        {
            trigger: ".o_control_panel button[name=action_claim]",
            content: "claim both",
            run: "click",
        },
        {
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains(Tour Pool Open Lead))):not(:has(.o_data_row:contains(Tour Pool Second Lead)))",
            content: "both leads have left the pool",
        },
    ],
});

// In a pool that hides contact details, a rep sees the waiting lead's card
// (title, revenue, no contact), opens it from the list, claims it from its
// form and lands on the lead, whose e-mail now shows.
registry.category("web_tour.tours").add("sales_team_queue_pool_privacy", {
    url: "/odoo",
    steps: () => [
        ...openLeadPool(),
        {
            trigger:
                ".o_kanban_record:contains(Tour Pool Open Lead):not(:contains(tour.secret@example.com)) .o_pool_claim",
            content: "the card shows the lead without its contact",
        },
        ...openPoolList(),
        {
            trigger: ".o_data_row:contains(Tour Pool Open Lead) .o_data_cell[name=name]",
            content: "open the card",
            run: "click",
        },
        {
            trigger: ".o_form_view:not(:has(.o_field_widget[name=email_from])) .o_field_widget[name=name]:contains(Tour Pool Open Lead)",
            content: "the card's form has no contact field",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button.o_pool_claim",
            content: "claim it from its form",
            run: "click",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=email_from] input:value(tour.secret@example.com)",
            content: "claimed: the lead opens and its e-mail shows",
        },
    ],
});
