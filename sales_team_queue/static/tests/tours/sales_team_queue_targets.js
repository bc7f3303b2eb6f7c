/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openCrmMenu, pickInField } from "@sales_team_queue/../tests/tours/utils/tour_steps";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const openReport = (menu, content) =>
    openCrmMenu("crm.crm_menu_report", `sales_team_queue.${menu}`, content);

// A team leader sets a target for one of their reps, then opens the
// leaderboard: the rep is there, ranked, with their progress bar, and
// highlighted as a top performer.
registry.category("web_tour.tours").add("sales_team_queue_targets", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root"),
        ...openReport("crm_sales_target_menu", "open Reporting > Targets"),
        {
            trigger: ".o_list_button_add",
            content: "new target",
            run: "click",
        },
        // The target is for Tour Target Rep, in the leader's team.
        ...pickInField("user_id", "Tour Target Rep", ""),
        ...pickInField("team_id", "Tour Target Team", ""),
        {
            trigger: ".o_field_widget[name=revenue_target] input",
            content: "a revenue target of 1000",
            run: "edit 1000",
        },
        {
            trigger: ".o_form_button_save",
            content: "save the target",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
            content: "the target is saved",
        },
        {
            trigger: ".o_field_widget[name=revenue_achieved]:contains(400)",
            content: "the deal the rep won this month counts",
        },
        ...openReport("crm_sales_target_menu_leaderboard", "open Reporting > Leaderboard"),
        {
            trigger: ".o_kanban_record:contains(Tour Target Rep) .o_progressbar",
            content: "the rep is on the leaderboard with a progress bar",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Target Rep) .ribbon:contains(Top Performer)",
            content: "and is highlighted as a top performer",
        },
    ],
});
