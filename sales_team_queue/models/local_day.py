"""The day as a user or a company lives it: the start of a local day, in UTC
(naive, as Odoo stores datetimes). Said once for the daily caps and claim
limits, the dashboard's "today", the targets' periods and the fairness report;
the routing query computes the same in SQL (``_read_routing_rows``)."""

from datetime import datetime, time, timedelta

import pytz


def day_start_utc(day, tz):
    """00:00 of the date ``day`` in the time zone ``tz`` (a pytz zone), in
    UTC (naive)."""
    local = tz.localize(datetime.combine(day, time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def local_date(value, tz):
    """The date in ``tz`` of the UTC (naive) datetime ``value``."""
    return pytz.utc.localize(value).astimezone(tz).date()


def today_start_utc(now, tz):
    """The start of the local day (in ``tz``) of the UTC (naive) datetime
    ``now``, in UTC (naive)."""
    return day_start_utc(local_date(now, tz), tz)


def tomorrow_start_utc(now, tz):
    """The next local midnight (in ``tz``) after ``now``, in UTC (naive)."""
    return day_start_utc(local_date(now, tz) + timedelta(days=1), tz)
