"""The core enums, exposed to GraphQL under their own names."""

from enum import Enum
from typing import TypeVar

import strawberry

from ..core.campaigns import CampaignStatus as _CampaignStatus
from ..core.campaigns import DiscountType as _DiscountType

EnumT = TypeVar("EnumT", bound=type[Enum])


def describe_values(enum_type: EnumT, descriptions: dict[str, str]) -> EnumT:
    """Strawberry reads value descriptions from `strawberry.enum_value` in the
    class; the core enums stay plain Python, so they are set on strawberry's
    definition instead. A value left out is a KeyError at import."""
    for value in enum_type.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = descriptions[value.name]
    return enum_type


DiscountType = describe_values(
    strawberry.enum(
        _DiscountType, description="CART discounts the cart value; DELIVERY the delivery charge."
    ),
    {
        "CART": "The discount comes off the cart value.",
        "DELIVERY": "The discount comes off the delivery charge.",
    },
)
CampaignStatus = describe_values(
    strawberry.enum(
        _CampaignStatus,
        description=(
            "The effective status at read time: INACTIVE if paused; else EXPIRED after endDate; "
            "else BUDGET_EXHAUSTED when usedBudget >= totalBudget; else SCHEDULED before "
            "startDate; else ACTIVE."
        ),
    ),
    {
        "SCHEDULED": "Not started: now is before startDate.",
        "ACTIVE": "Offered now, to its targets if it is targeted.",
        "INACTIVE": "Paused (updateCampaign with active: false); usage history shows deleted ones so.",
        "EXPIRED": "Over: now is after endDate.",
        "BUDGET_EXHAUSTED": "usedBudget has reached totalBudget.",
    },
)
