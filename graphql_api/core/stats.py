"""What a campaign's figures mean: the average, the burn rate's window, and
when the budget runs out at that rate."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from .errors import InvalidInput
from .money import ZERO, round_to_cents

# The burn rate is the net discount of the usages of this last stretch.
BURN_WINDOW = timedelta(hours=1)
MAX_DAYS = 366


def average_discount(total: Decimal, usages: int) -> Decimal:
    """Half-up to cents; 0.00 without usages."""
    return round_to_cents(total / usages) if usages else ZERO


def projected_exhaustion(remaining: Decimal, burn_per_hour: Decimal, now: datetime,
                         end_date: datetime) -> Optional[datetime]:
    """When the remaining budget is gone at the last hour's rate; None when
    nothing burns, or when the campaign ends first."""
    if burn_per_hour <= ZERO:
        return None
    # In whole microseconds, from the exact quotient: no float in between.
    microseconds = (remaining * 3_600_000_000 / burn_per_hour).to_integral_value(rounding=ROUND_HALF_UP)
    at = now + timedelta(microseconds=int(microseconds))
    return at if at <= end_date else None


def check_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be 1 to {MAX_DAYS}.", field=("days",))
    return days
