from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

import strawberry

from ...campaigns.records import CampaignRecord
from ...core.campaigns import effective_status
from ..cost_directives import ListSize
from ..customers.types import Customer
from ..enums import CampaignStatus, DiscountType
from ..errors import UserError
from ..ids import encode_id
from ..node import Node


# Static cost analysis assumes this many targets; the actual cost counts them.
TARGETS_SIZE = ListSize(assumed_size=50)


@strawberry.type(description="A discount with a budget, a schedule, limits and optional targeting.")
class Campaign(Node):
    id: strawberry.ID
    name: str
    description: Optional[str]
    discount_type: DiscountType
    discount_percentage: Optional[Decimal] = strawberry.field(
        description="Exactly one of discountPercentage and discountFlat is non-null."
    )
    discount_flat: Optional[Decimal]
    start_date: datetime
    end_date: datetime
    total_budget: Decimal
    used_budget: Decimal
    remaining_budget: Decimal
    max_usage_per_customer_per_day: int
    min_cart_value: Decimal
    max_discount_amount: Optional[Decimal]
    is_targeted: bool
    status: CampaignStatus = strawberry.field(description="Always the effective status at read time.")
    created_at: datetime
    updated_at: datetime
    deleted_at: Optional[datetime] = strawberry.field(
        description="Set once the campaign is deleted; only usage history still shows it."
    )
    pk: strawberry.Private[int]

    @classmethod
    def from_record(cls, record: CampaignRecord, now: datetime) -> "Campaign":
        terms = record.terms
        return cls(
            id=strawberry.ID(encode_id("Campaign", record.id)),
            name=record.name,
            description=record.description,
            discount_type=terms.discount_type,
            discount_percentage=terms.discount_percentage,
            discount_flat=terms.discount_flat,
            start_date=terms.start_date,
            end_date=terms.end_date,
            total_budget=terms.total_budget,
            used_budget=terms.used_budget,
            remaining_budget=terms.remaining_budget,
            max_usage_per_customer_per_day=terms.max_usage_per_customer_per_day,
            min_cart_value=terms.min_cart_value,
            max_discount_amount=terms.max_discount_amount,
            is_targeted=terms.is_targeted,
            status=effective_status(terms, now),
            created_at=record.created_at,
            updated_at=record.updated_at,
            deleted_at=record.deleted_at,
            pk=record.id,
        )

    @strawberry.field(
        description="Batched: one query per request, not one per campaign.", directives=[TARGETS_SIZE]
    )
    async def target_customers(self, info: strawberry.Info) -> list[Customer]:
        if not self.is_targeted:
            return []
        records = await info.context.loaders.target_customers_by_campaign_id.load(self.pk)
        return [Customer.from_record(record) for record in records]

    @strawberry.field(directives=[TARGETS_SIZE])
    async def target_customer_ids(self, info: strawberry.Info) -> list[strawberry.ID]:
        if not self.is_targeted:
            return []
        records = await info.context.loaders.target_customers_by_campaign_id.load(self.pk)
        return [strawberry.ID(encode_id("Customer", record.id)) for record in records]


@strawberry.input
class CampaignFilter:
    discount_type: Optional[DiscountType] = None
    status: Optional[CampaignStatus] = strawberry.field(
        default=None, description="The effective status, evaluated in the database."
    )
    is_targeted: Optional[bool] = None


@strawberry.input
class CreateCampaignInput:
    name: str = strawberry.field(description="1 to 255 characters after trimming.")
    description: Optional[str] = strawberry.field(default=None, description="At most 2000 characters.")
    discount_type: DiscountType
    discount_percentage: Optional[Decimal] = strawberry.field(
        default=None, description="0 < p <= 100. Give exactly one of this and discountFlat."
    )
    discount_flat: Optional[Decimal] = strawberry.field(default=None, description="Greater than 0.")
    start_date: datetime
    end_date: datetime = strawberry.field(description="After startDate.")
    total_budget: Decimal = strawberry.field(description="Greater than 0.")
    max_usage_per_customer_per_day: Optional[int] = 1
    min_cart_value: Optional[Decimal] = Decimal("0")
    max_discount_amount: Optional[Decimal] = strawberry.field(
        default=None, description="Greater than 0 when given."
    )
    is_targeted: Optional[bool] = False
    target_customer_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=None, description="Required (at least one) on a targeted campaign; refused otherwise."
    )


@strawberry.input(
    description=(
        "Every field is optional: only those given change, and an explicit null clears a "
        "nullable field. The result is validated as a whole."
    )
)
class UpdateCampaignInput:
    name: Optional[str] = strawberry.UNSET
    description: Optional[str] = strawberry.UNSET
    discount_type: Optional[DiscountType] = strawberry.UNSET
    discount_percentage: Optional[Decimal] = strawberry.field(
        default=strawberry.UNSET,
        description="To switch to a flat discount, give discountFlat and set this to null.",
    )
    discount_flat: Optional[Decimal] = strawberry.UNSET
    start_date: Optional[datetime] = strawberry.UNSET
    end_date: Optional[datetime] = strawberry.UNSET
    total_budget: Optional[Decimal] = strawberry.field(
        default=strawberry.UNSET, description="May not fall below usedBudget."
    )
    max_usage_per_customer_per_day: Optional[int] = strawberry.UNSET
    min_cart_value: Optional[Decimal] = strawberry.UNSET
    max_discount_amount: Optional[Decimal] = strawberry.UNSET
    is_targeted: Optional[bool] = strawberry.UNSET
    target_customer_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=strawberry.UNSET, description="Replaces the whole target list."
    )
    active: Optional[bool] = strawberry.field(
        default=strawberry.UNSET, description="false pauses the campaign (INACTIVE), true resumes it."
    )


@strawberry.type
class CampaignPayload:
    campaign: Optional[Campaign]
    user_errors: list[UserError]


@strawberry.type
class DeleteCampaignPayload:
    deleted_campaign_id: Optional[strawberry.ID]
    user_errors: list[UserError]
