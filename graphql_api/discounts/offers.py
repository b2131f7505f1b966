"""Which discounts a cart can get: one set-based query, then the core rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Optional

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session

from ..campaigns.conditions import live_window
from ..campaigns.models import Campaign, CampaignTarget
from ..campaigns.records import CAMPAIGN_COLUMNS, campaign_record
from ..core.calendar import business_day_bounds
from ..core.campaigns import DiscountType
from ..core.discounts import Cart, CustomerStanding, Discount, evaluate, rank_offers, savings_text
from ..core.errors import NO_SUCH_CUSTOMER, InvalidInput, NotFound
from ..core.validation import cart_errors
from ..customers.models import Customer
from ..db.database import Database
from ..db.prepared_statements import PreparedStatement
from .models import DiscountUsage
from .records import AvailableOffers, Offer


# The statements are built once, with bind parameters: building and
# fingerprinting a statement this size costs more Python than running it.
CUSTOMER_ID = bindparam("customer_id")
DAY_START = bindparam("day_start")
DAY_END = bindparam("day_end")
NOW = bindparam("now")


def standing_parameters(customer_id: int, now: datetime, zone: tzinfo) -> dict:
    """The parameters `standing_columns` reads."""
    day_start, day_end = business_day_bounds(now, zone)
    return {"customer_id": customer_id, "day_start": day_start, "day_end": day_end}


def standing_columns(campaign_id_column):
    """`is_target` and `usages_today` of the customer in CUSTOMER_ID for the
    campaign in `campaign_id_column` on the business day DAY_START..DAY_END,
    as correlated subqueries."""
    is_target = exists().where(
        CampaignTarget.campaign_id == campaign_id_column, CampaignTarget.customer_id == CUSTOMER_ID
    )
    usages_today = (
        select(func.count())
        .where(
            DiscountUsage.campaign_id == campaign_id_column,
            DiscountUsage.customer_id == CUSTOMER_ID,
            DiscountUsage.used_at >= DAY_START,
            DiscountUsage.used_at < DAY_END,
        )
        .scalar_subquery()
    )
    return is_target.label("is_target"), usages_today.label("usages_today")


# The customer, outer-joined to the campaigns that can be live now, so an
# unknown customer is no rows and a known one at least one. The join condition
# only narrows the candidates down to what the live-window index finds;
# `evaluate` decides, so the rules live in one place.
_CUSTOMER = select(Customer.id.label("customer_id")).where(Customer.id == CUSTOMER_ID).subquery()
_OFFER_ROWS = PreparedStatement(
    select(_CUSTOMER.c.customer_id, *CAMPAIGN_COLUMNS, *standing_columns(Campaign.id))
    .select_from(_CUSTOMER)
    .outerjoin(
        Campaign,
        live_window(NOW),
    )
    .order_by(Campaign.created_at, Campaign.id)
)


async def offers_for_cart(
    database: Database, customer_id: Optional[int], cart: Cart, now: datetime, zone: tzinfo
) -> AvailableOffers:
    """The use case: the cart checked (as the apply checks it) before any
    thread or connection is taken, then the one read. `customer_id` is None
    for an ID that names no customer."""
    for error in cart_errors(cart):
        raise InvalidInput(error.message, field=error.field)
    if customer_id is None:
        raise NotFound(NO_SUCH_CUSTOMER, field=("customer_id",))
    return await database.read(available_offers, customer_id, cart, now, zone)


def available_offers(
    session: Session, customer_id: int, cart: Cart, now: datetime, zone: tzinfo
) -> AvailableOffers:
    # Core execution: plain rows, without the ORM's per-statement work.
    rows = _OFFER_ROWS.execute(
        session.connection(), {**standing_parameters(customer_id, now, zone), "now": now}
    ).all()
    if not rows:
        raise NotFound(NO_SUCH_CUSTOMER, field=("customer_id",))

    offers: dict[DiscountType, list[Offer]] = {DiscountType.CART: [], DiscountType.DELIVERY: []}
    for row in rows:
        if row.id is None:  # the customer exists, and no campaign is live
            continue
        campaign = campaign_record(row)
        standing = CustomerStanding(is_target=row.is_target, usages_today=row.usages_today)
        outcome = evaluate(campaign.terms, cart, standing, now)
        if isinstance(outcome, Discount):
            offers[campaign.terms.discount_type].append(
                Offer(
                    campaign=campaign,
                    discount=outcome,
                    savings=savings_text(campaign.terms, outcome.discount_amount),
                    is_best=False,
                )
            )
    return AvailableOffers(
        cart=_ranked(offers[DiscountType.CART]), delivery=_ranked(offers[DiscountType.DELIVERY])
    )


def _ranked(offers: list[Offer]) -> list[Offer]:
    ranked = rank_offers(
        offers,
        amount_of=lambda offer: offer.discount.discount_amount,
        created_key_of=lambda offer: (offer.campaign.created_at, offer.campaign.id),
    )
    if ranked:
        ranked[0] = replace(ranked[0], is_best=True)
    return ranked
