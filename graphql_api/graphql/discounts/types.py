from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Optional

import strawberry

from ..enums import DiscountType
from ...discounts.records import AvailableOffers, Offer, UsageRecord
from ..cost_directives import ListSize
from ..errors import UserError
from ..ids import encode_id
from ..inputs import plain_scalar_input
from ..node import Node

if TYPE_CHECKING:
    from ..campaigns.types import Campaign
    from ..customers.types import Customer

# Customer and Campaign refer back to this module, so they are named lazily.
LazyCampaign = Annotated["Campaign", strawberry.lazy("graphql_api.graphql.campaigns.types")]
LazyCustomer = Annotated["Customer", strawberry.lazy("graphql_api.graphql.customers.types")]


@strawberry.type(description="A discount applied to one order: what it was, and what it saved.")
class DiscountUsage(Node):
    id: strawberry.ID
    discount_type: DiscountType
    original_amount: Decimal = strawberry.field(
        description="The cart value for CART campaigns, the delivery charge for DELIVERY ones."
    )
    discount_amount: Decimal
    final_amount: Decimal = strawberry.field(description="originalAmount - discountAmount.")
    used_at: datetime
    campaign_pk: strawberry.Private[int]
    customer_pk: strawberry.Private[int]

    @classmethod
    def from_record(cls, record: UsageRecord) -> "DiscountUsage":
        return cls(
            id=strawberry.ID(encode_id("DiscountUsage", record.id)),
            discount_type=record.discount_type,
            original_amount=record.original_amount,
            discount_amount=record.discount_amount,
            final_amount=record.final_amount,
            used_at=record.used_at,
            campaign_pk=record.campaign_id,
            customer_pk=record.customer_id,
        )

    @strawberry.field(description="Still resolves after the campaign is deleted.")
    async def campaign(self, info: strawberry.Info) -> LazyCampaign:
        from ..campaigns.types import Campaign

        record = await info.context.loaders.campaign_by_id.load(self.campaign_pk)
        return Campaign.from_record(record, info.context.now)

    @strawberry.field
    async def customer(self, info: strawberry.Info) -> LazyCustomer:
        from ..customers.types import Customer

        record = await info.context.loaders.customer_by_id.load(self.customer_pk)
        return Customer.from_record(record)


@strawberry.type(description="A discount a cart can get from one campaign.")
class DiscountOffer:
    campaign: LazyCampaign
    discount_type: DiscountType
    discount_amount: Decimal
    final_amount: Decimal
    is_best: bool
    savings: str = strawberry.field(description='Human text, e.g. "35% off (210.00)".')

    @classmethod
    def from_offer(cls, offer: Offer, now: datetime) -> "DiscountOffer":
        from ..campaigns.types import Campaign

        return cls(
            campaign=Campaign.from_record(offer.campaign, now),
            discount_type=offer.campaign.terms.discount_type,
            discount_amount=offer.discount.discount_amount,
            final_amount=offer.discount.final_amount,
            is_best=offer.is_best,
            savings=offer.savings,
        )


OFFERS_SIZE = ListSize(assumed_size=50)


@strawberry.type(description="Every discount a cart can get now, best first per type.")
class AvailableDiscounts:
    cart_discounts: list[DiscountOffer] = strawberry.field(directives=[OFFERS_SIZE])
    delivery_discounts: list[DiscountOffer] = strawberry.field(directives=[OFFERS_SIZE])
    best_cart_discount: Optional[DiscountOffer]
    best_delivery_discount: Optional[DiscountOffer]

    @classmethod
    def from_offers(cls, offers: AvailableOffers, now: datetime) -> "AvailableDiscounts":
        cart = [DiscountOffer.from_offer(offer, now) for offer in offers.cart]
        delivery = [DiscountOffer.from_offer(offer, now) for offer in offers.delivery]
        return cls(
            cart_discounts=cart,
            delivery_discounts=delivery,
            best_cart_discount=cart[0] if cart else None,
            best_delivery_discount=delivery[0] if delivery else None,
        )


@plain_scalar_input
@strawberry.input
class CartInput:
    customer_id: strawberry.ID
    cart_value: Decimal = strawberry.field(description="At least 0.")
    delivery_charge: Optional[Decimal] = strawberry.field(default=Decimal("0"), description="At least 0.")


@plain_scalar_input
@strawberry.input
class ApplyDiscountInput:
    campaign_id: strawberry.ID
    customer_id: strawberry.ID
    cart_value: Decimal
    delivery_charge: Optional[Decimal] = Decimal("0")
    idempotency_key: Optional[str] = strawberry.field(
        default=None,
        description=(
            "1-255 characters. The same key with the same input returns the first usage "
            "and applies nothing more; with a different input it is IDEMPOTENCY_KEY_REUSED."
        ),
    )


@strawberry.type
class ApplyDiscountPayload:
    usage: Optional[DiscountUsage]
    user_errors: list[UserError]
