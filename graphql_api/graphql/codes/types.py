from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Optional

import strawberry

from ...codes.service import CodeRecord
from ..errors import UserError

if TYPE_CHECKING:
    from ..campaigns.types import Campaign

LazyCampaign = Annotated["Campaign", strawberry.lazy("graphql_api.graphql.campaigns.types")]

USES_PER_CODE = "How many usages each code allows, at least 1; null for unlimited. Default 1."


@strawberry.type(description="A coupon code of a campaign with requiresCode.")
class CouponCode:
    code: str = strawberry.field(description="Stored upper-case; matched without regard to case.")
    uses_per_code: Optional[int] = strawberry.field(description="How many usages it allows; null for unlimited.")
    usage_count: int = strawberry.field(description="Usages resting on it that are not fully reversed.")
    created_at: datetime = strawberry.field(description="When it was added or generated.")

    @classmethod
    def from_record(cls, record: CodeRecord) -> "CouponCode":
        return cls(code=record.code, uses_per_code=record.uses_per_code, usage_count=record.usage_count,
                   created_at=record.created_at)


@strawberry.input(description="Codes chosen by the shop, added to a campaign.")
class AddCouponCodesInput:
    campaign_id: strawberry.ID = strawberry.field(description="The campaign; NOT_FOUND when it is not one.")
    codes: list[str] = strawberry.field(
        description=(
            "1 to 1000 codes, each 4-64 characters of A-Z, 0-9, - and _, stored upper-case; unique across the "
            "service (CODE_TAKEN names those that exist), and not repeated in one call."
        )
    )
    uses_per_code: Optional[int] = strawberry.field(default=1, description=USES_PER_CODE)


@strawberry.input(description="Random codes made by the service, in one call.")
class GenerateCouponCodesInput:
    campaign_id: strawberry.ID = strawberry.field(description="The campaign; NOT_FOUND when it is not one.")
    count: int = strawberry.field(description="1 to 100000 codes.")
    prefix: Optional[str] = strawberry.field(default="", description="0 to 16 characters of A-Z, 0-9 and -.")
    random_length: Optional[int] = strawberry.field(
        default=10,
        description=(
            "8 to 32 random characters after the prefix, from A-Z and 2-9 without the look-alikes O, I, 0 "
            "and 1 (5 bits each)."
        ),
    )
    uses_per_code: Optional[int] = strawberry.field(default=1, description=USES_PER_CODE)


@strawberry.type(description="What addCouponCodes and generateCouponCodes answer.")
class CouponCodesPayload:
    added_count: int = strawberry.field(description="How many codes were added; 0 with userErrors.")
    campaign: Optional[LazyCampaign] = strawberry.field(description="The campaign; null with userErrors.")
    user_errors: list[UserError] = strawberry.field(
        description="Every problem found; empty on success. When there are any, no code was added."
    )
