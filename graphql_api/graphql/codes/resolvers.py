"""Coupon code mutations: parse, call the service, map."""

from __future__ import annotations

from ...codes.service import add_codes, generate_codes
from ..errors import user_errors
from ..ids import decode_id
from ..context import Info
from .types import AddCouponCodesInput, CouponCodesPayload, GenerateCouponCodesInput


def _payload(result) -> CouponCodesPayload:
    if isinstance(result, list):
        return CouponCodesPayload(added_count=0, campaign=None, user_errors=user_errors(result))
    from ..campaigns.types import Campaign

    return CouponCodesPayload(added_count=result.count, campaign=Campaign.from_record(result.campaign),
                              user_errors=[])


async def add_coupon_codes_mutation(info: Info, input: AddCouponCodesInput) -> CouponCodesPayload:
    context = info.context
    campaign_pk = decode_id(input.campaign_id, "Campaign")
    result = await add_codes(context.database, campaign_pk, input.codes, input.uses_per_code, context.now,
                              context.caller.name)
    return _payload(result)


async def generate_coupon_codes_mutation(info: Info, input: GenerateCouponCodesInput) -> CouponCodesPayload:
    context = info.context
    campaign_pk = decode_id(input.campaign_id, "Campaign")
    result = await generate_codes(
        context.database, campaign_pk, input.count, input.prefix or "",
        10 if input.random_length is None else input.random_length, input.uses_per_code, context.now,
        context.caller.name)
    return _payload(result)
