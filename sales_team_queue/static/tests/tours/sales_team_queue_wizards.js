/** @odoo-module **/

import { registry } from "@web/core/registry";
import { handOverBook, pickInField, runAction, selectRows } from "@sales_team_queue/../tests/tours/utils/tour_steps";

// A team leader selects two leads of a rep in the leads list and gives them to
// another rep from the Actions menu, with a reason (required: the leads are
// taken from another rep) and an e-mail activity to schedule.
registry.category("web_tour.tours").add("sales_team_queue_assign_wizard", {
    steps: () => [
        ...selectRows("Tour Assign One", "Tour Assign Two"),
        ...runAction("Assign Leads", "open the assignment wizard"),
        {
            trigger: ".modal .o_field_widget[name=lead_count]:contains(2)",
            content: "the two leads are selected",
        },
        ...pickInField("user_id", "Tour Assign Receiver"),
        {
            trigger: ".modal .o_field_widget[name=reason].o_required_modifier textarea",
            content: "the reason is required: the leads belong to another rep",
            run: "edit Giver is on leave",
        },
        {
            trigger: ".modal:not(:has(.o_field_widget[name=activity_type_id]))",
            content: "no activity asked yet: no activity type shown",
        },
        {
            trigger: ".modal .o_field_widget[name=schedule_activity] input",
            content: "ask for an activity",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=activity_type_id].o_required_modifier input:value(To-Do)",
            content: "the activity type shows, required, a To-Do by default",
        },
        ...pickInField("activity_type_id", "Email"),
        {
            trigger: ".modal .modal-footer button[name=action_apply]",
            content: "apply",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_data_row:contains(Tour Assign One):contains(Tour Assign Receiver)",
            content: "the list shows the new salesperson",
        },
    ],
});

// A sales manager hands over the book of a rep from CRM > Configuration >
// Salesperson Handover: previews who gets how many leads, then applies.
registry.category("web_tour.tours").add("sales_team_queue_handover_wizard", {
    steps: () => [
        {
            trigger: ".modal .o_field_widget[name=user_id] input",
            content: "the handover wizard is open",
        },
        ...handOverBook(
            "Tour Handover Leaver",
            "Tour Handover Receiver",
            3,
            "the preview says the receiver gets the three leads"
        ),
        {
            trigger: "body:not(:has(.modal))",
            content: "the wizard is closed",
        },
    ],
});

// An administrator archives a rep who still owns open leads from the user's
// form: instead of Odoo deleting their activities, a warning offers the
// handover, which opens for that rep with "archive afterwards" ticked.
registry.category("web_tour.tours").add("sales_team_queue_archive_offers_handover", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Tour Archive Rep)",
            content: "the rep's user form is open",
        },
        ...runAction("Archive", "archive the user"),
        {
            trigger: ".modal .modal-footer button.btn-primary",
            content: "confirm",
            run: "click",
        },
        {
            trigger: ".modal .modal-body:contains(Hand them over first)",
            content: "the warning says why the user is not archived",
        },
        {
            trigger: ".modal .modal-footer button:contains(Hand Over)",
            content: "open the handover",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=user_id] input:value(Tour Archive Rep)",
            content: "the handover is for that rep",
        },
        {
            trigger: ".modal .o_field_widget[name=archive_user] input:checked",
            content: "archive afterwards is ticked",
        },
        ...pickInField("target_user_id", "Tour Handover Receiver"),
        {
            trigger: ".modal .modal-footer button[name=action_preview]",
            content: "preview",
            run: "click",
        },
        {
            trigger: ".modal .modal-footer button[name=action_apply]",
            content: "hand over and archive",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "the wizard is closed",
        },
    ],
});
