"""Eligibility, discount calculation and the choice of the best offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Sequence, TypeVar, Union

from .campaigns import CampaignStatus, CampaignTerms, DiscountType, effective_status
from .errors import ErrorCode
from .money import ZERO, format_amount, format_percentage, round_to_cents


@dataclass(frozen=True)
class Cart:
    cart_value: Decimal
    delivery_charge: Decimal = ZERO

    def value_for(self, discount_type: DiscountType) -> Decimal:
        """The amount a campaign of this type discounts."""
        if discount_type is DiscountType.CART:
            return self.cart_value
        return self.delivery_charge


@dataclass(frozen=True)
class CustomerStanding:
    """What the rules need to know about the customer for one campaign."""

    is_target: bool
    usages_today: int


@dataclass(frozen=True)
class Discount:
    original_amount: Decimal
    discount_amount: Decimal

    @property
    def final_amount(self) -> Decimal:
        return self.original_amount - self.discount_amount


@dataclass(frozen=True)
class Refusal:
    code: ErrorCode
    message: str


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


def evaluate(
    terms: CampaignTerms, cart: Cart, standing: CustomerStanding, now: datetime
) -> Union[Discount, Refusal]:
    """Apply the eligibility rules in the contract's order; the first that fails wins."""
    status = effective_status(terms, now)
    if status is CampaignStatus.BUDGET_EXHAUSTED:
        return Refusal(ErrorCode.BUDGET_EXHAUSTED, "The campaign's budget is used up.")
    if status is not CampaignStatus.ACTIVE:
        return Refusal(
            ErrorCode.CAMPAIGN_NOT_ACTIVE,
            f"The campaign is not active (status {status.value}).",
        )
    if cart.cart_value < terms.min_cart_value:
        return Refusal(
            ErrorCode.MIN_CART_VALUE_NOT_MET,
            f"The cart value must be at least {format_amount(terms.min_cart_value)}.",
        )
    if terms.is_targeted and not standing.is_target:
        return Refusal(ErrorCode.NOT_TARGETED, "The campaign is not offered to this customer.")
    if standing.usages_today >= terms.max_usage_per_customer_per_day:
        return Refusal(
            ErrorCode.DAILY_LIMIT_REACHED,
            "The customer has used this campaign "
            f"{terms.max_usage_per_customer_per_day} time(s) today, the daily limit.",
        )
    value = cart.value_for(terms.discount_type)
    amount = discount_amount(terms, value)
    if amount <= ZERO:
        return Refusal(
            ErrorCode.NOTHING_TO_DISCOUNT,
            f"There is nothing to discount: the {terms.discount_type.value.lower()} value is zero.",
        )
    return Discount(original_amount=value, discount_amount=amount)


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


def rank_offers(
    offers: Sequence[RankedT], amount_of, created_key_of
) -> list[RankedT]:
    """Best first: the largest discount; ties go to the campaign created first."""
    return sorted(offers, key=lambda offer: (-amount_of(offer), created_key_of(offer)))
