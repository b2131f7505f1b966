"""The business day used by the daily per-customer limit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo


def business_day_bounds(now: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of the calendar day containing `now`
    in `zone`, both in UTC.

    Midnight is computed on the local calendar, so a day across a daylight-saving
    change is 23 or 25 hours long, as the people using the shop live it.
    """
    local_date = now.astimezone(zone).date()
    start = datetime(local_date.year, local_date.month, local_date.day, tzinfo=zone)
    next_date = local_date + timedelta(days=1)
    end = datetime(next_date.year, next_date.month, next_date.day, tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def format_instant(value: datetime) -> str:
    """An instant as the API writes it: RFC 3339 in UTC."""
    return value.astimezone(timezone.utc).isoformat()
