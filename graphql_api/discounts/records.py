"""Plain objects for usages and offers, built inside the worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Optional

from ..campaigns.records import CampaignRecord
from ..core.campaigns import DiscountType
from ..core.ledger import fully_reversed, net_amount
from ..core.discounts import (
    Allowance,
    Combination,
    CustomerStanding,
    Discount,
    Reason,
    allowance,
    rank_key,
    savings_text,
)
from .models import DiscountUsage


@dataclass(frozen=True)
class UsageRecord:
    id: int
    campaign_id: int
    customer_id: int
    discount_type: DiscountType
    cart_value: Decimal
    delivery_charge: Decimal
    original_amount: Decimal
    discount_amount: Decimal
    final_amount: Decimal
    used_at: datetime
    idempotency_key: Optional[str]
    api_key_id: Optional[int]
    daily_limit_at_apply: Optional[int]
    customer_limit_at_apply: Optional[int]
    order_reference: Optional[str]
    exclusive: bool
    coupon_code: Optional[str]
    reversed_amount: Decimal
    checkout_id: Optional[int]

    @property
    def net_discount_amount(self) -> Decimal:
        return net_amount(self.discount_amount, self.reversed_amount)

    @property
    def is_fully_reversed(self) -> bool:
        return fully_reversed(self.discount_amount, self.reversed_amount)


USAGE_COLUMNS = (
    DiscountUsage.id,
    DiscountUsage.campaign_id,
    DiscountUsage.customer_id,
    DiscountUsage.discount_type,
    DiscountUsage.cart_value,
    DiscountUsage.delivery_charge,
    DiscountUsage.original_amount,
    DiscountUsage.discount_amount,
    DiscountUsage.final_amount,
    DiscountUsage.used_at,
    DiscountUsage.idempotency_key,
    DiscountUsage.api_key_id,
    DiscountUsage.daily_limit_at_apply,
    DiscountUsage.customer_limit_at_apply,
    DiscountUsage.order_reference,
    DiscountUsage.exclusive,
    DiscountUsage.coupon_code,
    DiscountUsage.reversed_amount,
    DiscountUsage.checkout_id,
)


def usage_record(row) -> UsageRecord:
    return UsageRecord(
        id=row.id,
        campaign_id=row.campaign_id,
        customer_id=row.customer_id,
        discount_type=DiscountType(row.discount_type),
        cart_value=row.cart_value,
        delivery_charge=row.delivery_charge,
        original_amount=row.original_amount,
        discount_amount=row.discount_amount,
        final_amount=row.final_amount,
        used_at=row.used_at,
        idempotency_key=row.idempotency_key,
        api_key_id=row.api_key_id,
        daily_limit_at_apply=row.daily_limit_at_apply,
        customer_limit_at_apply=row.customer_limit_at_apply,
        order_reference=row.order_reference,
        exclusive=row.exclusive,
        coupon_code=row.coupon_code,
        reversed_amount=row.reversed_amount,
        checkout_id=row.checkout_id,
    )


@dataclass(frozen=True)
class Offer:
    """A discount a cart can get from one campaign, with the facts it rests on."""

    campaign: CampaignRecord
    discount: Discount
    standing: CustomerStanding
    coupon_code: Optional[str] = None  # the cart's code it rests on (code campaigns)

    @property
    def rank_key(self) -> tuple:
        return rank_key(self.discount.discount_amount, self.campaign.terms,
                        (self.campaign.created_at, self.campaign.id))

    @property
    def savings(self) -> str:
        return savings_text(self.campaign.terms, self.discount.discount_amount)

    @property
    def allowance(self) -> Allowance:
        return allowance(self.campaign.terms, self.standing)


@dataclass(frozen=True)
class IneligibleCampaign:
    campaign: CampaignRecord
    reasons: list[Reason]  # every failing rule


@dataclass(frozen=True)
class AvailableOffers:
    """Every offer of the cart (the API returns the first ones asked for;
    the bests and the combination are chosen among all)."""

    cart: list[Offer]  # best first
    delivery: list[Offer]  # best first
    ineligible: list[IneligibleCampaign]  # oldest first; empty unless asked for
    rejected_codes: list[str]  # as sent
    best_combination: Combination[Offer]
