from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Optional

import strawberry

from ..enums import DiscountType, describe_values
from ...core.discounts import HIDDEN, Cart, Combination, Ineligibility, Reason
from ...core.errors import InvalidInput
from ...core.money import ZERO
from ...discounts.offers import CartQuery
from ...discounts.records import AvailableOffers, Offer, UsageRecord
from ...discounts.reversal import ReversalRecord
from ..cost_directives import ListSize
from ..errors import UserError
from ..ids import encode_id
from ..inputs import plain_scalar_input
from ..node import Node
from ..context import Info

if TYPE_CHECKING:
    from ..campaigns.types import Campaign
    from ..customers.types import Customer

# The cost analysis's guess at a usage's reversals: a refund, or a return in a few parts.
REVERSALS_SIZE = ListSize(assumed_size=3, require_one_slicing_argument=False)

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
        description="The discount given, in the shop's currency, when it was applied; netDiscountAmount is what "
                    "still counts toward the campaign's usedBudget after reversals."
    )
    final_amount: Decimal = strawberry.field(
        description=(
            "originalAmount - discountAmount, in the shop's currency: what was left to pay of that value."
        )
    )
    used_at: datetime = strawberry.field(
        description="When the discount was applied; the daily limit counts usages by its business day."
    )
    order_reference: Optional[str] = strawberry.field(
        description="The shop's order or checkout id the discount was applied to; null when none was given."
    )
    coupon_code: Optional[str] = strawberry.field(
        description="The coupon code the discount rests on (upper-case), for a campaign with requiresCode."
    )
    reversed_amount: Decimal = strawberry.field(
        description="What reverseDiscountUsage gave back of discountAmount so far; \"0.00\" when nothing."
    )
    net_discount_amount: Decimal = strawberry.field(
        description="discountAmount - reversedAmount: what the discount still costs the budget, and the most a "
                    "further reversal may give back."
    )
    is_fully_reversed: bool = strawberry.field(
        description="reversedAmount = discountAmount: the usage no longer counts toward any limit, code or "
                    "usageCount. A partly reversed usage still does."
    )
    replayed: bool = strawberry.field(
        description="True when this answer is an idempotent replay: the usage was recorded by an earlier "
                    "request with the same idempotencyKey, and nothing was written now."
    )
    pk: strawberry.Private[int]
    campaign_pk: strawberry.Private[int]
    customer_pk: strawberry.Private[int]

    @classmethod
    def from_record(cls, record: UsageRecord, replayed: bool = False) -> "DiscountUsage":
        return cls(
            order_reference=record.order_reference,
            coupon_code=record.coupon_code,
            reversed_amount=record.reversed_amount,
            net_discount_amount=record.net_discount_amount,
            is_fully_reversed=record.is_fully_reversed,
            replayed=replayed,
            pk=record.id,
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

    @strawberry.field(description="Every reversal of this usage, oldest first; empty when none.",
                      directives=[REVERSALS_SIZE])
    async def reversals(self, info: Info) -> list["DiscountReversal"]:
        records = await info.context.loaders.reversals_by_usage_id.load(self.pk)
        return [DiscountReversal.from_record(record) for record in records]


@strawberry.type(description="Money given back from a usage to its campaign's budget (a refund); never edited.")
class DiscountReversal(Node):
    id: strawberry.ID = strawberry.field(description="Opaque; give it to node.")
    amount: Decimal = strawberry.field(description="What was given back, in the shop's currency; greater than 0.")
    reason: str = strawberry.field(description="Why, as the caller gave it (trimmed).")
    reversed_at: datetime = strawberry.field(description="When the reversal was recorded.")
    usage_pk: strawberry.Private[int]

    @classmethod
    def from_record(cls, record: ReversalRecord) -> "DiscountReversal":
        return cls(id=strawberry.ID(encode_id("DiscountReversal", record.id)), amount=record.amount,
                   reason=record.reason, reversed_at=record.reversed_at, usage_pk=record.usage_id)

    @strawberry.field(description="The usage it reversed, as it is now.")
    async def usage(self, info: Info) -> DiscountUsage:
        return DiscountUsage.from_record(await info.context.loaders.usage_by_id.load(self.usage_pk))


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
    uses_left_today: int = strawberry.field(
        description="How many more times the customer may use the campaign today once this cart has: under "
                    "maxUsagePerCustomerPerDay."
    )
    uses_left: Optional[int] = strawberry.field(
        description="How many more times the customer may use the campaign once this cart has, under "
                    "maxUsagePerCustomer; null when it has no lifetime cap."
    )
    resets_at: datetime = strawberry.field(
        description="When usesLeftToday refills: the next midnight of the business time zone."
    )
    coupon_code: Optional[str] = strawberry.field(
        description="The cart's coupon code this offer rests on (upper-case), for a campaign with requiresCode."
    )

    @classmethod
    def from_offer(cls, offer: Offer, is_best: bool) -> "DiscountOffer":
        from ..campaigns.types import Campaign

        allowance = offer.allowance
        return cls(
            campaign=Campaign.from_record(offer.campaign),
            discount_type=offer.campaign.terms.discount_type,
            discount_amount=offer.discount.discount_amount,
            final_amount=offer.discount.final_amount,
            is_best=is_best,
            savings=offer.savings,
            uses_left_today=allowance.uses_left_today,
            uses_left=allowance.uses_left,
            resets_at=offer.standing.day_ends_at,
            coupon_code=offer.coupon_code,
        )


IneligibilityCode = describe_values(
    strawberry.enum(
        enum.Enum("IneligibilityCode", {kind.value: kind.value for kind in Ineligibility if kind not in HIDDEN}),
        name="IneligibilityCode", description="A rule a campaign fails for this cart.",
    ),
    {
        "PAUSED": "The campaign is paused (active: false).",
        "BUDGET_EXHAUSTED": "usedBudget has reached totalBudget.",
        "NOT_STARTED": "now is before startDate; startsAt tells when it starts.",
        "MIN_CART_VALUE_NOT_MET": "cartValue is below minCartValue; shortfall is the difference.",
        "DAILY_LIMIT_REACHED": "The customer used it maxUsagePerCustomerPerDay times today; resetsAt tells when "
                               "that starts again.",
        "CUSTOMER_LIMIT_REACHED": "The customer used it maxUsagePerCustomer times in all.",
        "TOTAL_USAGE_LIMIT_REACHED": "All customers together used it maxTotalUsage times.",
        "NOT_COMBINABLE": "The order already holds a discount of this type, or an exclusive one, or this campaign "
                          "is exclusive and the order holds another discount.",
        "NOTHING_TO_DISCOUNT": "The value the discount comes off (cart value or delivery charge) is zero.",
    },
)


@strawberry.type(description="One rule a campaign fails for this cart, with the figures that explain it.")
class IneligibilityReason:
    code: IneligibilityCode = strawberry.field(description="The rule; branch on this, not on message.")
    message: str = strawberry.field(description="A sentence for people, in English; it may change.")
    shortfall: Optional[Decimal] = strawberry.field(
        description="MIN_CART_VALUE_NOT_MET: minCartValue - cartValue, in the shop's currency; else null.")
    used: Optional[int] = strawberry.field(
        description="The uses counted against the limit (DAILY_, CUSTOMER_, TOTAL_USAGE_LIMIT_REACHED); else null.")
    limit: Optional[int] = strawberry.field(description="The limit reached, with used; else null.")
    resets_at: Optional[datetime] = strawberry.field(
        description="DAILY_LIMIT_REACHED: the next business midnight, when the daily count starts again; else null.")
    starts_at: Optional[datetime] = strawberry.field(description="NOT_STARTED: the campaign's startDate; else null.")

    @classmethod
    def from_reason(cls, reason: Reason) -> "IneligibilityReason":
        return cls(code=IneligibilityCode[reason.kind.value], message=reason.message, shortfall=reason.shortfall,
                   used=reason.used, limit=reason.limit, resets_at=reason.resets_at, starts_at=reason.starts_at)


@strawberry.type(description="A campaign this customer can see that gives this cart nothing, and why.")
class IneligibleDiscount:
    campaign: LazyCampaign = strawberry.field(description="The campaign.")
    reasons: list[IneligibilityReason] = strawberry.field(
        description="Every rule the campaign fails for this cart, not only the first.")


# The most offers (or explanations) one list returns.
MAX_OFFERS = 100
OFFER_LIST_SIZE = ListSize(slicing_arguments=["first"], assumed_size=MAX_OFFERS, require_one_slicing_argument=False)
FirstOffers = Annotated[Optional[int], strawberry.argument(
    description="How many, best first: 0 to 100; null means 100. The best ones are chosen among all.")]


def _bounded(first: Optional[int]) -> int:
    """`first` as the contract has it: 0-100, null meaning the default."""
    if first is None:
        return MAX_OFFERS
    if not 0 <= first <= MAX_OFFERS:
        raise InvalidInput(f"`first` must be between 0 and {MAX_OFFERS}.", field=("first",))
    return first


@strawberry.type(description="What applyBestDiscounts applies (or, in bestCombination, would apply now).")
class Checkout:
    order_reference: Optional[str] = strawberry.field(description="The order the discounts are (or would be) on.")
    cart_value: Decimal = strawberry.field(description="The cart value given, in the shop's currency.")
    delivery_charge: Decimal = strawberry.field(description="The delivery charge given, in the shop's currency.")
    cart_discount: Optional[DiscountOffer] = strawberry.field(
        description="The CART discount of the combination; null when it has none.")
    delivery_discount: Optional[DiscountOffer] = strawberry.field(
        description="The DELIVERY discount of the combination; null when it has none.")
    usages: list[DiscountUsage] = strawberry.field(
        description="The usages recorded, one per discount; empty in bestCombination, which writes nothing.")
    total_discount: Decimal = strawberry.field(description="The discounts together, in the shop's currency.")
    total_payable: Decimal = strawberry.field(description="cartValue + deliveryCharge - totalDiscount.")
    rejected_coupon_codes: list[str] = strawberry.field(
        description="The cart's codes, as sent, that reach nothing this customer can use now (one verdict for "
                    "unknown, used-up, expired and other customers' codes).")

    @classmethod
    def build(cls, order_reference: Optional[str], cart: Cart, combination: Combination[Offer],
              usages: list[UsageRecord], rejected_codes: list[str], replayed: bool = False) -> "Checkout":
        offers = combination.offers
        total = sum((offer.discount.discount_amount for offer in offers), ZERO)
        return cls(
            order_reference=order_reference, cart_value=cart.cart_value, delivery_charge=cart.delivery_charge,
            cart_discount=DiscountOffer.from_offer(combination.cart, True) if combination.cart else None,
            delivery_discount=DiscountOffer.from_offer(combination.delivery, True) if combination.delivery else None,
            usages=[DiscountUsage.from_record(usage, replayed) for usage in usages],
            total_discount=total, total_payable=cart.payable_after(total),
            rejected_coupon_codes=rejected_codes,
        )


@strawberry.type(description="Every discount a cart can get now, best first per type, and why others do not apply.")
class AvailableDiscounts:
    offers: strawberry.Private[AvailableOffers]
    query: strawberry.Private[CartQuery]

    @strawberry.field(description="Offers of CART campaigns, on the cart value; best first.",
                      directives=[OFFER_LIST_SIZE])
    def cart_discounts(self, first: FirstOffers = MAX_OFFERS) -> list[DiscountOffer]:
        return _offers(self.offers.cart, _bounded(first))

    @strawberry.field(description="Offers of DELIVERY campaigns, on the delivery charge; best first.",
                      directives=[OFFER_LIST_SIZE])
    def delivery_discounts(self, first: FirstOffers = MAX_OFFERS) -> list[DiscountOffer]:
        return _offers(self.offers.delivery, _bounded(first))

    @strawberry.field(description="The first of cartDiscounts, chosen among all offers; null when there is none.")
    def best_cart_discount(self) -> Optional[DiscountOffer]:
        return DiscountOffer.from_offer(self.offers.cart[0], True) if self.offers.cart else None

    @strawberry.field(description="The first of deliveryDiscounts, chosen among all offers; null when there is none.")
    def best_delivery_discount(self) -> Optional[DiscountOffer]:
        return DiscountOffer.from_offer(self.offers.delivery[0], True) if self.offers.delivery else None

    @strawberry.field(
        description=(
            "Campaigns this customer can see (untargeted or targeted at them, a requiresCode one only with a "
            "usable code in the cart), not deleted or over, that the cart does not get, each with every failing "
            "rule; oldest first."
        ),
        directives=[OFFER_LIST_SIZE],
    )
    def ineligible_discounts(self, first: FirstOffers = MAX_OFFERS) -> list[IneligibleDiscount]:
        from ..campaigns.types import Campaign

        return [IneligibleDiscount(campaign=Campaign.from_record(item.campaign),
                                   reasons=[IneligibilityReason.from_reason(r) for r in item.reasons])
                for item in self.offers.ineligible[:_bounded(first)]]

    @strawberry.field(
        description=(
            "The cart's codes, as sent, that reach nothing this customer can use now: unknown, used up, of a "
            "paused, expired or deleted campaign, or of a campaign targeted at others, all alike."
        )
    )
    def rejected_coupon_codes(self) -> list[str]:
        return self.offers.rejected_codes

    @strawberry.field(description="What applyBestDiscounts would apply now (nothing is written); null when nothing.")
    def best_combination(self) -> Optional[Checkout]:
        combination = self.offers.best_combination
        if not combination.offers:
            return None
        return Checkout.build(self.query.order_reference, self.query.cart, combination, [],
                              self.offers.rejected_codes)


def _offers(ranked: list[Offer], first: int) -> list[DiscountOffer]:
    return [DiscountOffer.from_offer(offer, n == 0) for n, offer in enumerate(ranked[:first])]


CUSTOMER_ID = "The customer's ID; NOT_FOUND when it is not one."
CART_VALUE = (
    "The value of the goods before any discount, in the shop's currency; at least 0. CART "
    "discounts come off it, and every campaign's minCartValue is compared with it."
)
DELIVERY_CHARGE = (
    "The delivery charge before any discount, in the shop's currency; at least 0, null counts "
    "as 0. DELIVERY discounts come off it."
)


COUPON_CODES = (
    "At most 5 coupon codes, each 4-64 characters of A-Z, 0-9, - and _, matched without regard to case. A "
    "campaign with requiresCode is offered only with one of its codes that is not used up."
)
ORDER_REFERENCE = (
    "The shop's order or checkout id, 1-255 characters: an order holds one CART and one DELIVERY discount "
    "at most, and an exclusive one alone."
)


@strawberry.input(description="A customer's cart, to see which discounts it can get.")
class CartInput:
    customer_id: strawberry.ID = strawberry.field(description=CUSTOMER_ID)
    cart_value: Decimal = strawberry.field(description=CART_VALUE)
    delivery_charge: Optional[Decimal] = strawberry.field(default=Decimal("0"), description=DELIVERY_CHARGE)
    coupon_codes: Optional[list[str]] = strawberry.field(default_factory=list, description=COUPON_CODES)
    order_reference: Optional[str] = strawberry.field(
        default=None, description=ORDER_REFERENCE + " Given, offers the order cannot take are explained instead.")


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
    coupon_code: Optional[str] = strawberry.field(
        default=None,
        description=(
            "For a campaign with requiresCode: one of its codes, matched without regard to case; "
            "INVALID_COUPON_CODE (one answer for unknown, used-up, expired and other customers' codes) "
            "otherwise. Other campaigns ignore it."
        ),
    )
    order_reference: Optional[str] = strawberry.field(default=None, description=ORDER_REFERENCE)


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


@strawberry.input(description="A cart to get the best combination of discounts for, applied in one transaction.")
class ApplyBestDiscountsInput:
    customer_id: strawberry.ID = strawberry.field(description=CUSTOMER_ID)
    cart_value: Decimal = strawberry.field(description=CART_VALUE)
    delivery_charge: Optional[Decimal] = strawberry.field(default=Decimal("0"), description=DELIVERY_CHARGE)
    coupon_codes: Optional[list[str]] = strawberry.field(default_factory=list, description=COUPON_CODES)
    order_reference: str = strawberry.field(description=ORDER_REFERENCE)
    idempotency_key: Optional[str] = strawberry.field(
        default=None,
        description=(
            "1-255 characters. The same key with the same input returns the first checkout and applies "
            "nothing more; with a different input it is IDEMPOTENCY_KEY_REUSED."
        ),
    )


@strawberry.type(description="What applyBestDiscounts answers.")
class CheckoutPayload:
    checkout: Optional[Checkout] = strawberry.field(
        description="What was applied; for a replayed idempotencyKey, the first checkout. Null with userErrors.")
    user_errors: list[UserError] = strawberry.field(
        description=(
            "Why nothing was applied: problems with the input, or NO_DISCOUNT_APPLIES (with an "
            "INVALID_COUPON_CODE entry per rejected code); empty on success."
        )
    )


@strawberry.input(description="Money to give back from a usage to its campaign's budget, e.g. for a refund.")
class ReverseDiscountUsageInput:
    usage_id: strawberry.ID = strawberry.field(
        description="The usage, e.g. from applyDiscount; NOT_FOUND when it is not one.")
    amount: Optional[Decimal] = strawberry.field(
        default=None,
        description="Greater than 0, at most the usage's netDiscountAmount (REVERSAL_EXCEEDS_USAGE otherwise); "
                    "left out (or null), all that is not reversed yet.")
    reason: str = strawberry.field(
        description="Why, for the record: 1 to 255 characters after trimming. It can never be edited or erased, "
                    "so write no personal data into it.")
    idempotency_key: Optional[str] = strawberry.field(
        default=None,
        description="1-255 characters. The same key with the same input returns the first reversal and gives "
                    "back nothing more; with a different input it is IDEMPOTENCY_KEY_REUSED.")


@strawberry.type(description="What reverseDiscountUsage answers.")
class ReverseDiscountUsagePayload:
    reversal: Optional[DiscountReversal] = strawberry.field(
        description="The reversal recorded; for a replayed idempotencyKey, the first one. Null with userErrors.")
    usage: Optional[DiscountUsage] = strawberry.field(
        description="The usage after the reversal (usage.replayed is true on a replay). Null with userErrors.")
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was reversed; empty on success. When there are any, nothing was written.")
