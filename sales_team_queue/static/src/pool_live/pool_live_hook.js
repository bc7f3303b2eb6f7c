/** @odoo-module **/

import { onMounted, onWillUnmount } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";
import { debounce } from "@web/core/utils/timing";

// A burst of changes (a routing, several claims) reloads the screen once.
export const RELOAD_DELAY = 400;

/**
 * Reload ``model`` (a pool screen's) when the pools change: debounced, not
 * while the tab is hidden (once it shows again), keeping the selected cards
 * that are still in the pool selected. The scroll position stays: the
 * records are updated in place.
 *
 * @param {import("@web/model/relational_model/relational_model").RelationalModel} model
 */
export function usePoolLive(model) {
    const poolLive = useService("sales_team_queue.pool_live");
    let stale = false;

    async function reload() {
        if (document.hidden) {
            stale = true;
            return;
        }
        stale = false;
        const root = model.root;
        const selected = new Set(root.selection.map((record) => record.resId));
        await model.load();
        if (selected.size) {
            for (const record of model.root.records) {
                if (selected.has(record.resId)) {
                    record.toggleSelection(true);
                }
            }
        }
    }
    const debouncedReload = debounce(reload, RELOAD_DELAY);
    const onVisibility = () => {
        if (stale && !document.hidden) {
            debouncedReload();
        }
    };

    let unsubscribe = null;
    // Once mounted: the screen shows the cards it loaded, changes after them
    // reload it.
    onMounted(() => {
        unsubscribe = poolLive.subscribe(() => debouncedReload());
        document.addEventListener("visibilitychange", onVisibility);
    });
    onWillUnmount(() => {
        unsubscribe?.();
        debouncedReload.cancel();
        document.removeEventListener("visibilitychange", onVisibility);
    });
}
