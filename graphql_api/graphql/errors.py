"""Typed `userErrors` in mutation payloads (the engine formats top-level
errors: engine/errors.py)."""

from __future__ import annotations

from typing import Iterable, Optional

import strawberry

from ..core.errors import ErrorCode
from ..core.errors import UserError as DomainUserError
from .enums import describe_values
from .input_paths import IN_INPUT, InputPaths

UserErrorCode = describe_values(
    strawberry.enum(ErrorCode, name="UserErrorCode", description="Why a mutation refused its input."),
    {
        "INVALID_INPUT": "A value breaks an input rule (a length, a range, a required value).",
        "NOT_FOUND": "An ID that names no existing object of the type expected; deleted campaigns too.",
        "EMAIL_TAKEN": "Another customer has this email, ignoring case.",
        "CAMPAIGN_NOT_ACTIVE": "The campaign is paused, not started yet (see startDate) or over (endDate).",
        "BUDGET_EXHAUSTED": "The campaign's usedBudget has reached its totalBudget.",
        "MIN_CART_VALUE_NOT_MET": "cartValue is below the campaign's minCartValue.",
        "NOT_TARGETED": "The campaign is targeted, and the customer is not one of its targets.",
        "DAILY_LIMIT_REACHED": "The customer used the campaign maxUsagePerCustomerPerDay times today.",
        "NOTHING_TO_DISCOUNT": "The value the discount comes off (cart value or delivery charge) is zero.",
        "IDEMPOTENCY_KEY_REUSED": "The idempotencyKey was used before with a different input.",
        "INVALID_COUPON_CODE": "The coupon code reaches nothing this customer can use now: unknown, used up, "
                               "of a paused, expired or deleted campaign, or of one targeted at others (one "
                               "answer for all).",
        "CUSTOMER_LIMIT_REACHED": "The customer used the campaign maxUsagePerCustomer times.",
        "TOTAL_USAGE_LIMIT_REACHED": "The campaign was used maxTotalUsage times by all customers together.",
        "NOT_COMBINABLE": "The order already holds a discount of this type or an exclusive one, or the campaign is "
                          "exclusive and the order holds another discount.",
        "CODE_TAKEN": "A code exists already, on this or another campaign (the message names them).",
        "NO_DISCOUNT_APPLIES": "applyBestDiscounts found no discount for the cart; nothing was written.",
        "REVERSAL_EXCEEDS_USAGE": "The amount is more than the usage's netDiscountAmount (the message says how much "
                                  "is left; nothing when it is fully reversed).",
        "EXTERNAL_ID_TAKEN": "Another customer has this externalId.",
    },
)


@strawberry.type(description="A problem with a mutation's input or with a business rule; nothing was written.")
class UserError:
    field: Optional[list[str]] = strawberry.field(
        description='Path into the input, e.g. ["input", "endDate"]; null when no single field is at fault.'
    )
    code: UserErrorCode = strawberry.field(description="What went wrong; branch on this, not on message.")
    message: str = strawberry.field(description="A sentence for people, in English; it may change.")


def user_errors(errors: Iterable[DomainUserError], paths: InputPaths = IN_INPUT) -> list[UserError]:
    """The domain's problems, each with the path into the operation's
    arguments of the field it names."""
    return [
        UserError(field=paths.path(error.field) if error.field is not None else None, code=error.code,
                  message=error.message)
        for error in errors
    ]
