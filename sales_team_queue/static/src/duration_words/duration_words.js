import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * A duration as people read it: "18 min", "2 h 5 min", "3 d 4 h" (the words of
 * the server's duration_words, sales_team_queue/models/duration.py). The field
 * stays a number (sums and averages in pivots and lists); only its display
 * changes.
 *
 * @param {number|false} value minutes, or hours when unit is "hours"
 * @param {Object} [options]
 * @param {"minutes"|"hours"} [options.unit]
 * @returns {string} "" when there is no value
 */
export function formatDurationWords(value, { unit = "minutes" } = {}) {
    if (value === false || value === null || value === undefined || isNaN(value)) {
        return "";
    }
    const total = Math.max(Math.round(unit === "hours" ? value * 60 : value), 0);
    const days = Math.floor(total / 1440);
    const hours = Math.floor((total % 1440) / 60);
    const minutes = total % 60;
    if (days && hours) {
        return _t("%(days)s d %(hours)s h", { days, hours });
    }
    if (days) {
        return _t("%(days)s d", { days });
    }
    if (hours && minutes) {
        return _t("%(hours)s h %(minutes)s min", { hours, minutes });
    }
    if (hours) {
        return _t("%(hours)s h", { hours });
    }
    return _t("%(minutes)s min", { minutes });
}

export class DurationWordsField extends Component {
    static template = "sales_team_queue.DurationWordsField";
    static props = {
        ...standardFieldProps,
        unit: { type: String, optional: true },
    };

    get formattedValue() {
        return formatDurationWords(this.props.record.data[this.props.name], {
            unit: this.props.unit,
        });
    }
}

export const durationWordsField = {
    component: DurationWordsField,
    displayName: _t("Duration in words"),
    supportedTypes: ["float", "integer"],
    extractProps: ({ options }) => ({ unit: options.unit || "minutes" }),
};

export const durationWordsHoursField = {
    ...durationWordsField,
    extractProps: () => ({ unit: "hours" }),
};

registry
    .category("fields")
    .add("duration_words", durationWordsField)
    .add("duration_words_hours", durationWordsHoursField);

// Pivot cells, list group rows and totals use the formatter of the widget.
registry
    .category("formatters")
    .add("duration_words", (value) => formatDurationWords(value))
    .add("duration_words_hours", (value) => formatDurationWords(value, { unit: "hours" }));
