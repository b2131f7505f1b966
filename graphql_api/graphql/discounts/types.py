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
from ..context import Info

if TYPE_CHECKING:
    from ..campaigns.types import Campaign
    from ..customers.types import Customer

# Customer and Campaign refer back to this module, so they are named lazily.
LazyCampaign = Annotated["Campaign", strawberry.lazy("graphql_api.graphql.campaigns.types")]
LazyCustomer = Annotated["Customer", strawberry.lazy("graphql_api.graphql.customers.types")]


@strawberry.type(description="A discount applied to one order: what it was, and what it saved.")
class DiscountUsage(Node):
    id: strawberry.ID = strawberry.field(description="Opaque; give it to node.")
    discount_type: DiscountType = strawberry.field(
        description="The campaign's discountType when the discount was applied."
    )
    original_amount: Decimal = strawberry.field(
        description=(
            "The value discounted, in the shop's currency, as given to applyDiscount: the cart "
            "value for CART campaigns, the delivery charge for DELIVERY ones."
        )
    )
    discount_amount: Decimal = strawberry.field(
        description="The discount given, in the shop's currency; it counts toward the campaign's usedBudget."
    )
    final_amount: Decimal = strawberry.field(
        description=(
            "originalAmount - discountAmount, in the shop's currency: what was left to pay of that value."
        )
    )
    used_at: datetime = strawberry.field(
        description="When the discount was applied; the daily limit counts usages by its business day."
    )
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
    async def campaign(self, info: Info) -> LazyCampaign:
        from ..campaigns.types import Campaign

        record = await info.context.loaders.campaign_by_id.load(self.campaign_pk)
        return Campaign.from_record(record)

    @strawberry.field(description="The customer the discount was applied for.")
    async def customer(self, info: Info) -> LazyCustomer:
        from ..customers.types import Customer

        record = await info.context.loaders.customer_by_id.load(self.customer_pk)
        return Customer.from_record(record)


@strawberry.type(
    description=(
        "A discount a cart can get from one campaign, worked out now; applyDiscount checks "
        "every rule again when it records one."
    )
)
class DiscountOffer:
    campaign: LazyCampaign = strawberry.field(description="The campaign that gives the discount.")
    discount_type: DiscountType = strawberry.field(
        description=(
            "The campaign's discountType: CART when the discount is on the cart value, DELIVERY on "
            "the delivery charge."
        )
    )
    discount_amount: Decimal = strawberry.field(
        description=(
            "The discount, in the shop's currency, on the cart value (CART) or the delivery charge "
            "(DELIVERY): the percentage (half-up to cents) or the flat amount, capped by "
            "maxDiscountAmount, remainingBudget and the value itself."
        )
    )
    final_amount: Decimal = strawberry.field(
        description=(
            "What is left to pay of the value discounted, in the shop's currency: cartValue or "
            "deliveryCharge minus discountAmount."
        )
    )
    is_best: bool = strawberry.field(
        description=(
            "True for the first offer of its list: the largest discountAmount of its discountType, "
            "the older campaign's on a tie."
        )
    )
    savings: str = strawberry.field(
        description='Human text for display, e.g. "35% off (210.00)" or "50.00 off (50.00)"; not for parsing.'
    )

    @classmethod
    def from_offer(cls, offer: Offer) -> "DiscountOffer":
        from ..campaigns.types import Campaign

        return cls(
            campaign=Campaign.from_record(offer.campaign),
            discount_type=offer.campaign.terms.discount_type,
            discount_amount=offer.discount.discount_amount,
            final_amount=offer.discount.final_amount,
            is_best=offer.is_best,
            savings=offer.savings,
        )


OFFERS_SIZE = ListSize(assumed_size=50)


@strawberry.type(description="Every discount a cart can get now, best first per type.")
class AvailableDiscounts:
    cart_discounts: list[DiscountOffer] = strawberry.field(
        description="Offers of CART campaigns, on the cart value; best first.", directives=[OFFERS_SIZE]
    )
    delivery_discounts: list[DiscountOffer] = strawberry.field(
        description="Offers of DELIVERY campaigns, on the delivery charge; best first.",
        directives=[OFFERS_SIZE],
    )
    best_cart_discount: Optional[DiscountOffer] = strawberry.field(
        description="The first of cartDiscounts; null when there is none."
    )
    best_delivery_discount: Optional[DiscountOffer] = strawberry.field(
        description="The first of deliveryDiscounts; null when there is none."
    )

    @classmethod
    def from_offers(cls, offers: AvailableOffers) -> "AvailableDiscounts":
        cart = [DiscountOffer.from_offer(offer) for offer in offers.cart]
        delivery = [DiscountOffer.from_offer(offer) for offer in offers.delivery]
        return cls(
            cart_discounts=cart,
            delivery_discounts=delivery,
            best_cart_discount=cart[0] if cart else None,
            best_delivery_discount=delivery[0] if delivery else None,
        )


CUSTOMER_ID = "The customer's ID; NOT_FOUND when it is not one."
CART_VALUE = (
    "The value of the goods before any discount, in the shop's currency; at least 0. CART "
    "discounts come off it, and every campaign's minCartValue is compared with it."
)
DELIVERY_CHARGE = (
    "The delivery charge before any discount, in the shop's currency; at least 0, null counts "
    "as 0. DELIVERY discounts come off it."
)


@plain_scalar_input
@strawberry.input(description="A customer's cart, to see which discounts it can get.")
class CartInput:
    customer_id: strawberry.ID = strawberry.field(description=CUSTOMER_ID)
    cart_value: Decimal = strawberry.field(description=CART_VALUE)
    delivery_charge: Optional[Decimal] = strawberry.field(default=Decimal("0"), description=DELIVERY_CHARGE)


@plain_scalar_input
@strawberry.input(description="One campaign's discount for one order.")
class ApplyDiscountInput:
    campaign_id: strawberry.ID = strawberry.field(
        description="The campaign to apply, e.g. from availableDiscounts; NOT_FOUND when it is not one."
    )
    customer_id: strawberry.ID = strawberry.field(description=CUSTOMER_ID)
    cart_value: Decimal = strawberry.field(description=CART_VALUE)
    delivery_charge: Optional[Decimal] = strawberry.field(default=Decimal("0"), description=DELIVERY_CHARGE)
    idempotency_key: Optional[str] = strawberry.field(
        default=None,
        description=(
            "1-255 characters. The same key with the same input returns the first usage "
            "and applies nothing more; with a different input it is IDEMPOTENCY_KEY_REUSED."
        ),
    )


@strawberry.type(description="What applyDiscount answers.")
class ApplyDiscountPayload:
    usage: Optional[DiscountUsage] = strawberry.field(
        description=(
            "The usage recorded; for an idempotencyKey already used with the same input, the one "
            "recorded the first time. Null when there are userErrors."
        )
    )
    user_errors: list[UserError] = strawberry.field(
        description=(
            "Why nothing was applied: every problem with the input, or the first business rule that "
            "failed; empty on success."
        )
    )
