"""applyBestDiscounts: the best combination for an order, applied in one
transaction.

The locks come in the apply's order (discounts/apply.py): the customer, the
order, the cart's codes, then the chosen campaigns by id. When an offer of
the best combination no longer holds under its campaign's lock (another
checkout took the budget's last room, say), the rules decide again on what
the locks returned and the next best combination is taken; the campaign
locks of a combination given up are released (a savepoint) before others
are taken, so the lock order holds."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Optional, Sequence, Union

from sqlalchemy import ARRAY, BigInteger, bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..campaigns.models import Campaign
from ..campaigns.records import CAMPAIGN_COLUMNS, campaign_record
from ..campaigns.slots import collect, lend
from ..core.calendar import business_day_bounds
from ..core.codes import cart_code_errors, normalize
from ..core.campaigns import DiscountType
from ..core.discounts import INVALID_COUPON_CODE_MESSAGE, Cart, Combination, Discount, best_combination
from ..core.errors import ErrorCode, UserError
from ..core.validation import cart_errors, idempotency_key_errors, order_reference_errors
from ..customers.service import CUSTOMER_NOT_FOUND
from ..db.database import Database, violated_constraint
from ..observability import events
from .apply import (
    KEY_REUSED,
    RECORD_UNDER_LOCK,
    campaign_after,
    count_code_use,
    lock_customer_order_and_codes,
    new_usage,
    record_budget_events,
)
from .models import CHECKOUT_KEY_CONSTRAINT, Checkout, DiscountUsage
from .offers import OFFER_ROWS, CartQuery, judge
from .records import USAGE_COLUMNS, Offer, UsageRecord, usage_record
from .standing import customer_standing, order_columns, standing_columns, standing_parameters

# How often a lost race is retried with the next best combination before
# the best of what the locks hold is taken.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class ApplyBestDiscounts:
    customer_id: Optional[int]  # None: the given ID is not a customer's
    cart: Cart
    order_reference: str
    coupon_codes: Sequence[str] = ()  # as sent
    idempotency_key: Optional[str] = None
    api_key_id: Optional[int] = None

    @property
    def codes_key(self) -> str:
        """The codes as "the same input" compares them."""
        return ",".join(sorted({normalize(code) for code in self.coupon_codes}))


@dataclass(frozen=True)
class CheckoutResult:
    order_reference: str
    cart: Cart
    cart_offer: Optional[Offer]
    delivery_offer: Optional[Offer]
    usages: list[UsageRecord]
    rejected_codes: list[str] = field(default_factory=list)
    replayed: bool = False

    @property
    def applied_offers(self) -> list[Offer]:
        """The offers in the order their usages were recorded (by campaign id)."""
        return sorted((o for o in (self.cart_offer, self.delivery_offer) if o), key=lambda o: o.campaign.id)


CheckoutOutcome = Union[CheckoutResult, list[UserError]]

NOTHING_APPLIES = UserError(ErrorCode.NO_DISCOUNT_APPLIES, "No discount applies to this cart now.", None)

_IDS = bindparam("campaign_ids", type_=ARRAY(BigInteger))
LOCK_CAMPAIGNS = (select(Campaign.id, Campaign.budget_slots).where(Campaign.id == _IDS.any_()).order_by(Campaign.id)
                  .with_for_update(key_share=True))
# Read after the locks, so in a snapshot that sees every change committed before them.
CAMPAIGNS_AGAIN = (select(*order_columns(), *CAMPAIGN_COLUMNS, *standing_columns(Campaign.id))
                   .where(Campaign.id == _IDS.any_()).order_by(Campaign.created_at, Campaign.id))
CHECKOUT_BY_KEY = select(Checkout).where(Checkout.api_key_id == bindparam("api_key_id"),
                                         Checkout.idempotency_key == bindparam("idempotency_key"))
USAGES_OF_CHECKOUT = select(*USAGE_COLUMNS).where(DiscountUsage.checkout_id == bindparam("checkout_id")) \
    .order_by(DiscountUsage.id)
NEW_CHECKOUT = insert(Checkout.__table__).returning(Checkout.id)


def _same_request(command: ApplyBestDiscounts, checkout) -> bool:
    return (checkout.customer_id == command.customer_id and checkout.order_reference == command.order_reference
            and checkout.cart_value == command.cart.cart_value
            and checkout.delivery_charge == command.cart.delivery_charge
            and checkout.coupon_codes == command.codes_key)


def _offers_of(rows, command: ApplyBestDiscounts, now: datetime, zone: tzinfo):
    query = CartQuery(command.customer_id, command.cart, command.coupon_codes, command.order_reference)
    return judge(rows, query, now, business_day_bounds(now, zone)[1])


def _replay(connection: Connection, command: ApplyBestDiscounts, checkout, now: datetime,
            zone: tzinfo) -> CheckoutOutcome:
    """The first checkout under this key: its usages and rejected codes,
    each usage with its campaign and the customer's allowance as they are now."""
    if not _same_request(command, checkout):
        return [KEY_REUSED]
    usages = [usage_record(row) for row in connection.execute(USAGES_OF_CHECKOUT, {"checkout_id": checkout.id})]
    parameters = {**standing_parameters(command.customer_id, now, zone, command.coupon_codes,
                                        command.order_reference),
                  "campaign_ids": [usage.campaign_id for usage in usages]}
    rows = {row.id: row for row in connection.execute(CAMPAIGNS_AGAIN, parameters)}
    day_ends_at = business_day_bounds(now, zone)[1]
    offers = {
        usage.discount_type: Offer(campaign_record(rows[usage.campaign_id]),
                                   Discount(usage.original_amount, usage.discount_amount),
                                   customer_standing(rows[usage.campaign_id], day_ends_at), usage.coupon_code)
        for usage in usages
    }
    rejected = checkout.rejected_coupon_codes.split(",") if checkout.rejected_coupon_codes else []
    return CheckoutResult(command.order_reference, command.cart, offers.get(DiscountType.CART),
                          offers.get(DiscountType.DELIVERY), usages, rejected_codes=rejected, replayed=True)


