from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Optional

import strawberry

from ...campaigns.records import CampaignRecord
from ...core.campaigns import CampaignTerms, effective_status
from ...access.roles import Permission
from ...codes.service import codes_page
from ..audit.types import CampaignEvent
from .stats import CampaignStats
from ..codes.types import CouponCode
from ..cost_directives import CONNECTION, ListSize
from ..pagination import AFTER, FIRST, Connection, page_request, to_connection
from ..customers.types import Customer
from ..enums import CampaignStatus, DiscountType
from ..errors import UserError
from ..ids import encode_id
from ..node import Node
from ..permissions import require
from ..context import Info


# Static cost analysis assumes this many targets; the actual cost counts them.
TARGETS_SIZE = ListSize(assumed_size=50, require_one_slicing_argument=False)


def _status(root: "Campaign", info: Info) -> CampaignStatus:
    return effective_status(root.terms, info.context.now)


@strawberry.type(description="A discount with a budget, a schedule, limits and optional targeting.")
class Campaign(Node):
    id: strawberry.ID = strawberry.field(
        description="Opaque; pass it to campaign, node, updateCampaign, deleteCampaign, or as a campaignId."
    )
    name: str = strawberry.field(description="For people; 1 to 255 characters, stored trimmed.")
    description: Optional[str] = strawberry.field(
        description="Free text for people; null when none was given."
    )
    discount_type: DiscountType = strawberry.field(
        description="What the discount comes off: the cart value (CART) or the delivery charge (DELIVERY)."
    )
    discount_percentage: Optional[Decimal] = strawberry.field(
        description=(
            "A percentage, not an amount (35.00 is 35%), of the value the discount comes off: the "
            "cart value or the delivery charge. Exactly one of discountPercentage and discountFlat "
            "is non-null."
        )
    )
    discount_flat: Optional[Decimal] = strawberry.field(
        description=(
            "A fixed amount off the cart value (CART) or the delivery charge (DELIVERY), in the shop's "
            "currency; null for a percentage campaign."
        )
    )
    start_date: datetime = strawberry.field(description="The first moment the campaign can be used.")
    end_date: datetime = strawberry.field(
        description="The last moment the campaign can be used; after it the status is EXPIRED."
    )
    total_budget: Decimal = strawberry.field(
        description=(
            "The most the campaign gives away in all, in the shop's currency: the sum of the "
            "discountAmount of its usages never exceeds it."
        )
    )
    used_budget: Decimal = strawberry.field(
        description=(
            "Budget used so far, in the shop's currency: the sum of discountAmount of this "
            "campaign's usages, less what reverseDiscountUsage gave back."
        )
    )
    remaining_budget: Decimal = strawberry.field(
        description="totalBudget - usedBudget, in the shop's currency; no single discount is larger."
    )
    max_usage_per_customer_per_day: int = strawberry.field(
        description=(
            "How many times one customer may use the campaign per business day (the calendar day in "
            "the service's time zone, UTC unless configured)."
        )
    )
    min_cart_value: Decimal = strawberry.field(
        description=(
            "The least cart value an order needs, in the shop's currency; compared with cartValue, "
            "for DELIVERY campaigns too."
        )
    )
    max_discount_amount: Optional[Decimal] = strawberry.field(
        description=(
            "The most one order's discount can be, in the shop's currency; null for no cap beyond "
            "the value discounted and remainingBudget."
        )
    )
    is_targeted: bool = strawberry.field(
        description="True when only the customers in targetCustomers can get the discount."
    )
    # A resolver, so that it is worked out only when asked for (offers rarely ask).
    status: CampaignStatus = strawberry.field(resolver=_status, description="Always the effective status at read time.")
    created_at: datetime = strawberry.field(
        description="When the campaign was created; between equal offers, the older campaign's is the best."
    )
    updated_at: datetime = strawberry.field(
        description=(
            "When the campaign was last created, updated or deleted; applying a discount does not "
            "change it."
        )
    )
    deleted_at: Optional[datetime] = strawberry.field(
        description="Set once the campaign is deleted; only usage history still shows it."
    )
    requires_code: bool = strawberry.field(
        description="Offered and applied only when the cart (or the apply) carries one of its coupon codes."
    )
    max_usage_per_customer: Optional[int] = strawberry.field(
        description="How many times one customer may use the campaign in all; null for no lifetime cap."
    )
    max_total_usage: Optional[int] = strawberry.field(
        description="How many usages all customers together may have; null for no cap."
    )
    usage_count: int = strawberry.field(description="Usages of the campaign that are not fully reversed.")
    exclusive: bool = strawberry.field(
        description="True when the campaign combines with no other discount on the same order."
    )
    priority: int = strawberry.field(
        description="Between offers of equal amount, the higher priority wins before the older campaign does."
    )
    budget_slots: int = strawberry.field(
        description=(
            "Hot-campaign mode: above 1, the budget (and maxTotalUsage) is lent out to this many slots, "
            "so that concurrent applies do not queue on one lock; 1 is the normal mode. Limits, codes, "
            "thresholds and exhaustion stay exact in either mode."
        )
    )
    pk: strawberry.Private[int]
    terms: strawberry.Private[CampaignTerms]

    @classmethod
    def from_record(cls, record: CampaignRecord) -> "Campaign":
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
            created_at=record.created_at,
            updated_at=record.updated_at,
            deleted_at=record.deleted_at,
            requires_code=terms.requires_code,
            max_usage_per_customer=terms.max_usage_per_customer,
            max_total_usage=terms.max_total_usage,
            usage_count=terms.usage_count,
            exclusive=terms.exclusive,
            priority=terms.priority,
            budget_slots=record.budget_slots,
            pk=record.id,
            terms=terms,
        )

    @strawberry.field(
        description=(
            "The customers a targeted campaign is offered to; empty when isTargeted is false. "
            "Batched: one query per request, not one per campaign. Admin keys only (FORBIDDEN for "
            "checkout keys, which look customers up rather than list them)."
        ),
        directives=[TARGETS_SIZE],
    )
    async def target_customers(self, info: Info) -> list[Customer]:
        require(info, Permission.LIST_CUSTOMERS)
        if not self.is_targeted:
            return []
        records = await info.context.loaders.target_customers_by_campaign_id.load(self.pk)
        return [Customer.from_record(record) for record in records]

    @strawberry.field(
        description="The IDs of targetCustomers, without loading the customers. Admin keys only.",
        directives=[TARGETS_SIZE],
    )
    async def target_customer_ids(self, info: Info) -> list[strawberry.ID]:
        require(info, Permission.LIST_CUSTOMERS)
        if not self.is_targeted:
            return []
        records = await info.context.loaders.target_customers_by_campaign_id.load(self.pk)
        return [strawberry.ID(encode_id("Customer", record.id)) for record in records]


    @strawberry.field(
        description="The campaign's coupon codes, oldest first. Admin keys only.", directives=[CONNECTION]
    )
    async def codes(self, info: Info, first: Optional[int] = 20, after: Optional[str] = None
                    ) -> Connection[CouponCode]:
        require(info, Permission.READ_CODES)
        page = await info.context.database.read(codes_page, self.pk, page_request(first, after))
        return to_connection(page, CouponCode.from_record)

    @strawberry.field(description="The campaign's figures: usages, customers, days, burn rate. Admin keys only.")
    async def stats(self, info: Info) -> CampaignStats:
        require(info, Permission.READ_STATS)
        figures = await info.context.loaders.figures_by_campaign_id.load(self.pk)
        return CampaignStats.of(self.pk, self.terms, figures.unique_customers)

    @strawberry.field(
        description="The campaign's audit log, newest first: every admin change, and the budget thresholds it "
                    "crossed. Admin keys only.", directives=[CONNECTION]
    )
    async def events(
        self,
        info: Info,
        first: Annotated[Optional[int], strawberry.argument(description=FIRST)] = 20,
        after: Annotated[Optional[str], strawberry.argument(description=AFTER)] = None,
    ) -> Connection[CampaignEvent]:
        require(info, Permission.READ_AUDIT)
        page = await info.context.loaders.event_page_by_campaign.load((self.pk, page_request(first, after)))
        return to_connection(page, CampaignEvent.from_record)


