/** @odoo-module **/

import { onMounted, onWillUnmount } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { useService } from "@web/core/utils/hooks";

// The changes told within this delay after a first one reload the screen
// once (a routing, several claims); a steady stream of changes reloads it at
// most this often, never starves it.
export const RELOAD_DELAY = 400;

/**
 * Reload ``model`` (a pool screen's) when the pools change: grouped, not
 * while the tab is hidden (once it shows again), keeping the selected cards
 * that are still in the pool selected. The scroll position stays: the
 * records are updated in place.
 *
 * @param {import("@web/model/relational_model/relational_model").RelationalModel} model
 */
export function usePoolLive(model) {
    const poolLive = useService("sales_team_queue.pool_live");
    let stale = false;
    let timer = null;
    // Loads in progress (a search, a filter, a grouping of the user, or ours):
    // a reload in between would load the previous search and, being the last
    // one, win over the user's.
    let loading = 0;
    const load = model.load.bind(model);
    model.load = async (...args) => {
        loading++;
        try {
            return await load(...args);
        } finally {
            loading--;
        }
    };

    async function reload() {
        if (document.hidden) {
            stale = true;
            return;
        }
        if (loading) {
            scheduleReload();
            return;
        }
        stale = false;
        const selected = new Set(model.root.selection.map((record) => record.resId));
        await model.load();
        if (selected.size) {
            for (const record of model.root.records) {
                if (selected.has(record.resId)) {
                    record.toggleSelection(true);
                }
            }
        }
    }
    function scheduleReload() {
        if (timer === null) {
            timer = browser.setTimeout(() => {
                timer = null;
                reload();
            }, RELOAD_DELAY);
        }
    }
    const onVisibility = () => {
        if (stale && !document.hidden) {
            scheduleReload();
        }
    };

    let unsubscribe = null;
    // Once mounted: the screen shows the cards it loaded, changes after them
    // reload it.
    onMounted(() => {
        unsubscribe = poolLive.subscribe(scheduleReload);
        document.addEventListener("visibilitychange", onVisibility);
    });
    onWillUnmount(() => {
        unsubscribe?.();
        browser.clearTimeout(timer);
        timer = null;
        document.removeEventListener("visibilitychange", onVisibility);
    });
}
