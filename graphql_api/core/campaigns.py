"""What a campaign is, to the business rules: its terms and its effective status."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Optional


class DiscountType(str, enum.Enum):
    CART = "CART"
    DELIVERY = "DELIVERY"


class CampaignStatus(str, enum.Enum):
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    EXPIRED = "EXPIRED"
    BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED"


@dataclass(frozen=True)
class CampaignTerms:
    """The fields of a campaign that the rules read.

    `paused` is set by `active: false`; `deleted` campaigns are gone for every
    purpose but usage history.
    """

    discount_type: DiscountType
    discount_percentage: Optional[Decimal]
    discount_flat: Optional[Decimal]
    start_date: datetime
    end_date: datetime
    total_budget: Decimal
    used_budget: Decimal
    max_usage_per_customer_per_day: int
    min_cart_value: Decimal
    max_discount_amount: Optional[Decimal]
    is_targeted: bool
    paused: bool = False
    deleted: bool = False

    @property
    def remaining_budget(self) -> Decimal:
        return self.total_budget - self.used_budget


def effective_status(terms: CampaignTerms, now: datetime) -> CampaignStatus:
    """The status at `now`, in the contract's order of precedence.

    The SQL twin of this function is `campaigns.selectors.status_expression`;
    a test checks that the two agree at every boundary. A deleted campaign only
    shows up in usage history, where it reads as INACTIVE.
    """
    if terms.paused or terms.deleted:
        return CampaignStatus.INACTIVE
    if now > terms.end_date:
        return CampaignStatus.EXPIRED
    if terms.used_budget >= terms.total_budget:
        return CampaignStatus.BUDGET_EXHAUSTED
    if now < terms.start_date:
        return CampaignStatus.SCHEDULED
    return CampaignStatus.ACTIVE