@strawberry.input(description="Campaigns that match every field given; a null or absent field matches all.")
class CampaignFilter:
    discount_type: Optional[DiscountType] = strawberry.field(
        default=None, description="Only CART or only DELIVERY campaigns."
    )
    status: Optional[CampaignStatus] = strawberry.field(
        default=None, description="The effective status, evaluated in the database."
    )
    is_targeted: Optional[bool] = strawberry.field(
        default=None, description="Only targeted (true) or only untargeted (false) campaigns."
    )


@strawberry.input(description="A new campaign; it is validated as a whole and every problem is reported.")
class CreateCampaignInput:
    name: str = strawberry.field(description="1 to 255 characters after trimming.")
    description: Optional[str] = strawberry.field(default=None, description="At most 2000 characters.")
    discount_type: DiscountType = strawberry.field(
        description="CART to discount the cart value, DELIVERY to discount the delivery charge."
    )
    discount_percentage: Optional[Decimal] = strawberry.field(
        default=None,
        description=(
            "A percentage of the value discounted (35 is 35%); 0 < p <= 100. Give exactly one of "
            "this and discountFlat."
        ),
    )
    discount_flat: Optional[Decimal] = strawberry.field(
        default=None,
        description="A fixed amount off the value discounted, in the shop's currency; greater than 0.",
    )
    start_date: datetime = strawberry.field(description="The first moment the campaign can be used.")
    end_date: datetime = strawberry.field(
        description="The last moment the campaign can be used; after startDate."
    )
    total_budget: Decimal = strawberry.field(
        description="The most the campaign gives away in all, in the shop's currency; greater than 0."
    )
    max_usage_per_customer_per_day: Optional[int] = strawberry.field(
        default=1, description="Uses per customer per business day; at least 1."
    )
    min_cart_value: Optional[Decimal] = strawberry.field(
        default=Decimal("0"),
        description=(
            "The least cart value an order needs, in the shop's currency (DELIVERY campaigns too); "
            "at least 0."
        ),
    )
    max_discount_amount: Optional[Decimal] = strawberry.field(
        default=None,
        description=(
            "The most one order's discount can be, in the shop's currency; greater than 0; null for "
            "no cap."
        ),
    )
    is_targeted: Optional[bool] = strawberry.field(
        default=False, description="true to offer the campaign only to targetCustomerIds."
    )
    target_customer_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=None,
        description=(
            "Customer IDs, each of an existing customer (NOT_FOUND names the others). Required (at "
            "least one) on a targeted campaign; refused otherwise."
        ),
    )
    requires_code: Optional[bool] = strawberry.field(
        default=False, description="true to offer and apply the campaign only with one of its coupon codes."
    )
    max_usage_per_customer: Optional[int] = strawberry.field(
        default=None, description="Uses per customer in all; at least 1; null for no lifetime cap."
    )
    max_total_usage: Optional[int] = strawberry.field(
        default=None, description="Usages by all customers together; at least 1; null for no cap."
    )
    exclusive: Optional[bool] = strawberry.field(
        default=False, description="true when the campaign combines with no other discount on the same order."
    )
    priority: Optional[int] = strawberry.field(
        default=0, description="Breaks ties between offers of equal amount: higher first; -1000000 to 1000000."
    )
    budget_slots: Optional[int] = strawberry.field(
        default=1,
        description=(
            "1 to 64. Above 1, hot-campaign mode: for a flash sale whose applies would otherwise "
            "queue on the campaign's one row lock."
        ),
    )