def _best(cart: list[Offer], delivery: list[Offer]) -> Combination[Offer]:
    return best_combination(cart, delivery, key_of=Offer.rank_key.fget,
                            amount_of=lambda offer: offer.discount.discount_amount,
                            exclusive_of=lambda offer: offer.campaign.terms.exclusive)


def _choose(connection: Connection, command: ApplyBestDiscounts, offers, parameters: dict, now: datetime,
            zone: tzinfo) -> tuple[Combination[Offer], list[int]]:
    """The best combination as the locks see it, its campaigns' locks held
    (an empty one when nothing applies), and the campaigns in hot-campaign
    mode whose slots were collected under those locks, to lend to again.

    Each attempt locks the campaigns of the best combination and reads them
    again: what the locks returned replaces what was read (every field of
    the campaign, not only the amount: it may have turned exclusive), and the
    best combination is chosen again. When that one is made of locked
    campaigns only, it is the answer, built from the locked rows; otherwise
    the savepoint is rolled back, which releases the locks before the next
    combination's are taken, so the lock order holds."""
    cart, delivery = list(offers.cart), list(offers.delivery)
    chosen, attempts = offers.best_combination, 0
    while chosen.offers:
        attempts += 1
        ids = sorted(offer.campaign.id for offer in chosen.offers)
        savepoint = connection.begin_nested()
        locked = connection.execute(LOCK_CAMPAIGNS, {"campaign_ids": ids}).all()
        # So that the rules decide on their true figures (campaigns/slots.py);
        # the mode as locked, as an edit may have switched it since the read.
        in_slot_mode = [row.id for row in locked if row.budget_slots > 1]
        collect(connection, in_slot_mode)
        rows = connection.execute(CAMPAIGNS_AGAIN, {**parameters, "campaign_ids": ids}).all()
        again = _offers_of(rows, command, now, zone)
        cart = _refreshed(cart, ids, again.cart)
        delivery = _refreshed(delivery, ids, again.delivery)
        retry = _best(cart, delivery)
        if all(offer.campaign.id in ids for offer in retry.offers):
            savepoint.commit()
            return retry, in_slot_mode
        if attempts == MAX_ATTEMPTS:  # the best of what the locks hold
            savepoint.commit()
            return _best(list(again.cart), list(again.delivery)), in_slot_mode
        savepoint.rollback()
        chosen = retry
    return chosen, []


def _refreshed(ranked: list[Offer], locked_ids: list[int], locked_offers: list[Offer]) -> list[Offer]:
    """`ranked` with the locked campaigns' offers as the locks gave them (none when refused)."""
    kept = [offer for offer in ranked if offer.campaign.id not in locked_ids]
    return sorted(kept + list(locked_offers), key=Offer.rank_key.fget)


