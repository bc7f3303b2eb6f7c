/** @odoo-module **/

import { Component, onWillDestroy, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { formatDurationWords } from "@sales_team_queue/duration_words/duration_words";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

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
        return formatDurationWords(Math.max(minutes, 0));
    }
}

registry.category("fields").add("pool_waiting", {
    component: PoolWaitingField,
    displayName: _t("Waiting Time"),
    supportedTypes: ["char"],
    fieldDependencies: [{ name: "pool_date", type: "datetime" }],
});
