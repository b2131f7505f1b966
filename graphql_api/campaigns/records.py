"""Plain objects for campaign rows, built inside the worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from ..core.campaigns import CampaignTerms, DiscountType
from .models import Campaign


@dataclass(frozen=True)
class CampaignRecord:
    id: int
    name: str
    description: Optional[str]
    terms: CampaignTerms
    created_at: datetime
    updated_at: datetime
    deleted_at: Optional[datetime]


CAMPAIGN_COLUMNS = (
    Campaign.id,
    Campaign.name,
    Campaign.description,
    Campaign.discount_type,
    Campaign.discount_percentage,
    Campaign.discount_flat,
    Campaign.start_date,
    Campaign.end_date,
    Campaign.total_budget,
    Campaign.used_budget,
    Campaign.max_usage_per_customer_per_day,
    Campaign.min_cart_value,
    Campaign.max_discount_amount,
    Campaign.is_targeted,
    Campaign.paused,
    Campaign.created_at,
    Campaign.updated_at,
    Campaign.deleted_at,
)


def campaign_record(row) -> CampaignRecord:
    return CampaignRecord(
        id=row.id,
        name=row.name,
        description=row.description,
        terms=CampaignTerms(
            discount_type=DiscountType(row.discount_type),
            discount_percentage=row.discount_percentage,
            discount_flat=row.discount_flat,
            start_date=row.start_date,
            end_date=row.end_date,
            total_budget=row.total_budget,
            used_budget=row.used_budget,
            max_usage_per_customer_per_day=row.max_usage_per_customer_per_day,
            min_cart_value=row.min_cart_value,
            max_discount_amount=row.max_discount_amount,
            is_targeted=row.is_targeted,
            paused=row.paused,
            deleted=row.deleted_at is not None,
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
    )
