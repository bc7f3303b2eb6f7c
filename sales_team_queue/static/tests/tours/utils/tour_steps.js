/** @odoo-module **/

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
