"""Checkout queries and the apply mutation: parse, call the service, map."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Optional

import strawberry

from ...access.roles import Permission
from ...core.discounts import Cart
from ...core.discounts import Combination
from ...core.errors import NO_SUCH_CUSTOMER, ErrorCode, NotFound
from ...core.money import ZERO
from ...discounts.apply import ApplyDiscount, apply_discount
from ...discounts.history import customer_usage_page
from ...discounts.checkout import ApplyBestDiscounts, apply_best_discounts
from ...discounts.reversal import ReverseUsage, reverse_usage
from ...discounts.offers import CartQuery, offers_for_cart
from ..errors import user_errors
from ..input_paths import IN_INPUT, InputPaths
from ..ids import decode_id
from ..pagination import Connection, page_request, to_connection
from ..permissions import look_up, require
from ..selection import selects
from .types import (
    ApplyBestDiscountsInput,
    ApplyDiscountInput,
    ApplyDiscountPayload,
    AvailableDiscounts,
    CartInput,
    Checkout,
    CheckoutPayload,
    DiscountReversal,
    DiscountUsage,
    ReverseDiscountUsageInput,
    ReverseDiscountUsagePayload,
)
from ..context import Info


# discountUsages(customerId:): plain arguments, no input object.
_ARGUMENT_PATHS = InputPaths(within=None)


def _cart(cart_value: Decimal, delivery_charge: Optional[Decimal]) -> Cart:
    return Cart(cart_value=cart_value, delivery_charge=ZERO if delivery_charge is None else delivery_charge)


AT = strawberry.argument(description=(
    "Admin keys only: evaluate the rules as if it were this moment (preview a sale's start); usage counts "
    "and budgets stay those of now."))


async def available_discounts(
    info: Info, input: CartInput, at: Annotated[Optional[datetime], AT] = None
) -> AvailableDiscounts:
    context = info.context
    if at is not None:
        require(info, Permission.PREVIEW_OFFERS)
    query = CartQuery(
        customer_id=decode_id(input.customer_id, "Customer"),
        cart=_cart(input.cart_value, input.delivery_charge),
        coupon_codes=tuple(input.coupon_codes or ()),
        order_reference=input.order_reference,
        at=at,
        explain=selects(info, "ineligibleDiscounts"),
    )
    with IN_INPUT.on_refusal():
        offers = await offers_for_cart(context.database, query, context.now, context.zone)
    context.surcharge += context.settings.failed_code_cost * len(offers.rejected_codes)
    return AvailableDiscounts(offers=offers, query=query)


async def discount_usages(
    info: Info, customer_id: strawberry.ID, first: Optional[int] = 20, after: Optional[str] = None
) -> Connection[DiscountUsage]:
    require(info, Permission.READ_USAGES)
    request = page_request(first, after)
    customer_pk = decode_id(customer_id, "Customer")
    with _ARGUMENT_PATHS.on_refusal():
        if customer_pk is None:
            raise NotFound(NO_SUCH_CUSTOMER, field=("customer_id",))
        page = await info.context.database.read(customer_usage_page, customer_pk, request)
    return to_connection(page, DiscountUsage.from_record)


async def discount_usage(info: Info, id: strawberry.ID) -> Optional[DiscountUsage]:
    """One usage by its ID: node(id:)'s lookup, and the contract's discountUsage(id:)."""
    record = await look_up(info, Permission.READ_USAGES, id, "DiscountUsage", "usage_by_id")
    return DiscountUsage.from_record(record) if record is not None else None


async def apply_discount_mutation(info: Info, input: ApplyDiscountInput) -> ApplyDiscountPayload:
    context = info.context
    command = ApplyDiscount(
        campaign_id=decode_id(input.campaign_id, "Campaign"),
        customer_id=decode_id(input.customer_id, "Customer"),
        cart=_cart(input.cart_value, input.delivery_charge),
        idempotency_key=input.idempotency_key,
        api_key_id=context.caller.key_id,
        coupon_code=input.coupon_code,
        order_reference=input.order_reference,
    )
    result = await apply_discount(context.database, command, context.now, context.zone)
    if isinstance(result, list):
        _charge_failed_codes(context, result)
        return ApplyDiscountPayload(usage=None, user_errors=user_errors(result))
    # The transaction held the campaign and the customer: the usage's fields answer from them.
    if result.campaign is not None:
        context.loaders.campaign_by_id.prime(result.campaign.id, result.campaign)
        context.loaders.customer_by_id.prime(result.customer.id, result.customer)
    return ApplyDiscountPayload(usage=DiscountUsage.from_record(result.usage, replayed=result.campaign is None),
                                user_errors=[])


def _charge_failed_codes(context, errors) -> None:
    failed = sum(1 for error in errors if error.code is ErrorCode.INVALID_COUPON_CODE)
    context.surcharge += context.settings.failed_code_cost * failed


async def apply_best_discounts_mutation(info: Info, input: ApplyBestDiscountsInput) -> CheckoutPayload:
    context = info.context
    command = ApplyBestDiscounts(
        customer_id=decode_id(input.customer_id, "Customer"),
        cart=_cart(input.cart_value, input.delivery_charge),
        order_reference=input.order_reference,
        coupon_codes=tuple(input.coupon_codes or ()),
        idempotency_key=input.idempotency_key,
        api_key_id=context.caller.key_id,
    )
    result = await apply_best_discounts(context.database, command, context.now, context.zone)
    if isinstance(result, list):
        _charge_failed_codes(context, result)
        return CheckoutPayload(checkout=None, user_errors=user_errors(result))
    context.surcharge += context.settings.failed_code_cost * len(result.rejected_codes)
    combination = Combination(result.cart_offer, result.delivery_offer)
    return CheckoutPayload(
        checkout=Checkout.build(result.order_reference, result.cart, combination, result.usages,
                                result.rejected_codes, replayed=result.replayed),
        user_errors=[],
    )


async def reverse_discount_usage_mutation(info: Info, input: ReverseDiscountUsageInput) -> ReverseDiscountUsagePayload:
    context = info.context
    command = ReverseUsage(
        usage_id=decode_id(input.usage_id, "DiscountUsage"),
        amount=input.amount,
        reason=input.reason,
        api_key_id=context.caller.key_id,
        idempotency_key=input.idempotency_key,
    )
    result = await reverse_usage(context.database, command, context.now)
    if isinstance(result, list):
        return ReverseDiscountUsagePayload(reversal=None, usage=None, user_errors=user_errors(result))
    if result.campaign is not None:  # as the transaction left it
        context.loaders.campaign_by_id.prime(result.campaign.id, result.campaign)
    context.loaders.usage_by_id.prime(result.usage.id, result.usage)
    return ReverseDiscountUsagePayload(
        reversal=DiscountReversal.from_record(result.reversal),
        usage=DiscountUsage.from_record(result.usage, replayed=result.replayed),
        user_errors=[],
    )


async def discount_reversal(info: Info, id: strawberry.ID) -> Optional[DiscountReversal]:
    """node(id:)'s lookup of a reversal."""
    record = await look_up(info, Permission.READ_USAGES, id, "DiscountReversal", "reversal_by_id")
    return DiscountReversal.from_record(record) if record is not None else None
