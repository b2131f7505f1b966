"""Plain objects for campaign rows, built inside the worker thread."""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional

from ..core.campaigns import CampaignTerms, DiscountType
from .models import Campaign
from .slots import USAGE_COUNT, USED_BUDGET


@dataclass(frozen=True)
class CampaignRecord:
    id: int
    name: str
    description: Optional[str]
    terms: CampaignTerms
    created_at: datetime
    updated_at: datetime
    deleted_at: Optional[datetime]
    budget_slots: int = 1  # hot-campaign mode above 1 (core/slots.py)


# The used budget and usage count are the true ones in slot mode too.
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
    USED_BUDGET,
    Campaign.max_usage_per_customer_per_day,
    Campaign.min_cart_value,
    Campaign.max_discount_amount,
    Campaign.is_targeted,
    Campaign.paused,
    Campaign.created_at,
    Campaign.updated_at,
    Campaign.deleted_at,
    Campaign.requires_code,
    Campaign.max_usage_per_customer,
    Campaign.max_total_usage,
    USAGE_COUNT,
    Campaign.exclusive,
    Campaign.priority,
    Campaign.budget_slots,
)


_CAMPAIGN_KEYS = tuple(column.key for column in CAMPAIGN_COLUMNS)


@functools.lru_cache(maxsize=64)
def _campaign_values(fields: tuple[str, ...]) -> Callable:
    """Reads CAMPAIGN_COLUMNS out of a row with these fields, in their order,
    in one call: rows of the offers query number in the hundreds."""
    return operator.itemgetter(*(fields.index(key) for key in _CAMPAIGN_KEYS))


def campaign_values(fields: tuple[str, ...]) -> Callable:
    """What campaign_record reads out of rows with these fields: worked out
    once for the rows of one result (SQLAlchemy builds `row._fields` anew on
    every call)."""
    return _campaign_values(fields)


def campaign_record(row, values: Optional[Callable] = None) -> CampaignRecord:
    """The campaign in a row that has CAMPAIGN_COLUMNS among its columns;
    `values` is campaign_values() of its result's fields, when known."""
    (id_, name, description, discount_type, discount_percentage, discount_flat, start_date, end_date, total_budget,
     used_budget, max_usage, min_cart_value, max_discount_amount, is_targeted, paused, created_at, updated_at,
     deleted_at, requires_code, max_usage_per_customer, max_total_usage, usage_count, exclusive,
     priority, budget_slots) = (values or _campaign_values(row._fields))(row)
    return CampaignRecord(
        id=id_,
        name=name,
        description=description,
        terms=CampaignTerms(
            discount_type=DiscountType(discount_type),
            discount_percentage=discount_percentage,
            discount_flat=discount_flat,
            start_date=start_date,
            end_date=end_date,
            total_budget=total_budget,
            used_budget=used_budget,
            max_usage_per_customer_per_day=max_usage,
            min_cart_value=min_cart_value,
            max_discount_amount=max_discount_amount,
            is_targeted=is_targeted,
            paused=paused,
            deleted=deleted_at is not None,
            requires_code=requires_code,
            max_usage_per_customer=max_usage_per_customer,
            max_total_usage=max_total_usage,
            usage_count=usage_count,
            exclusive=exclusive,
            priority=priority,
        ),
        created_at=created_at,
        updated_at=updated_at,
        deleted_at=deleted_at,
        budget_slots=budget_slots,
    )


def notified_campaign(row: dict) -> CampaignRecord:
    """The campaign in a live notification (graphql_api/live): the row as
    committed, without its description, which the notification leaves out."""
    return campaign_record(row, lambda values: tuple(values.get(key) for key in _CAMPAIGN_KEYS))
