"""Durations as people read them: "18 min", "2 h 5 min", "3 d 4 h".

The one formatter of the module's server texts (pool wait, queue dashboard,
ledger reasons, alerts, refusals). The screens show numeric duration fields
with the field widget ``duration_words`` (minutes) or ``duration_words_hours``
(hours), in static/src/duration_words/, which writes the same words; the
stored fields stay numbers, for sums and averages."""

import math


def duration_words(env, minutes):
    """``minutes`` (a number, rounded to the minute; nothing or less than 0:
    0) as short words in ``env``'s language: minutes under an hour, hours and
    minutes under a day, days and hours beyond."""
    try:
        # Halves up, as the browser's Math.round (Python's round() goes to
        # the even number: 30.5 would read "30 min" here, "31 min" there).
        total = max(math.floor(float(minutes or 0) + 0.5), 0)
    except (TypeError, ValueError):
        total = 0
    hours, mins = divmod(total, 60)
    days, hours = divmod(hours, 24)
    if days and hours:
        return env._("%(days)s d %(hours)s h", days=days, hours=hours)
    if days:
        return env._("%(days)s d", days=days)
    if hours and mins:
        return env._("%(hours)s h %(minutes)s min", hours=hours, minutes=mins)
    if hours:
        return env._("%(hours)s h", hours=hours)
    return env._("%(minutes)s min", minutes=mins)


def hours_words(env, hours):
    """``hours`` (a number, e.g. a setting in hours) as :func:`duration_words`."""
    try:
        return duration_words(env, float(hours or 0) * 60)
    except (TypeError, ValueError):
        return duration_words(env, 0)
