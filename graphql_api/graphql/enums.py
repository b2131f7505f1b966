"""The core enums, exposed to GraphQL under their own names."""

import strawberry

from ..core.campaigns import CampaignStatus as _CampaignStatus
from ..core.campaigns import DiscountType as _DiscountType

DiscountType = strawberry.enum(
    _DiscountType, description="CART discounts the cart value; DELIVERY the delivery charge."
)
CampaignStatus = strawberry.enum(
    _CampaignStatus,
    description=(
        "The effective status at read time: INACTIVE if paused; else EXPIRED after endDate; "
        "else BUDGET_EXHAUSTED when usedBudget >= totalBudget; else SCHEDULED before "
        "startDate; else ACTIVE."
    ),
)
