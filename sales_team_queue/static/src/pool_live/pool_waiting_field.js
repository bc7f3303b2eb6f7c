/** @odoo-module **/

import { Component, onWillDestroy, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * A wait in minutes as short text, as the server says it
 * (``crm.lead._pool_waiting_label``): "12 min", "3 h 05 min", "2 d 4 h".
 *
 * @param {number} minutes
 * @returns {string}
 */
export function poolWaitingLabel(minutes) {
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const mins = minutes % 60;
    if (days) {
        return _t("%(days)s d %(hours)s h", { days, hours });
    }
    if (hours) {
        return _t("%(hours)s h %(minutes)s min", {
            hours,
            minutes: String(mins).padStart(2, "0"),
        });
    }
    return _t("%(minutes)s min", { minutes: mins });
}

/**
 * How long a card has waited in the pool, counted in the browser from its
 * ``pool_date``, that moves on as the minutes pass; the server's text when the record
 * has no ``pool_date``.
 */
export class PoolWaitingField extends Component {
    static template = "sales_team_queue.PoolWaitingField";
    static props = { ...standardFieldProps };

    setup() {
        const poolLive = useService("sales_team_queue.pool_live");
        this.clock = useState(poolLive.clock);
        onWillDestroy(poolLive.startClock());
    }

    get label() {
        const since = this.props.record.data.pool_date;
        if (!since) {
            return this.props.record.data[this.props.name] || "";
        }
        const minutes = Math.floor(this.clock.now.diff(since, "minutes").minutes);
        return poolWaitingLabel(Math.max(minutes, 0));
    }
}

registry.category("fields").add("pool_waiting", {
    component: PoolWaitingField,
    displayName: _t("Waiting Time"),
    supportedTypes: ["char"],
    fieldDependencies: [{ name: "pool_date", type: "datetime" }],
});
