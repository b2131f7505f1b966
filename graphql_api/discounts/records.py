"""Plain objects for usages and offers, built inside the worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Optional

from ..campaigns.records import CampaignRecord
from ..core.campaigns import DiscountType
from ..core.discounts import Discount
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
    )


@dataclass(frozen=True)
class Offer:
    campaign: CampaignRecord
    discount: Discount
    savings: str
    is_best: bool


@dataclass(frozen=True)
class AvailableOffers:
    cart: list[Offer]  # best first
    delivery: list[Offer]  # best first
