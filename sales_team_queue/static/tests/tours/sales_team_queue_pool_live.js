/** @odoo-module **/

import { registry } from "@web/core/registry";
import { session } from "@web/session";

// A call over the external JSON-RPC API (/jsonrpc) as another user: it does
// not go through the web client, so only the bus can tell the open screen.
async function externalCall(login, password, model, method, args) {
    const call = async (service, serviceMethod, serviceArgs) => {
        const response = await fetch("/jsonrpc", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
                jsonrpc: "2.0",
                method: "call",
                id: 1,
                params: { service, method: serviceMethod, args: serviceArgs },
            }),
        });
        const { result, error } = await response.json();
        if (error) {
            throw new Error(`${model}.${method}: ${JSON.stringify(error)}`);
        }
        return result;
    };
    const uid = await call("common", "login", [session.db, login, password]);
    return call("object", "execute_kw", [session.db, uid, password, model, method, args]);
}

async function claimAsOtherRep(name) {
    const ids = await externalCall("q_live_bao", "q_live_bao", "crm.lead.pool.card", "search", [
        [["name", "=", name]],
    ]);
    if (ids.length !== 1) {
        throw new Error(`The other rep does not see one card named ${name}: ${ids}`);
    }
    await externalCall("q_live_bao", "q_live_bao", "crm.lead.pool.card", "action_claim", [ids]);
}

// A rep keeps the Lead Pool open: a card vanishes when another rep claims its
// lead, a card appears when a new lead enters the pool, without reload; in the
// list, the selected rows stay selected.
registry.category("web_tour.tours").add("sales_team_queue_pool_live", {
    steps: () => [
        {
            trigger: ".o_kanban_record:contains(Live Tour Lead A)",
            content: "the card of lead A is in the pool",
            run() {
                // A reload of the page would lose it.
                window.__poolLiveNoReload = true;
            },
        },
        {
            trigger:
                ".o_kanban_record:contains(Live Tour Lead B) .o_pool_waiting:contains(min):not(:contains(h))",
            content: "the card of lead B says how long it waits: minutes",
        },
        {
            trigger: ".o_kanban_view",
            content: "two hours pass (the clock of the waiting times moves on)",
            run() {
                const services = odoo.__WOWL_DEBUG__.root.env.services;
                services["sales_team_queue.pool_live"].advance({ hours: 2 });
            },
        },
        {
            trigger: ".o_kanban_record:contains(Live Tour Lead B) .o_pool_waiting:contains(2 h)",
            content: "the card of lead B says it waits for 2 hours now, without reload",
        },
        {
            trigger: ".o_kanban_view",
            content: "another rep claims lead A from their own screen",
            async run() {
                await claimAsOtherRep("Live Tour Lead A");
            },
        },
        {
            trigger: ".o_kanban_view:not(:has(.o_kanban_record:contains(Live Tour Lead A)))",
            content: "the card of lead A vanishes, without reload",
        },
        {
            trigger: ".o_kanban_view",
            content: "a new lead enters the pool",
            async run() {
                const admin = ["admin", "admin"];
                const [teamId] = await externalCall(...admin, "crm.team", "search", [
                    [["name", "=", "Live Tour Team"]],
                ]);
                await externalCall(...admin, "crm.lead", "create", [
                    { name: "Live Tour Lead C", team_id: teamId, user_id: false },
                ]);
            },
        },
        {
            trigger: ".o_kanban_record:contains(Live Tour Lead C)",
            content: "the card of lead C appears, without reload",
        },
        {
            trigger: ".o_kanban_record:contains(Live Tour Lead B)",
            content: "lead B is still there",
        },
        {
            trigger: ".o_switch_view.o_list",
            content: "switch to the list",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains(Queue) .o_facet_remove",
            content: "list the cards without grouping",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(Live Tour Lead B) .o_list_record_selector input",
            content: "select lead B",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(Live Tour Lead B) .o_list_record_selector input:checked",
            content: "lead B is selected; another rep claims lead C",
            async run() {
                await claimAsOtherRep("Live Tour Lead C");
            },
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Live Tour Lead C)))",
            content: "the row of lead C vanishes from the list",
        },
        {
            trigger: ".o_data_row:contains(Live Tour Lead B) .o_list_record_selector input:checked",
            content: "lead B is still selected, on the same page",
            run() {
                if (!window.__poolLiveNoReload) {
                    throw new Error("The page was reloaded");
                }
            },
        },
    ],
});
