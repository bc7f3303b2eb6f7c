/** @odoo-module **/

import { reactive } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

// The channel a pool screen asks for: the server subscribes the user to the
// pool channels of their companies instead (see models/crm_lead_pool_live.py).
export const POOL_CHANNEL = "sales_team_queue.pool";
export const POOL_CHANGED = "sales_team_queue/pool_changed";
// The clock of the waiting times moves this often (ms): each waiting time
// then changes within seconds of its minute.
const CLOCK_TICK = 10000;

/**
 * The live pool of this tab: one subscription to the pool channel, shared by
 * the open pool screens, and one clock that ticks every minute for the
 * waiting times of the cards.
 */
export const poolLiveService = {
    dependencies: ["bus_service"],
    start(env, { bus_service: busService }) {
        let channelAdded = false;
        let clockUsers = 0;
        let clockTimer = null;
        const clock = reactive({ now: luxon.DateTime.now() });
        // How far the clock runs ahead of the browser's (moved by the tours).
        let offset = luxon.Duration.fromMillis(0);

        function tick() {
            clock.now = luxon.DateTime.now().plus(offset);
        }

        return {
            clock,
            /**
             * Move the clock of the waiting times ahead by ``duration`` (a
             * luxon duration object, e.g. ``{hours: 2}``), for good: the ticks
             * keep the advance.
             *
             * @param {Object} duration
             */
            advance(duration) {
                offset = offset.plus(duration);
                tick();
            },
            /**
             * Call ``callback(payload)`` each time the pools of the user's
             * companies change, and on a reconnection of the bus (messages
             * may have been missed).
             *
             * @param {Function} callback
             * @returns {Function} stops the calls
             */
            subscribe(callback) {
                if (!channelAdded) {
                    // Kept for the tab's life: the channel is cheap, and a
                    // screen that replaces another (kanban to list) must not
                    // lose it in between.
                    busService.addChannel(POOL_CHANNEL);
                    channelAdded = true;
                }
                const onReconnect = () => callback({});
                busService.subscribe(POOL_CHANGED, callback);
                busService.addEventListener("reconnect", onReconnect);
                return () => {
                    busService.unsubscribe(POOL_CHANGED, callback);
                    busService.removeEventListener("reconnect", onReconnect);
                };
            },
            /**
             * Keep the clock moving while a waiting time shows.
             *
             * @returns {Function} releases the clock
             */
            startClock() {
                if (!clockUsers++) {
                    tick();
                    clockTimer = browser.setInterval(tick, CLOCK_TICK);
                }
                return () => {
                    if (!--clockUsers) {
                        browser.clearInterval(clockTimer);
                        clockTimer = null;
                    }
                };
            },
        };
    },
};

registry.category("services").add("sales_team_queue.pool_live", poolLiveService);
