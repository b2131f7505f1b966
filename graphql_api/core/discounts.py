"""Eligibility, discount calculation and the choice of the best offer."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Callable, Generic, Iterator, Optional, Sequence, TypeVar, Union

from .campaigns import ROOM_UNDER_TOTAL_CAP, CampaignTerms, DiscountType, effective_status
from .errors import ErrorCode
from .money import ZERO, format_amount, format_percentage, round_to_cents


@dataclass(frozen=True)
class Cart:
    cart_value: Decimal
    delivery_charge: Decimal = ZERO

    def payable_after(self, total_discount: Decimal) -> Decimal:
        """What is left to pay of cart and delivery together after the discounts."""
        return self.cart_value + self.delivery_charge - total_discount

    def value_for(self, discount_type: DiscountType) -> Decimal:
        """The amount a campaign of this type discounts."""
        if discount_type is DiscountType.CART:
            return self.cart_value
        return self.delivery_charge


@dataclass(frozen=True)
class CustomerStanding:
    """What the rules need to know about the customer (and the cart's codes)
    for one campaign. Counts are of usages that count (USAGE_COUNTS)."""

    is_target: bool
    usages_today: int
    usages_total: int = 0  # lifetime, for maxUsagePerCustomer
    # The cart (or the apply) carries one of the campaign's codes that is not used up.
    has_code: bool = False
    # When usages_today starts again from 0: the next business midnight.
    day_ends_at: Optional[datetime] = None


@dataclass(frozen=True)
class OrderState:
    """What the order already holds: the discounts that count on it."""

    cart: bool = False
    delivery: bool = False
    exclusive: bool = False

    def blocks(self, terms: CampaignTerms) -> bool:
        """An order holds one CART and one DELIVERY discount at most, and an
        exclusive one alone."""
        if self.exclusive or (terms.exclusive and (self.cart or self.delivery)):
            return True
        return self.cart if terms.discount_type is DiscountType.CART else self.delivery


NO_ORDER = OrderState()


@dataclass(frozen=True)
class Discount:
    original_amount: Decimal
    discount_amount: Decimal

    @property
    def final_amount(self) -> Decimal:
        return self.original_amount - self.discount_amount


class Ineligibility(str, enum.Enum):
    """Why a campaign gives a cart nothing. Those in HIDDEN keep the campaign
    out of a cart's explanations; the rest are explained."""

    CODE_NOT_ACCEPTED = "CODE_NOT_ACCEPTED"
    DELETED = "DELETED"
    PAUSED = "PAUSED"
    EXPIRED = "EXPIRED"
    BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED"
    NOT_STARTED = "NOT_STARTED"
    MIN_CART_VALUE_NOT_MET = "MIN_CART_VALUE_NOT_MET"
    NOT_TARGETED = "NOT_TARGETED"
    DAILY_LIMIT_REACHED = "DAILY_LIMIT_REACHED"
    CUSTOMER_LIMIT_REACHED = "CUSTOMER_LIMIT_REACHED"
    TOTAL_USAGE_LIMIT_REACHED = "TOTAL_USAGE_LIMIT_REACHED"
    NOT_COMBINABLE = "NOT_COMBINABLE"
    NOTHING_TO_DISCOUNT = "NOTHING_TO_DISCOUNT"


@dataclass(frozen=True)
class Reason:
    """One failing rule, with the figures that explain it."""

    kind: Ineligibility
    message: str
    shortfall: Optional[Decimal] = None
    used: Optional[int] = None
    limit: Optional[int] = None
    resets_at: Optional[datetime] = None
    starts_at: Optional[datetime] = None


@dataclass(frozen=True)
class Refusal:
    code: ErrorCode
    message: str


# One message for every code that gets a cart nothing, whatever the reason:
# the answer must not tell an unknown code from a used-up or foreign one.
INVALID_COUPON_CODE_MESSAGE = "This coupon code is not valid."

# The apply's error for each reason (the offers' explanations use the reason itself).
_APPLY_CODES = {
    Ineligibility.CODE_NOT_ACCEPTED: ErrorCode.INVALID_COUPON_CODE,
    Ineligibility.DELETED: ErrorCode.CAMPAIGN_NOT_ACTIVE,
    Ineligibility.PAUSED: ErrorCode.CAMPAIGN_NOT_ACTIVE,
    Ineligibility.EXPIRED: ErrorCode.CAMPAIGN_NOT_ACTIVE,
    Ineligibility.NOT_STARTED: ErrorCode.CAMPAIGN_NOT_ACTIVE,
    Ineligibility.BUDGET_EXHAUSTED: ErrorCode.BUDGET_EXHAUSTED,
    Ineligibility.MIN_CART_VALUE_NOT_MET: ErrorCode.MIN_CART_VALUE_NOT_MET,
    Ineligibility.NOT_TARGETED: ErrorCode.NOT_TARGETED,
    Ineligibility.DAILY_LIMIT_REACHED: ErrorCode.DAILY_LIMIT_REACHED,
    Ineligibility.CUSTOMER_LIMIT_REACHED: ErrorCode.CUSTOMER_LIMIT_REACHED,
    Ineligibility.TOTAL_USAGE_LIMIT_REACHED: ErrorCode.TOTAL_USAGE_LIMIT_REACHED,
    Ineligibility.NOT_COMBINABLE: ErrorCode.NOT_COMBINABLE,
    Ineligibility.NOTHING_TO_DISCOUNT: ErrorCode.NOTHING_TO_DISCOUNT,
}
# Reasons that keep a campaign out of a cart's explanations altogether.
HIDDEN = frozenset({Ineligibility.CODE_NOT_ACCEPTED, Ineligibility.DELETED, Ineligibility.EXPIRED,
                    Ineligibility.NOT_TARGETED})


def discount_amount(terms: CampaignTerms, value: Decimal) -> Decimal:
    """min(percentage of value | flat, maxDiscountAmount, remaining budget, value).

    The percentage is rounded half-up to cents before the caps; every cap is a
    whole number of cents, so this equals rounding the minimum.
    """
    if terms.discount_percentage is not None:
        raw = round_to_cents(value * terms.discount_percentage / Decimal(100))
    else:
        assert terms.discount_flat is not None
        raw = terms.discount_flat
    caps = [raw, terms.remaining_budget, value]
    if terms.max_discount_amount is not None:
        caps.append(terms.max_discount_amount)
    return max(min(caps), ZERO)


def code_accepted(terms: CampaignTerms, standing: CustomerStanding, now: datetime) -> bool:
    """A code campaign is reachable by a code only while the customer could
    use it at all: one of its codes not used up, not paused, deleted or over,
    and not targeted at others. Every other case is the one invalid-code
    answer."""
    return (standing.has_code and not terms.paused and not terms.deleted and not now > terms.end_date
            and (standing.is_target or not terms.is_targeted))


def reasons(terms: CampaignTerms, cart: Cart, standing: CustomerStanding, now: datetime,
            order: OrderState = NO_ORDER, every: bool = True) -> tuple[Optional[Discount], list[Reason]]:
    """The discount when no rule fails, else the failing rules in the
    contract's order of precedence: every one (`every`, the explanations) or
    the first (the apply, and offers nobody asked to explain)."""
    value = cart.value_for(terms.discount_type)
    amount = discount_amount(terms, value)
    failing = _failing(terms, cart, standing, now, order, amount)
    failed = list(failing) if every else [reason for reason in (next(failing, None),) if reason is not None]
    if failed:
        return None, failed
    return Discount(original_amount=value, discount_amount=amount), []


def _failing(terms: CampaignTerms, cart: Cart, standing: CustomerStanding, now: datetime,
             order: OrderState, amount: Decimal) -> Iterator[Reason]:
    """Each rule that fails, in order, made only when asked for. A code
    campaign the code does not reach fails that rule alone: nothing else
    about it may show."""
    if terms.requires_code and not code_accepted(terms, standing, now):
        yield Reason(Ineligibility.CODE_NOT_ACCEPTED, INVALID_COUPON_CODE_MESSAGE)
        return
    if terms.deleted:
        yield Reason(Ineligibility.DELETED, "The campaign is deleted.")
    if terms.paused:
        yield Reason(Ineligibility.PAUSED, "The campaign is paused.")
    if now > terms.end_date:
        yield Reason(Ineligibility.EXPIRED, "The campaign is over (see endDate).")
    exhausted = terms.used_budget >= terms.total_budget
    if exhausted:
        yield Reason(Ineligibility.BUDGET_EXHAUSTED, "The campaign's budget is used up.")
    if now < terms.start_date:
        yield Reason(Ineligibility.NOT_STARTED, "The campaign has not started yet (see startsAt).",
                     starts_at=terms.start_date)
    if cart.cart_value < terms.min_cart_value:
        yield Reason(Ineligibility.MIN_CART_VALUE_NOT_MET,
                     f"The cart value must be at least {format_amount(terms.min_cart_value)}.",
                     shortfall=terms.min_cart_value - cart.cart_value)
    if terms.is_targeted and not standing.is_target:
        yield Reason(Ineligibility.NOT_TARGETED, "The campaign is not offered to this customer.")
    daily = terms.max_usage_per_customer_per_day
    if standing.usages_today >= daily:
        yield Reason(Ineligibility.DAILY_LIMIT_REACHED,
                     f"The customer has used this campaign {daily} time(s) today, the daily limit.",
                     used=standing.usages_today, limit=daily, resets_at=standing.day_ends_at)
    lifetime = terms.max_usage_per_customer
    if lifetime is not None and standing.usages_total >= lifetime:
        yield Reason(Ineligibility.CUSTOMER_LIMIT_REACHED,
                     f"The customer has used this campaign {lifetime} time(s), its limit per customer.",
                     used=standing.usages_total, limit=lifetime)
    if not ROOM_UNDER_TOTAL_CAP.holds(terms, now):
        yield Reason(Ineligibility.TOTAL_USAGE_LIMIT_REACHED,
                     f"The campaign has been used {terms.max_total_usage} time(s), its limit.",
                     used=terms.usage_count, limit=terms.max_total_usage)
    if order.blocks(terms):
        yield Reason(Ineligibility.NOT_COMBINABLE, "The order already has a discount this one does not combine with.")
    # An exhausted budget leaves nothing to discount too; that is said once, above.
    if not exhausted and amount <= ZERO:
        yield Reason(
            Ineligibility.NOTHING_TO_DISCOUNT,
            f"There is nothing to discount: the {terms.discount_type.value.lower()} value is zero.",
        )


def evaluate(
    terms: CampaignTerms, cart: Cart, standing: CustomerStanding, now: datetime, order: OrderState = NO_ORDER
) -> Union[Discount, Refusal]:
    """The discount, or the first rule that fails as the apply reports it."""
    discount, failed = reasons(terms, cart, standing, now, order, every=False)
    if discount is not None:
        return discount
    first = failed[0]
    if _APPLY_CODES[first.kind] is ErrorCode.CAMPAIGN_NOT_ACTIVE:
        status = effective_status(terms, now)
        return Refusal(ErrorCode.CAMPAIGN_NOT_ACTIVE, f"The campaign is not active (status {status.value}).")
    return Refusal(_APPLY_CODES[first.kind], first.message)


@dataclass(frozen=True)
class Allowance:
    """What the customer has left of a campaign once this cart takes it."""

    uses_left_today: int
    uses_left: Optional[int]  # None: no lifetime cap


def allowance(terms: CampaignTerms, standing: CustomerStanding) -> Allowance:
    lifetime = terms.max_usage_per_customer
    return Allowance(
        uses_left_today=max(0, terms.max_usage_per_customer_per_day - standing.usages_today - 1),
        uses_left=None if lifetime is None else max(0, lifetime - standing.usages_total - 1),
    )


def same_discount_budget_range(terms: CampaignTerms, discount: Discount) -> tuple[Decimal, Decimal]:
    """The used budgets at which `evaluate` gives this `discount` again, every
    other fact unchanged.

    `evaluate` read `terms.used_budget`, and other applies may add to it before
    this discount is recorded. Up to the used budget that still leaves room for
    the amount, the campaign is not exhausted and the remaining-budget cap is
    not below the amount, so the outcome is the same. When the amount was the
    whole remaining budget, only the used budget it read will do.
    """
    return terms.used_budget, terms.total_budget - discount.discount_amount


def savings_text(terms: CampaignTerms, amount: Decimal) -> str:
    """Human text for an offer: "35% off (210.00)" or "50.00 off (50.00)"."""
    if terms.discount_percentage is not None:
        return f"{format_percentage(terms.discount_percentage)}% off ({format_amount(amount)})"
    assert terms.discount_flat is not None
    return f"{format_amount(terms.discount_flat)} off ({format_amount(amount)})"


RankedT = TypeVar("RankedT")


def rank_key(amount: Decimal, terms: CampaignTerms, created_key) -> tuple:
    """Best-offer order everywhere: the largest amount, then the higher
    priority, then the campaign created first."""
    return (-amount, -terms.priority, created_key)


@dataclass(frozen=True)
class Combination(Generic[RankedT]):
    cart: Optional[RankedT] = None
    delivery: Optional[RankedT] = None

    @property
    def offers(self) -> list[RankedT]:
        return [offer for offer in (self.cart, self.delivery) if offer is not None]


def best_combination(
    cart: Sequence[RankedT], delivery: Sequence[RankedT], key_of: Callable[[RankedT], tuple],
    amount_of: Callable[[RankedT], Decimal], exclusive_of: Callable[[RankedT], bool],
) -> Combination[RankedT]:
    """The largest total discount among: the best non-exclusive cart offer
    with the best non-exclusive delivery offer, or one exclusive offer alone.
    Ties go to the higher priority, then the campaign created first (of the
    pair: its better-ranked offer). `cart` and `delivery` are in rank order."""
    pair = Combination(next((o for o in cart if not exclusive_of(o)), None),
                       next((o for o in delivery if not exclusive_of(o)), None))
    choices = [pair] if pair.offers else []
    choices += [Combination(cart=o) for o in cart if exclusive_of(o)]
    choices += [Combination(delivery=o) for o in delivery if exclusive_of(o)]
    if not choices:
        return Combination()

    def order(choice: Combination) -> tuple:
        total = sum((amount_of(o) for o in choice.offers), ZERO)
        return (-total, min(key_of(o)[1:] for o in choice.offers))

    return min(choices, key=order)
