"""A customer's standing with a campaign, as SQL: the facts the rules read
besides the campaign's own row (core.discounts.CustomerStanding and
OrderState). The offers query and the apply select the same columns, so the
two decide on the same facts."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Optional, Sequence

from sqlalchemy import ARRAY, String, and_, bindparam, case, exists, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from ..campaigns.conditions import code_usable, usage_counts
from ..campaigns.models import Campaign, CampaignTarget
from ..codes.models import CouponCode
from ..core.calendar import business_day_bounds
from ..core.codes import normalize
from ..core.discounts import CustomerStanding, OrderState
from .models import DiscountUsage

CUSTOMER_ID = bindparam("customer_id")
DAY_START = bindparam("day_start")
DAY_END = bindparam("day_end")
# The codes the cart (or the apply) carries, normalized; an empty array for none.
CODES = bindparam("codes", type_=ARRAY(String))
ORDER_REFERENCE = bindparam("order_reference", type_=String)

_COUNTED = usage_counts(DiscountUsage)


def standing_parameters(customer_id: Optional[int], now: datetime, zone: tzinfo, codes: Sequence[str] = (),
                        order_reference: Optional[str] = None) -> dict:
    """The parameters `standing_columns` and `order_columns` read. Daily
    counts are of the business day of `now`."""
    day_start, day_end = business_day_bounds(now, zone)
    return {"customer_id": customer_id, "day_start": day_start, "day_end": day_end,
            "codes": sorted({normalize(code) for code in codes}), "order_reference": order_reference}


def standing_columns(campaign_id_column) -> list[ColumnElement]:
    """`is_target`, `usages_today`, `usages_total` and `cart_codes` of the
    customer in CUSTOMER_ID for the campaign in `campaign_id_column`, as
    correlated subqueries."""
    is_target = exists().where(
        CampaignTarget.campaign_id == campaign_id_column, CampaignTarget.customer_id == CUSTOMER_ID
    )
    mine = and_(DiscountUsage.campaign_id == campaign_id_column, DiscountUsage.customer_id == CUSTOMER_ID, _COUNTED)
    usages_today = (
        select(func.count())
        .where(mine, DiscountUsage.used_at >= DAY_START, DiscountUsage.used_at < DAY_END)
        .scalar_subquery()
    )
    # Counted only for a campaign with a lifetime cap: the others never read it.
    usages_total = case(
        (Campaign.max_usage_per_customer.is_(None), literal(0)),
        else_=select(func.count()).where(mine).scalar_subquery(),
    )
    # The cart's codes that belong to the campaign and are not used up
    # (NULL for none): each of them is accepted, whichever one is used.
    cart_codes = (
        select(func.array_agg(CouponCode.code))
        .where(CouponCode.code == func.any(CODES), CouponCode.campaign_id == campaign_id_column,
               code_usable(CouponCode))
        .scalar_subquery()
    )
    return [is_target.label("is_target"), usages_today.label("usages_today"),
            usages_total.label("usages_total"), cart_codes.label("cart_codes")]


def order_columns() -> list[ColumnElement]:
    """What the order in ORDER_REFERENCE already holds (no order: nothing)."""
    def holds(*conditions) -> ColumnElement:
        return exists().where(DiscountUsage.order_reference == ORDER_REFERENCE, _COUNTED, *conditions)

    return [holds(DiscountUsage.discount_type == "CART").label("order_cart"),
            holds(DiscountUsage.discount_type == "DELIVERY").label("order_delivery"),
            holds(DiscountUsage.exclusive).label("order_exclusive")]


def customer_standing(row, day_ends_at: Optional[datetime]) -> CustomerStanding:
    return CustomerStanding(is_target=row.is_target, usages_today=row.usages_today, usages_total=row.usages_total,
                            has_code=bool(row.cart_codes), day_ends_at=day_ends_at)


def cart_code(row) -> Optional[str]:
    """The code a discount of this row's campaign rests on: the first of the
    cart's usable codes of it."""
    return min(row.cart_codes) if row.cart_codes else None


def order_state(row) -> OrderState:
    return OrderState(cart=row.order_cart, delivery=row.order_delivery, exclusive=row.order_exclusive)