def checkout_in_transaction(connection: Connection, command: ApplyBestDiscounts, now: datetime,
                            zone: tzinfo) -> CheckoutOutcome:
    parameters = standing_parameters(command.customer_id, now, zone, command.coupon_codes, command.order_reference)
    customer_row = lock_customer_order_and_codes(connection, parameters)
    if customer_row is None:
        return [CUSTOMER_NOT_FOUND]
    if command.idempotency_key is not None:
        earlier = connection.execute(CHECKOUT_BY_KEY, {"api_key_id": command.api_key_id,
                                                       "idempotency_key": command.idempotency_key}).first()
        if earlier is not None:
            return _replay(connection, command, earlier, now, zone)
    rows = OFFER_ROWS.execute(connection, {**parameters, "now": now}).all()
    offers = _offers_of(rows, command, now, zone)
    chosen, collected = _choose(connection, command, offers, parameters, now, zone)
    if not chosen.offers:
        lend(connection, collected)
        return [NOTHING_APPLIES, *_rejected_errors(command, offers.rejected_codes)]
    checkout_id = connection.execute(NEW_CHECKOUT, {
        "api_key_id": command.api_key_id, "idempotency_key": command.idempotency_key,
        "customer_id": command.customer_id, "order_reference": command.order_reference,
        "cart_value": command.cart.cart_value, "delivery_charge": command.cart.delivery_charge,
        "coupon_codes": command.codes_key, "rejected_coupon_codes": ",".join(offers.rejected_codes),
        "created_at": now,
    }).scalar_one()
    usages, applied = [], {}
    for offer in sorted(chosen.offers, key=lambda offer: offer.campaign.id):
        usage = usage_record(connection.execute(RECORD_UNDER_LOCK, new_usage(
            offer.campaign, offer.discount, customer_id=command.customer_id, cart=command.cart, now=now,
            api_key_id=command.api_key_id, coupon_code=offer.coupon_code, order_reference=command.order_reference,
            checkout_id=checkout_id)).one())
        if usage.coupon_code is not None:
            count_code_use(connection, usage.coupon_code)
        usages.append(usage)
        applied[usage.discount_type] = _after(offer, usage)
        record_budget_events(connection, offer.campaign, applied[usage.discount_type].campaign, now)
    lend(connection, collected)
    return CheckoutResult(command.order_reference, command.cart, applied.get(DiscountType.CART),
                          applied.get(DiscountType.DELIVERY), usages, rejected_codes=offers.rejected_codes)


def _after(offer: Offer, usage: UsageRecord) -> Offer:
    """The offer with its campaign as the usage left it: the response answers
    from it, as applyDiscount's does."""
    return replace(offer, campaign=campaign_after(offer.campaign, usage))


def _rejected_errors(command: ApplyBestDiscounts, rejected: list[str]) -> list[UserError]:
    return [UserError(ErrorCode.INVALID_COUPON_CODE, INVALID_COUPON_CODE_MESSAGE, ("coupon_codes", n))
            for n, code in enumerate(command.coupon_codes) if code in rejected]


async def apply_best_discounts(database: Database, command: ApplyBestDiscounts, now: datetime,
                               zone: tzinfo) -> CheckoutOutcome:
    """The use case: the input checks, the transaction, the key race's
    fallback, and the business events once it committed."""
    errors = (cart_errors(command.cart) + cart_code_errors(command.coupon_codes)
              + order_reference_errors(command.order_reference) + idempotency_key_errors(command.idempotency_key))
    if errors:
        return errors
    try:
        result = await database.write_statements(checkout_in_transaction, command, now, zone)
    except IntegrityError as error:
        if command.idempotency_key is None or violated_constraint(error) != CHECKOUT_KEY_CONSTRAINT:
            raise
        # Another checkout under the same key committed first: answer as its replay.
        result = await database.write_statements(checkout_in_transaction, command, now, zone)
    if isinstance(result, CheckoutResult) and not result.replayed:
        for offer, usage in zip(result.applied_offers, result.usages):
            events.discount_applied(usage.id, usage.campaign_id, usage.customer_id, usage.discount_type.value,
                                    usage.original_amount, usage.discount_amount)
            terms = offer.campaign.terms  # as this usage left it
            if terms.used_budget >= terms.total_budget:
                events.budget_exhausted(usage.campaign_id, terms.total_budget)
    return result
