"""The ledger's rules: what a reversal may give back, and the budget
thresholds a change of the used budget crosses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Optional, Union

from .campaigns import USAGE_COUNTS
from .errors import ErrorCode, UserError
from .money import MoneyError, ZERO, format_amount, parse_amount
from .validation import reason_errors

# Percent of totalBudget that usedBudget reaches: each is recorded once per
# crossing upward (a reversal that drops below one re-arms it).
BUDGET_THRESHOLDS = (50, 80, 95, 100)


def net_amount(discount_amount: Decimal, reversed_amount: Decimal) -> Decimal:
    """What a usage still costs its campaign's budget, and the most a further reversal gives back."""
    return discount_amount - reversed_amount


def fully_reversed(discount_amount: Decimal, reversed_amount: Decimal) -> bool:
    """The usage no longer counts toward any limit (the negation of core.campaigns.USAGE_COUNTS)."""
    usage = SimpleNamespace(discount_amount=discount_amount, reversed_amount=reversed_amount)
    return not USAGE_COUNTS.holds(usage, datetime.min)  # the rule reads no clock


def reversal_input_errors(amount: Optional[Decimal], reason: str) -> list[UserError]:
    """What the input alone decides, before any row is read."""
    errors = []
    if amount is not None:
        try:
            parsed = parse_amount(amount)
        except MoneyError as error:
            errors.append(UserError(ErrorCode.INVALID_INPUT, f"The amount {error}.", ("amount",)))
        else:
            if parsed <= ZERO:
                errors.append(UserError(ErrorCode.INVALID_INPUT, "The amount must be greater than 0.", ("amount",)))
    return errors + reason_errors(reason)


@dataclass(frozen=True)
class ReversalDecision:
    amount: Decimal
    # The usage stops counting toward every limit and count (USAGE_COUNTS).
    frees_usage: bool


def decide_reversal(discount_amount: Decimal, reversed_amount: Decimal,
                    requested: Optional[Decimal]) -> Union[ReversalDecision, UserError]:
    """Give back `requested` (all that is left when None), never more than
    the usage's net amount."""
    net = net_amount(discount_amount, reversed_amount)
    amount = net if requested is None else requested
    if amount <= ZERO or amount > net:
        message = (f"At most {format_amount(net)} of this usage can still be reversed." if net > ZERO
                   else "This usage is fully reversed: nothing is left to reverse.")
        # Named by what was too much: the amount given, or the usage itself.
        return UserError(ErrorCode.REVERSAL_EXCEEDS_USAGE, message,
                         ("amount",) if requested is not None else ("usage_id",))
    return ReversalDecision(amount, frees_usage=fully_reversed(discount_amount, reversed_amount + amount))


def threshold_reached(used_budget: Decimal, total_budget: Decimal) -> int:
    """The highest threshold `used_budget` has reached (0 below the first)."""
    return max((t for t in BUDGET_THRESHOLDS if used_budget * 100 >= total_budget * t), default=0)


def thresholds_crossed(used_before: Decimal, total_before: Decimal,
                       used_after: Decimal, total_after: Decimal) -> list[int]:
    """The thresholds a change crossed upward, lowest first. Every change of
    the used or total budget happens under the campaign's row lock, so each
    crossing is seen by exactly one transaction."""
    before = threshold_reached(used_before, total_before)
    after = threshold_reached(used_after, total_after)
    return [t for t in BUDGET_THRESHOLDS if before < t <= after]
