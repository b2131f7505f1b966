"""Hot-campaign mode in SQL (the lending rules are core/slots.py's): the
true used budget and usage count, collecting the slots back into the pool,
and lending to them again.

Lock order: a campaign's slots are locked after its row (by slot number),
by whoever locks more than one. An apply that spends from one slot takes a
free one with SKIP LOCKED, or waits for one while it holds no other, so it
joins no cycle."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator, Optional, Sequence

from sqlalchemy import ARRAY, BigInteger, Integer, bindparam, case, func, select, text
from sqlalchemy.engine import Connection

from ..core.slots import lease
from .models import Campaign, CampaignBudgetSlot, Money


def _held_by_slots(column):
    return (select(func.coalesce(func.sum(column), 0))
            .where(CampaignBudgetSlot.campaign_id == Campaign.id)
            .correlate(Campaign)
            .scalar_subquery())


# What a campaign has really used: the pool's figure less what its slots
# still hold. Only campaigns in slot mode read the slots.
USED_BUDGET = case((Campaign.budget_slots == 1, Campaign.used_budget),
                   else_=Campaign.used_budget - _held_by_slots(CampaignBudgetSlot.budget)).label("used_budget")
USAGE_COUNT = case((Campaign.budget_slots == 1, Campaign.usage_count),
                   else_=Campaign.usage_count - _held_by_slots(CampaignBudgetSlot.uses)).label("usage_count")

_TRUE_USED = select(USED_BUDGET).where(Campaign.id == bindparam("campaign_id"))


def true_used_budget(connection: Connection, campaign_id: int) -> Decimal:
    """USED_BUDGET of one campaign whose row this transaction has locked, in
    a statement of its own: a statement that waited for that lock sees the
    row as its holder left it but the slots as they were before, so it would
    pair a pool just lent anew with the slots before the lending."""
    return connection.execute(_TRUE_USED, {"campaign_id": campaign_id}).scalar_one()

_CAMPAIGN_IDS = bindparam("campaign_ids", type_=ARRAY(BigInteger))


# Every slot of these campaigns locked (in the lock order) and emptied into
# its pool: the pool's figures are then the true ones. Called with the
# campaigns' rows locked; a campaign without slots is left alone.
COLLECT = text("""
    WITH held AS (
        SELECT campaign_id, slot, budget, uses FROM campaign_budget_slots
        WHERE campaign_id = ANY(:campaign_ids) ORDER BY campaign_id, slot FOR UPDATE
    ), emptied AS (
        UPDATE campaign_budget_slots s SET budget = 0, uses = 0 FROM held
        WHERE s.campaign_id = held.campaign_id AND s.slot = held.slot
        RETURNING held.campaign_id, held.budget, held.uses
    )
    UPDATE campaigns c SET used_budget = c.used_budget - e.budget, usage_count = c.usage_count - e.uses
    FROM (SELECT campaign_id, sum(budget) AS budget, sum(uses) AS uses FROM emptied GROUP BY campaign_id) e
    WHERE c.id = e.campaign_id
""").bindparams(_CAMPAIGN_IDS)

_POOLS = text("""
    SELECT id, budget_slots, total_budget, used_budget, usage_count, max_total_usage, deleted_at, revision
    FROM campaigns WHERE id = ANY(:campaign_ids) ORDER BY id
""").bindparams(_CAMPAIGN_IDS)

# One campaign's slots lent to anew (rows beyond its slot count dropped)
# and what they were lent counted as used in its pool.
_LEND = text("""
    WITH lent AS (
        INSERT INTO campaign_budget_slots (campaign_id, slot, budget, uses, revision)
        SELECT :campaign_id, t.slot, t.budget, t.uses, :revision
        FROM unnest(:slots, :budgets, :uses) AS t(slot, budget, uses)
        ON CONFLICT (campaign_id, slot) DO UPDATE
            SET budget = excluded.budget, uses = excluded.uses, revision = excluded.revision
        RETURNING 1
    ), dropped AS (
        DELETE FROM campaign_budget_slots WHERE campaign_id = :campaign_id AND slot >= :kept RETURNING 1
    )
    UPDATE campaigns SET used_budget = used_budget + :lent_budget, usage_count = usage_count + :lent_uses
    WHERE id = :campaign_id
""").bindparams(bindparam("slots", type_=ARRAY(Integer)), bindparam("budgets", type_=ARRAY(Money)),
                bindparam("uses", type_=ARRAY(Integer)), bindparam("lent_budget", type_=Money))


def collect(connection: Connection, campaign_ids: Sequence[int]) -> None:
    """Empty the slots of these campaigns (rows locked by the caller) into their pools."""
    if campaign_ids:
        connection.execute(COLLECT, {"campaign_ids": sorted(campaign_ids)})


def lend(connection: Connection, campaign_ids: Sequence[int], unit: Optional[Decimal] = None) -> None:
    """Lend to the slots of these campaigns, collected before in this
    transaction, what core.slots.lease gives each (nothing to a campaign
    with one slot: its rows go, if it had any); `unit` as lease takes it."""
    if not campaign_ids:
        return
    for pool in connection.execute(_POOLS, {"campaign_ids": sorted(campaign_ids)}):
        slots = pool.budget_slots if pool.budget_slots > 1 else 0
        lent = lease(slots, pool.used_budget, pool.total_budget, pool.usage_count, pool.max_total_usage,
                     deleted=pool.deleted_at is not None, unit=unit)
        connection.execute(_LEND, {
            "campaign_id": pool.id, "revision": pool.revision, "kept": slots,
            "slots": list(range(slots)), "budgets": list(lent.budgets), "uses": list(lent.uses),
            "lent_budget": sum(lent.budgets), "lent_uses": sum(lent.uses),
        })


@dataclass
class Lending:
    """The campaigns a `collected` block lends to again as it ends, and the
    discount each slot should hold at least once (core.slots.lease's `unit`)."""

    campaign_ids: list[int] = field(default_factory=list)
    unit: Optional[Decimal] = None


@contextlib.contextmanager
def collected(connection: Connection, campaign_ids: Sequence[int]) -> Iterator[Lending]:
    """These campaigns' slots collected into their pools (their rows locked
    by the caller) for the block, and lent to again however it returns; on
    an error the transaction rolls back, so nothing is lent."""
    lending = Lending(list(campaign_ids))
    collect(connection, lending.campaign_ids)
    yield lending
    lend(connection, lending.campaign_ids, lending.unit)
