"""What a campaign is, to the business rules: its terms and its effective status."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Optional, Union


class DiscountType(str, enum.Enum):
    CART = "CART"
    DELIVERY = "DELIVERY"


class CampaignStatus(str, enum.Enum):
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    EXPIRED = "EXPIRED"
    BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED"


# budgetSlots: 1 is the normal mode, more the hot-campaign mode (core/slots.py).
MIN_BUDGET_SLOTS = 1
MAX_BUDGET_SLOTS = 64


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
    # Offered and applied only with one of its coupon codes.
    requires_code: bool = False
    # Lifetime uses per customer, and uses by everyone together; None: no cap.
    max_usage_per_customer: Optional[int] = None
    max_total_usage: Optional[int] = None
    # Usages that count toward the caps (USAGE_COUNTS), kept on the campaign row.
    usage_count: int = 0
    # The only discount of its order.
    exclusive: bool = False
    # Higher wins a tie between equal discounts, before the older campaign does.
    priority: int = 0

    @property
    def remaining_budget(self) -> Decimal:
        return self.total_budget - self.used_budget


# The rules as data, so that the SQL that filters and finds campaigns is
# rendered from them (campaigns/conditions.py) instead of written twice.
@dataclass(frozen=True)
class Flag:
    """A yes/no fact of the campaign: `paused` or `deleted`."""

    name: str

    def holds(self, terms: CampaignTerms, now: datetime) -> bool:
        return bool(getattr(terms, self.name))


@dataclass(frozen=True)
class NowAfter:
    """`now` is past the date `field`."""

    field: str

    def holds(self, terms: CampaignTerms, now: datetime) -> bool:
        return now > getattr(terms, self.field)


@dataclass(frozen=True)
class NowBefore:
    """`now` is before the date `field`."""

    field: str

    def holds(self, terms: CampaignTerms, now: datetime) -> bool:
        return now < getattr(terms, self.field)


@dataclass(frozen=True)
class Reached:
    """The amount `field` has reached the amount `limit`."""

    field: str
    limit: str

    def holds(self, terms: CampaignTerms, now: datetime) -> bool:
        return getattr(terms, self.field) >= getattr(terms, self.limit)


@dataclass(frozen=True)
class Unset:
    """The optional field `field` holds nothing (no cap)."""

    field: str

    def holds(self, terms: CampaignTerms, now: datetime) -> bool:
        return getattr(terms, self.field) is None


@dataclass(frozen=True)
class Not:
    condition: "Condition"

    def holds(self, terms: CampaignTerms, now: datetime) -> bool:
        return not self.condition.holds(terms, now)


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple["Condition", ...]

    def holds(self, terms: CampaignTerms, now: datetime) -> bool:
        return any(condition.holds(terms, now) for condition in self.conditions)


@dataclass(frozen=True)
class AllOf:
    conditions: tuple["Condition", ...]

    def holds(self, terms: CampaignTerms, now: datetime) -> bool:
        return all(condition.holds(terms, now) for condition in self.conditions)


Condition = Union[Flag, NowAfter, NowBefore, Reached, Unset, Not, AnyOf, AllOf]

# A usage counts toward every limit (daily, lifetime, total, a code's uses,
# an order's one discount per type) until it is fully reversed.
USAGE_COUNTS: Condition = Not(Reached("reversed_amount", "discount_amount"))

# A deleted campaign is gone for every purpose but usage history.
NOT_DELETED: Condition = Not(Flag("deleted"))

# The status, in the contract's order of precedence: the first rule that
# holds; ACTIVE when none does. A deleted campaign only shows up in usage
# history, where it reads as INACTIVE.
STATUS_RULES: tuple[tuple[CampaignStatus, Condition], ...] = (
    (CampaignStatus.INACTIVE, AnyOf((Flag("paused"), Flag("deleted")))),
    (CampaignStatus.EXPIRED, NowAfter("end_date")),
    (CampaignStatus.BUDGET_EXHAUSTED, Reached("used_budget", "total_budget")),
    (CampaignStatus.SCHEDULED, NowBefore("start_date")),
)
OTHERWISE = CampaignStatus.ACTIVE

# Live now, budget aside: the campaigns an offer can come from. In this order
# it renders as the predicate of the live-window index (migration 0001).
LIVE_WINDOW: Condition = AllOf((NOT_DELETED, Not(Flag("paused")), Not(NowBefore("start_date")),
                                Not(NowAfter("end_date"))))


# Room for one more usage under maxTotalUsage (the apply's guard under the
# campaign's lock is rendered from it).
ROOM_UNDER_TOTAL_CAP: Condition = AnyOf((Unset("max_total_usage"), Not(Reached("usage_count", "max_total_usage"))))

# Not deleted and not over: the campaigns a cart may be told about, offered or
# not (a paused or scheduled one is explained, an expired one never).
NOT_OVER: Condition = AllOf((NOT_DELETED, Not(NowAfter("end_date"))))


def effective_status(terms: CampaignTerms, now: datetime) -> CampaignStatus:
    """The status at `now`, by STATUS_RULES (which the SQL is rendered from;
    a test checks that the two agree at every boundary)."""
    for status, condition in STATUS_RULES:
        if condition.holds(terms, now):
            return status
    return OTHERWISE
