"""Hot-campaign mode: a campaign's budget handed out to slot rows, so that
concurrent applies each lock one slot instead of the campaign's one row.

The campaign row stays the pool. What it lends to its slots counts there as
used (so its own checks keep holding), and what the slots still hold is
given back when they are collected: the campaign's true used budget is the
pool's minus what its slots hold, and its usage count likewise. An apply
spends only from one slot; one that finds no slot with enough takes the
campaign's lock, collects every slot back into the pool, decides and
records there, and lends again (discounts/apply.py). These are the lending
rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Optional

from .campaigns import MIN_BUDGET_SLOTS
from .ledger import BUDGET_THRESHOLDS, threshold_reached
from .money import CENT, ZERO


@dataclass(frozen=True)
class Lease:
    """What each slot is lent: an amount of money and a number of uses."""

    budgets: tuple[Decimal, ...]
    uses: tuple[int, ...]


def lendable_budget(used_budget: Decimal, total_budget: Decimal) -> Decimal:
    """The most the slots may spend before the next budget threshold (or the
    last cent) is reached: so that every threshold, and the exhaustion, is
    crossed under the campaign's lock, where the true used budget is known
    and the crossing is recorded once."""
    for threshold in BUDGET_THRESHOLDS:
        boundary = (total_budget * threshold / 100).quantize(CENT, rounding=ROUND_CEILING)
        if used_budget < boundary:
            return max(boundary - used_budget - CENT, ZERO)
    return ZERO


def gives_back_to_the_pool(pool_used: Decimal, true_used: Decimal, amount: Decimal, total_budget: Decimal,
                           pool_count: int, frees_use: bool) -> bool:
    """Whether a reversal of `amount` (and of a use, with `frees_use`) may go
    straight back to the pool, the slots left as they are. The slots can take
    the true used budget up to the pool's figure at most; when both fall back
    into the same band between thresholds, no threshold lies in between for
    the slots to cross without the campaign's lock. And the pool must hold the
    use it gives back: without a maxTotalUsage the slots count their uses
    below 0, and the pool may count none. Otherwise the reversal collects and
    lends again, so that the next crossing is recorded. (`true_used` may have
    grown since it was read, which only narrows the gap.)"""
    if frees_use and pool_count < 1:
        return False
    return threshold_reached(true_used - amount, total_budget) == threshold_reached(pool_used - amount, total_budget)


def _split_cents(amount: Decimal, parts: int) -> tuple[Decimal, ...]:
    each = (amount / parts).quantize(CENT, rounding=ROUND_FLOOR)
    extra = int((amount - each * parts) / CENT)  # the cents left over go to the first slots
    return tuple(each + CENT if n < extra else each for n in range(parts))


def _split_uses(uses: int, parts: int) -> tuple[int, ...]:
    each, extra = divmod(uses, parts)
    return tuple(each + 1 if n < extra else each for n in range(parts))


def lease(slots: int, used_budget: Decimal, total_budget: Decimal, usage_count: int,
          max_total_usage: Optional[int], deleted: bool = False, unit: Optional[Decimal] = None) -> Lease:
    """What each of `slots` slots is lent from a pool that holds everything
    back (none lent out). Uses are lent only under a maxTotalUsage; without
    one a slot starts at 0 and counts its uses below it. A deleted campaign
    lends nothing. With `unit` (the discount of the apply that asks), the
    money goes to as many slots as can each hold one such discount, so that
    a little left before a threshold still serves applies from a slot."""
    if slots <= MIN_BUDGET_SLOTS or deleted:
        return Lease((ZERO,) * slots, (0,) * slots)
    lendable = lendable_budget(used_budget, total_budget)
    parts = slots if unit is None or unit <= ZERO else max(1, min(slots, int(lendable // unit)))
    idle = slots - parts
    budgets = _split_cents(lendable, parts) + (ZERO,) * idle
    uses = _split_uses(max(max_total_usage - usage_count, 0), parts) + (0,) * idle \
        if max_total_usage is not None else (0,) * slots
    return Lease(budgets, uses)