@strawberry.input(
    description=(
        "Every field is optional: only those given change, and an explicit null clears a "
        "nullable field. The result is validated as a whole."
    )
)
class UpdateCampaignInput:
    name: Optional[str] = strawberry.field(
        default=strawberry.UNSET, description="1 to 255 characters after trimming."
    )
    description: Optional[str] = strawberry.field(
        default=strawberry.UNSET, description="At most 2000 characters; null removes it."
    )
    discount_type: Optional[DiscountType] = strawberry.field(
        default=strawberry.UNSET, description="CART to discount the cart value, DELIVERY the delivery charge."
    )
    discount_percentage: Optional[Decimal] = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "A percentage of the value discounted; 0 < p <= 100. To switch to a flat discount, give "
            "discountFlat and set this to null."
        ),
    )
    discount_flat: Optional[Decimal] = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "A fixed amount off the value discounted, in the shop's currency; greater than 0. To switch to a "
            "percentage, give discountPercentage and set this to null."
        ),
    )
    start_date: Optional[datetime] = strawberry.field(
        default=strawberry.UNSET, description="Must stay before endDate, as stored or given."
    )
    end_date: Optional[datetime] = strawberry.field(
        default=strawberry.UNSET, description="Must stay after startDate, as stored or given."
    )
    total_budget: Optional[Decimal] = strawberry.field(
        default=strawberry.UNSET, description="In the shop's currency; may not fall below usedBudget."
    )
    max_usage_per_customer_per_day: Optional[int] = strawberry.field(
        default=strawberry.UNSET, description="Uses per customer per business day; at least 1."
    )
    min_cart_value: Optional[Decimal] = strawberry.field(
        default=strawberry.UNSET,
        description="The least cart value an order needs, in the shop's currency; at least 0.",
    )
    max_discount_amount: Optional[Decimal] = strawberry.field(
        default=strawberry.UNSET,
        description="The most one order's discount can be, in the shop's currency; null removes the cap.",
    )
    is_targeted: Optional[bool] = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "false offers the campaign to everyone and clears its targets; true needs at least "
            "one target."
        ),
    )
    target_customer_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=strawberry.UNSET, description="Replaces the whole target list."
    )
    active: Optional[bool] = strawberry.field(
        default=strawberry.UNSET, description="false pauses the campaign (INACTIVE), true resumes it."
    )
    requires_code: Optional[bool] = strawberry.field(
        default=strawberry.UNSET, description="true: offered and applied only with one of its coupon codes."
    )
    max_usage_per_customer: Optional[int] = strawberry.field(
        default=strawberry.UNSET, description="Uses per customer in all; at least 1; null removes the cap."
    )
    max_total_usage: Optional[int] = strawberry.field(
        default=strawberry.UNSET,
        description="Usages by all customers together; at least 1 and not below usageCount; null removes the cap.",
    )
    exclusive: Optional[bool] = strawberry.field(
        default=strawberry.UNSET, description="true: combines with no other discount on the same order."
    )
    priority: Optional[int] = strawberry.field(
        default=strawberry.UNSET, description="Breaks ties between offers of equal amount: higher first."
    )
    budget_slots: Optional[int] = strawberry.field(
        default=strawberry.UNSET,
        description="1 to 64; changing it takes effect at once, what the slots held going back to the budget.",
    )


@strawberry.type(description="What createCampaign and updateCampaign answer.")
class CampaignPayload:
    campaign: Optional[Campaign] = strawberry.field(
        description="The campaign as stored after the change; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Every problem found; empty on success. When there are any, nothing was written."
    )


@strawberry.type(description="What deleteCampaign answers.")
class DeleteCampaignPayload:
    deleted_campaign_id: Optional[strawberry.ID] = strawberry.field(
        description="The ID of the campaign deleted; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        description="NOT_FOUND for an unknown or already deleted campaign; empty on success."
    )
