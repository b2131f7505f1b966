"""Which discounts a cart can get, and why not: one set-based query, then the
core rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Optional, Sequence

from sqlalchemy import bindparam, not_, select, true, union_all
from sqlalchemy.orm import Session

from ..campaigns.conditions import live_window, not_over
from ..campaigns.models import Campaign
from ..campaigns.records import CAMPAIGN_COLUMNS, campaign_record, campaign_values
from ..codes.models import CouponCode
from ..core.calendar import business_day_bounds
from ..core.campaigns import DiscountType
from ..core.codes import cart_code_errors, normalize
from ..core.discounts import (
    HIDDEN,
    NO_ORDER,
    Cart,
    OrderState,
    best_combination,
    code_accepted,
    reasons,
)
from ..core.errors import NO_SUCH_CUSTOMER, InvalidInput, NotFound
from ..core.validation import cart_errors, order_reference_errors
from ..customers.models import Customer
from ..customers.service import NOT_ERASED
from ..db.database import Database
from ..db.prepared_statements import PreparedStatement
from .records import AvailableOffers, IneligibleCampaign, Offer
from .standing import (
    CODES,
    CUSTOMER_ID,
    cart_code,
    customer_standing,
    order_columns,
    order_state,
    standing_columns,
    standing_parameters,
)

NOW = bindparam("now")


@dataclass(frozen=True)
class CartQuery:
    customer_id: Optional[int]  # None: the given ID is not a customer's
    cart: Cart
    coupon_codes: Sequence[str] = ()  # as sent
    order_reference: Optional[str] = None
    # Evaluate the rules as if it were `at` (an admin's preview); counts and
    # budgets stay those of now.
    at: Optional[datetime] = None
    # Work out the explanations (ineligibleDiscounts) too.
    explain: bool = False


def _offer_rows(window) -> PreparedStatement:
    """The customer (with what the order holds), outer-joined to the
    candidate campaigns with the customer's standing: those in `window`,
    found by its index, and those the cart's codes name (outside it, so
    none comes twice). An unknown customer is no rows, a known one at least
    one. The window only narrows the candidates down to what an index finds;
    the rules decide."""
    customer = select(Customer.id.label("customer_id"), *order_columns()) \
        .where(Customer.id == CUSTOMER_ID, NOT_ERASED).subquery()
    columns = (*CAMPAIGN_COLUMNS, *standing_columns(Campaign.id))
    named_by_codes = Campaign.id.in_(select(CouponCode.campaign_id).where(CouponCode.code == CODES.any_()))
    candidates = union_all(
        select(*columns).where(window),
        select(*columns).where(named_by_codes, not_(window)),
    ).subquery()
    return PreparedStatement(
        select(customer, candidates).select_from(customer).outerjoin(candidates, true())
        .order_by(candidates.c.created_at, candidates.c.id)
    )


# Offers only: the campaigns live now. With explanations: every campaign not
# over, since a paused or scheduled one is explained too.
OFFER_ROWS = _offer_rows(live_window(NOW))
EXPLAINED_ROWS = _offer_rows(not_over(NOW))


async def offers_for_cart(database: Database, query: CartQuery, now: datetime, zone: tzinfo) -> AvailableOffers:
    """The use case: the cart checked (as the apply checks it) before any
    thread or connection is taken, then the one read."""
    errors = (cart_errors(query.cart) + cart_code_errors(query.coupon_codes)
              + order_reference_errors(query.order_reference))
    if errors:
        raise InvalidInput(errors[0].message, field=errors[0].field)
    if query.customer_id is None:
        raise NotFound(NO_SUCH_CUSTOMER, field=("customer_id",))
    return await database.read(available_offers, query, now, zone)


def available_offers(session: Session, query: CartQuery, now: datetime, zone: tzinfo) -> AvailableOffers:
    rules_now = query.at or now
    statement = EXPLAINED_ROWS if query.explain else OFFER_ROWS
    rows = statement.execute(session.connection(), {
        **standing_parameters(query.customer_id, now, zone, query.coupon_codes, query.order_reference),
        "now": rules_now,
    }).all()
    if not rows:
        raise NotFound(NO_SUCH_CUSTOMER, field=("customer_id",))
    return judge(rows, query, rules_now, business_day_bounds(now, zone)[1])


def judge(rows, query: CartQuery, now: datetime, day_ends_at: datetime) -> AvailableOffers:
    """The rules over the rows of `_offer_rows`: offers best first, the
    explanations, the codes that reached nothing, the best combination."""
    offers: dict[DiscountType, list[Offer]] = {DiscountType.CART: [], DiscountType.DELIVERY: []}
    ineligible: list[IneligibleCampaign] = []
    accepted: set[str] = set()
    order: OrderState = order_state(rows[0]) if rows else NO_ORDER
    values = campaign_values(rows[0]._fields) if rows else None
    for row in rows:
        if row.id is None:  # the customer exists, and no campaign is a candidate
            continue
        campaign = campaign_record(row, values)
        terms = campaign.terms
        standing = customer_standing(row, day_ends_at)
        if terms.requires_code and code_accepted(terms, standing, now):
            accepted.update(row.cart_codes)
        discount, failed = reasons(terms, query.cart, standing, now, order, every=query.explain)
        if discount is not None:
            offers[terms.discount_type].append(
                Offer(campaign, discount, standing, cart_code(row) if terms.requires_code else None))
        elif query.explain and not any(reason.kind in HIDDEN for reason in failed):
            ineligible.append(IneligibleCampaign(campaign, failed))
    cart = sorted(offers[DiscountType.CART], key=Offer.rank_key.fget)
    delivery = sorted(offers[DiscountType.DELIVERY], key=Offer.rank_key.fget)
    return AvailableOffers(
        cart=cart,
        delivery=delivery,
        ineligible=ineligible,
        rejected_codes=[code for code in query.coupon_codes if normalize(code) not in accepted],
        best_combination=best_combination(
            cart, delivery, key_of=Offer.rank_key.fget, amount_of=lambda offer: offer.discount.discount_amount,
            exclusive_of=lambda offer: offer.campaign.terms.exclusive),
    )
