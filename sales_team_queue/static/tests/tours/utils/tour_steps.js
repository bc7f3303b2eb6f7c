/** @odoo-module **/

import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Steps shared by the tours of sales_team_queue; each function returns a list
// of steps to spread in a tour (`...pickInField("user_id", "Tour Rep")`).

/**
 * Open an item of a menu of the CRM app's top bar.
 *
 * @param {string} menu xml id of the top menu ("crm.crm_menu_report")
 * @param {string} item xml id of the item ("sales_team_queue.crm_sales_target_menu")
 * @param {string} content what the step does, for the log
 */
export function openCrmMenu(menu, item, content) {
    return [
        {
            trigger: `button[data-menu-xmlid="${menu}"]`,
            content: `open the menu of "${content}"`,
            run: "click",
        },
        {
            trigger: `a[data-menu-xmlid="${item}"]`,
            content,
            run: "click",
        },
    ];
}

/** From Odoo's home screen: open the CRM app, then ``openCrmMenu(menu, item)``. */
export function openCrmAppMenu(menu, item, content) {
    return [...stepUtils.goToAppSteps("crm.crm_menu_root"), ...openCrmMenu(menu, item, content)];
}

/** From Odoo's home screen: CRM > Configuration > Lead Queues, the list of queues. */
export function openQueueList() {
    return openCrmAppMenu(
        "crm.crm_menu_config",
        "sales_team_queue.crm_team_queue_menu",
        "open Configuration > Lead Queues"
    );
}

/**
 * Type ``name`` in the many2one ``field`` and pick it from the suggestions.
 *
 * @param {string} scope where the field is: ".modal" (a wizard) by default,
 *      "" for the main form
 */
export function pickInField(field, name, scope = ".modal") {
    const widget = `${scope} .o_field_widget[name=${field}]`.trim();
    return [
        {
            trigger: `${widget} input`,
            content: `type ${name}`,
            run: `edit ${name}`,
        },
        {
            trigger: `${widget} .o-autocomplete--dropdown-menu li:contains(${name})`,
            content: `pick ${name}`,
            run: "click",
        },
    ];
}

/** Run ``item`` of the view's Actions menu (the gear). */
export function runAction(item, content) {
    return [
        {
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            content: "open the Actions menu",
            run: "click",
        },
        {
            trigger: `.o-dropdown--menu .o_menu_item:contains(${item})`,
            content,
            run: "click",
        },
    ];
}

/** Tick the rows of the list whose text contains each of ``names``. */
export function selectRows(...names) {
    return names.map((name) => ({
        trigger: `.o_data_row:contains(${name}) .o_list_record_selector input`,
        content: `select ${name}`,
        run: "click",
    }));
}

/**
 * In the open Salesperson Handover wizard: pick ``leaver`` and ``receiver``,
 * preview, check that the preview gives ``receiver`` ``count`` leads (the step
 * ``content``), then hand over.
 */
export function handOverBook(leaver, receiver, count, content) {
    return [
        ...pickInField("user_id", leaver),
        ...pickInField("target_user_id", receiver),
        {
            trigger: ".modal .modal-footer button[name=action_preview]",
            content: "preview",
            run: "click",
        },
        {
            trigger: `.modal .o_field_widget[name=line_ids] .o_data_row:contains(${receiver}) td[name=lead_count]:contains(${count})`,
            content,
        },
        {
            trigger: ".modal .modal-footer button[name=action_apply]",
            content: "hand over",
            run: "click",
        },
    ];
}

/** On a phone: open the CRM app from the sidebar of the top left button. */
export function phoneOpenCrm() {
    return [
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
    ];
}

/** On a phone: open the app's menu ``xmlid`` (in the sidebar of the top left button). */
export function phoneOpenMenu(xmlid, content) {
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

/** On a phone: click the form's button ``label`` (in the actions menu, the gear). */
export function phoneClickFormButton(label, content) {
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

/**
 * In the Decline wizard of an offered lead: give ``reason``, confirm, and see
 * the notification that the lead goes to the next member.
 */
export function declineOfferWithReason(reason) {
    return [
        {
            trigger: ".modal .o_field_widget[name=reason] textarea",
            content: "say why",
            run: `edit ${reason}`,
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
    ];
}
