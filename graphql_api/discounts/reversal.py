"""Reversing a usage: money back to the campaign's budget, on the record.

One transaction takes its locks in the apply's order (discounts/apply.py):
the usage's coupon code, its campaign, then the usage itself, so that a
reversal and an apply never wait on each other in a cycle. In hot-campaign
mode the applies that spend from a slot do not lock the campaign's row, so
a reversal holding it does not stop them. Under those
locks it decides on the usage's net amount as committed, appends the
reversal and takes the amount off the campaign's used budget. A full
reversal also stops the usage counting (core.campaigns.USAGE_COUNTS), so
the counters the applies keep (the campaign's and the code's usage_count)
lose it too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Optional, Sequence, Union

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..campaigns.models import Campaign, Money
from ..campaigns.records import CAMPAIGN_COLUMNS, CampaignRecord, campaign_record
from ..campaigns.slots import collected, true_used_budget
from ..codes.models import CouponCode
from ..core.errors import ErrorCode, NO_SUCH_USAGE, UserError
from ..core.ledger import ReversalDecision, decide_reversal, reversal_input_errors
from ..core.slots import gives_back_to_the_pool
from ..core.validation import idempotency_key_errors
from ..db.database import Database, violated_constraint
from ..observability import events
from .apply import KEY_REUSED
from .models import REVERSAL_KEY_CONSTRAINT, DiscountReversal, DiscountUsage
from .records import USAGE_COLUMNS, UsageRecord, usage_record


@dataclass(frozen=True)
class ReverseUsage:
    usage_id: Optional[int]  # None: the given ID is not a usage's
    amount: Optional[Decimal]  # None: all that is not reversed yet
    reason: str
    api_key_id: int  # the caller's: idempotency keys are scoped to it
    idempotency_key: Optional[str] = None

    def same_request_as(self, reversal: "ReversalRecord") -> bool:
        """An amount left out matches what the first request gave back."""
        return (reversal.usage_id == self.usage_id and reversal.reason == self.reason.strip()
                and (self.amount is None or self.amount == reversal.amount))


@dataclass(frozen=True)
class ReversalRecord:
    id: int
    usage_id: int
    campaign_id: int
    amount: Decimal
    reason: str
    reversed_at: datetime


REVERSAL_COLUMNS = (DiscountReversal.id, DiscountReversal.usage_id, DiscountReversal.campaign_id,
                    DiscountReversal.amount, DiscountReversal.reason, DiscountReversal.reversed_at)


def reversal_record(row) -> ReversalRecord:
    return ReversalRecord(row.id, row.usage_id, row.campaign_id, row.amount, row.reason, row.reversed_at)


@dataclass(frozen=True)
class ReversedUsage:
    """The reversal and the usage after it; when this request recorded it
    (not a replay), the campaign as its transaction left it."""

    reversal: ReversalRecord
    usage: UsageRecord
    campaign: Optional[CampaignRecord] = None
    replayed: bool = False


ReverseResult = Union[ReversedUsage, list[UserError]]

USAGE_NOT_FOUND = UserError(ErrorCode.NOT_FOUND, NO_SUCH_USAGE, ("usage_id",))

REVERSAL_BY_KEY = select(*REVERSAL_COLUMNS).where(DiscountReversal.api_key_id == bindparam("api_key_id"),
                                                  DiscountReversal.idempotency_key == bindparam("idempotency_key"))
USAGE_BY_ID = select(*USAGE_COLUMNS).where(DiscountUsage.id == bindparam("usage_id"))
# The locks, in the apply's order. A deleted campaign is locked too: its
# usages are reversed like any other.
LOCK_CODE = select(CouponCode.id).where(CouponCode.code == bindparam("code")).with_for_update(key_share=True)
# With the pool's figures, for hot-campaign mode.
LOCK_CAMPAIGN = (select(Campaign.budget_slots, Campaign.used_budget, Campaign.total_budget, Campaign.usage_count)
                 .where(Campaign.id == bindparam("campaign_id")).with_for_update(key_share=True))
LOCK_USAGE = USAGE_BY_ID.with_for_update(key_share=True)  # NO KEY UPDATE, as every lock of ours

NEW_REVERSAL = insert(DiscountReversal).returning(*REVERSAL_COLUMNS)
ADD_TO_REVERSED = (update(DiscountUsage).where(DiscountUsage.id == bindparam("usage_id"))
                   .values(reversed_amount=DiscountUsage.reversed_amount + bindparam("amount", type_=Money))
                   .returning(*USAGE_COLUMNS))
GIVE_BACK_BUDGET = (update(Campaign).where(Campaign.id == bindparam("campaign_id"))
                    .values(used_budget=Campaign.used_budget - bindparam("amount", type_=Money),
                            usage_count=Campaign.usage_count - bindparam("uncounted"))
                    .returning(*CAMPAIGN_COLUMNS))
UNCOUNT_CODE_USE = (update(CouponCode).where(CouponCode.code == bindparam("used_code"))
                    .values(usage_count=CouponCode.usage_count - 1))


def _replay(connection: Connection, command: ReverseUsage, earlier: ReversalRecord) -> ReverseResult:
    if not command.same_request_as(earlier):
        return [KEY_REUSED]
    usage = usage_record(connection.execute(USAGE_BY_ID, {"usage_id": earlier.usage_id}).one())
    return ReversedUsage(earlier, usage, replayed=True)


def _earlier(connection: Connection, command: ReverseUsage) -> Optional[ReversalRecord]:
    if command.idempotency_key is None:
        return None
    row = connection.execute(REVERSAL_BY_KEY, {"api_key_id": command.api_key_id,
                                               "idempotency_key": command.idempotency_key}).first()
    return reversal_record(row) if row is not None else None


def reverse_in_transaction(connection: Connection, command: ReverseUsage, now: datetime) -> ReverseResult:
    """The locks, the decision on the usage as locked, and the writes."""
    earlier = _earlier(connection, command)  # a retry, answered without a lock
    if earlier is not None:
        return _replay(connection, command, earlier)
    seen = connection.execute(USAGE_BY_ID, {"usage_id": command.usage_id}).first()
    if seen is None:
        return [USAGE_NOT_FOUND]
    if seen.coupon_code is not None:  # a usage's code and campaign never change
        connection.execute(LOCK_CODE, {"code": seen.coupon_code})
    campaign = connection.execute(LOCK_CAMPAIGN, {"campaign_id": seen.campaign_id}).one()
    usage = usage_record(connection.execute(LOCK_USAGE, {"usage_id": command.usage_id}).one())
    # A request with the same key may have committed while this one waited
    # for the locks: this statement's snapshot sees it, and so answers the
    # replay instead of refusing what is no longer left.
    earlier = _earlier(connection, command)
    if earlier is not None:
        return _replay(connection, command, earlier)
    decision = decide_reversal(usage.discount_amount, usage.reversed_amount, command.amount)
    if not isinstance(decision, ReversalDecision):
        return [decision]
    # In hot-campaign mode the money goes back to the pool, the slots left to
    # the applies spending from them, unless that re-opens a threshold the
    # slots could cross unseen: then they are collected and lent again
    # (core/slots.py). The slots are locked after the usage here; nobody who
    # holds a slot waits for a usage, so this joins no cycle.
    in_place = campaign.budget_slots == 1 or gives_back_to_the_pool(
        campaign.used_budget, true_used_budget(connection, seen.campaign_id), decision.amount,
        campaign.total_budget, campaign.usage_count, decision.frees_usage)
    with collected(connection, [] if in_place else [seen.campaign_id]):
        return _record(connection, command, usage, decision, now)


def _record(connection: Connection, command: ReverseUsage, usage: UsageRecord, decision: ReversalDecision,
            now: datetime) -> ReversedUsage:
    reversal = reversal_record(connection.execute(NEW_REVERSAL, {
        "usage_id": usage.id, "campaign_id": usage.campaign_id, "amount": decision.amount,
        "reason": command.reason.strip(), "reversed_at": now, "api_key_id": command.api_key_id,
        "idempotency_key": command.idempotency_key,
    }).one())
    after = usage_record(connection.execute(ADD_TO_REVERSED, {"usage_id": usage.id, "amount": decision.amount}).one())
    campaign = campaign_record(connection.execute(GIVE_BACK_BUDGET, {
        "campaign_id": usage.campaign_id, "amount": decision.amount, "uncounted": 1 if decision.frees_usage else 0,
    }).one())
    if decision.frees_usage and usage.coupon_code is not None:
        connection.execute(UNCOUNT_CODE_USE, {"used_code": usage.coupon_code})
    return ReversedUsage(reversal, after, campaign)


async def reverse_usage(database: Database, command: ReverseUsage, now: datetime) -> ReverseResult:
    """The use case: the input checks, the transaction, the key race's
    fallback, and the business event once it committed."""
    errors = reversal_input_errors(command.amount, command.reason) + idempotency_key_errors(command.idempotency_key)
    if errors:
        return errors
    if command.usage_id is None:
        return [USAGE_NOT_FOUND]
    try:
        result = await database.write_statements(reverse_in_transaction, command, now)
    except IntegrityError as error:
        if command.idempotency_key is None or violated_constraint(error) != REVERSAL_KEY_CONSTRAINT:
            raise
        # Another reversal under the same key committed first: answer as its replay.
        result = await database.write_statements(reverse_in_transaction, command, now)
    if isinstance(result, ReversedUsage) and not result.replayed:
        reversal = result.reversal
        events.discount_reversed(reversal.id, reversal.usage_id, reversal.campaign_id, reversal.amount,
                                 result.usage.is_fully_reversed)
    return result


def reversals_by_usage_ids(session: Session, usage_ids: Sequence[int]) -> dict[int, list[ReversalRecord]]:
    """Each usage's reversals, oldest first (an empty list when none)."""
    found: dict[int, list[ReversalRecord]] = {usage_id: [] for usage_id in usage_ids}
    rows = session.execute(select(*REVERSAL_COLUMNS).where(DiscountReversal.usage_id.in_(usage_ids))
                           .order_by(DiscountReversal.usage_id, DiscountReversal.id))
    for row in rows:
        found[row.usage_id].append(reversal_record(row))
    return found


def reversals_by_ids(session: Session, ids: Sequence[int]) -> dict[int, ReversalRecord]:
    rows = session.execute(select(*REVERSAL_COLUMNS).where(DiscountReversal.id.in_(ids)))
    return {row.id: reversal_record(row) for row in rows}
