"""A campaign's figures, computed in the database for many campaigns at
once. The totals (usedBudget, usageCount) are the campaign row's own, kept
exact by every apply and reversal under its lock; what the row does not hold
is aggregated here, set-based: the customers, the last hour and the days.

A usage counts on the day and at the time it was applied, net of what was
reversed of it since (a refund lowers the day the discount was given, not
the day of the refund); a fully reversed usage counts on no day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Sequence

from sqlalchemy import ARRAY, BigInteger, Date, bindparam, cast, func, select
from sqlalchemy.orm import Session

from ..core.calendar import business_day_bounds
from ..core.money import ZERO
from ..core.stats import BURN_WINDOW
from ..discounts.models import DiscountUsage
from .conditions import usage_counts

_COUNTS = usage_counts(DiscountUsage)
_NET = DiscountUsage.discount_amount - DiscountUsage.reversed_amount


@dataclass(frozen=True)
class CampaignFigures:
    unique_customers: int
    burn_per_hour: Decimal  # net discount of the usages of the last hour


@dataclass(frozen=True)
class DayFigures:
    day: date
    usage_count: int
    total_discount: Decimal


def figures_by_campaign(session: Session, campaign_ids: Sequence[int], now: datetime) -> dict[int, CampaignFigures]:
    """One statement for every campaign asked: the distinct customers from
    the index of counting usages (each (campaign, customer) pair once, then
    counted: no sort), the last hour from the usages' time range."""
    ids = bindparam("ids", list(campaign_ids), type_=ARRAY(BigInteger))
    asked = DiscountUsage.campaign_id == func.any(ids)
    pairs = (select(DiscountUsage.campaign_id, DiscountUsage.customer_id).distinct()
             .where(asked, _COUNTS).subquery())
    customers = (select(pairs.c.campaign_id, func.count().label("n")).group_by(pairs.c.campaign_id).subquery())
    hour = (select(DiscountUsage.campaign_id, func.sum(_NET).label("net"))
            .where(asked, _COUNTS, DiscountUsage.used_at > now - BURN_WINDOW, DiscountUsage.used_at <= now)
            .group_by(DiscountUsage.campaign_id).subquery())
    every = select(func.unnest(ids).label("id")).subquery()
    rows = session.execute(
        select(every.c.id, customers.c.n, hour.c.net)
        .select_from(every.outerjoin(customers, customers.c.campaign_id == every.c.id)
                     .outerjoin(hour, hour.c.campaign_id == every.c.id))).all()
    return {row.id: CampaignFigures(row.n or 0, row.net if row.net is not None else ZERO) for row in rows}


def business_days(now: datetime, zone: tzinfo, days: int) -> list[date]:
    """The last `days` calendar dates in `zone`, up to today's, oldest first."""
    today = now.astimezone(zone).date()
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def days_by_campaign(session: Session, campaign_ids: Sequence[int], days: int, now: datetime,
                     zone: tzinfo) -> dict[int, list[DayFigures]]:
    """Each campaign's last `days` business days, oldest first, days without
    usages included. A day is a calendar date in `zone`, so one across a
    daylight-saving change is there once, 23 or 25 hours long."""
    calendar = business_days(now, zone, days)
    first = calendar[0]
    since = business_day_bounds(datetime(first.year, first.month, first.day, 12, tzinfo=zone), zone)[0]
    until = business_day_bounds(now, zone)[1]
    local_day = cast(func.timezone(str(zone), DiscountUsage.used_at), Date)
    rows = session.execute(
        select(DiscountUsage.campaign_id, local_day.label("day"), func.count().label("n"), func.sum(_NET).label("net"))
        .where(DiscountUsage.campaign_id == func.any(bindparam("ids", list(campaign_ids), type_=ARRAY(BigInteger))),
               _COUNTS, DiscountUsage.used_at >= since,
               DiscountUsage.used_at < until)
        .group_by(DiscountUsage.campaign_id, local_day)).all()
    found = {(row.campaign_id, row.day): row for row in rows}
    return {
        campaign_id: [DayFigures(day, found[(campaign_id, day)].n, found[(campaign_id, day)].net)
                      if (campaign_id, day) in found else DayFigures(day, 0, ZERO) for day in calendar]
        for campaign_id in campaign_ids
    }
