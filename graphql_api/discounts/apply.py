"""Applying a discount: one transaction that decides on committed data and
records under the campaign's row lock only if that data still holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from types import SimpleNamespace
from typing import Optional, Union

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..observability import events
from ..campaigns.records import CampaignRecord, campaign_record
from ..core.campaigns import DiscountType
from ..core.discounts import Cart, CustomerStanding, Discount, evaluate, same_discount_budget_range
from ..core.errors import ErrorCode, NO_SUCH_CAMPAIGN, NO_SUCH_CUSTOMER, UserError
from ..core.validation import cart_errors, idempotency_key_errors
from ..db.database import Database
from .models import IDEMPOTENCY_KEY_CONSTRAINT, DiscountUsage
from . import apply_statements as statements
from .offers import standing_parameters
from .records import USAGE_COLUMNS, UsageRecord, usage_record


@dataclass(frozen=True)
class ApplyDiscount:
    campaign_id: Optional[int]  # None: the given ID is not a campaign's
    customer_id: Optional[int]  # None: the given ID is not a customer's
    cart: Cart
    idempotency_key: Optional[str] = None
    api_key_id: Optional[int] = None  # the caller's: idempotency keys are scoped to it

    def __post_init__(self):
        # Without an API key to scope it, an idempotency key would never match a replay.
        if self.idempotency_key is not None and self.api_key_id is None:
            raise ValueError("an idempotency key needs the API key that sent it")

    def same_request_as(self, usage: UsageRecord) -> bool:
        """What "same input" means for an idempotency key: compared as values."""
        return (
            usage.campaign_id == self.campaign_id
            and usage.customer_id == self.customer_id
            and usage.cart_value == self.cart.cart_value
            and usage.delivery_charge == self.cart.delivery_charge
        )


@dataclass(frozen=True)
class Applied:
    usage: UsageRecord
    budget_exhausted: bool  # this usage spent the last of the budget
    total_budget: Decimal


ApplyResult = Union[UsageRecord, list[UserError]]

_CAMPAIGN_NOT_FOUND = UserError(ErrorCode.NOT_FOUND, NO_SUCH_CAMPAIGN, ("campaign_id",))
_CUSTOMER_NOT_FOUND = UserError(ErrorCode.NOT_FOUND, NO_SUCH_CUSTOMER, ("customer_id",))
_KEY_REUSED = UserError(
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
    "This idempotency key was already used with a different input.",
    ("idempotency_key",),
)


# The input field each refused rule is about, so that a form can show the error.
_REFUSAL_FIELDS = {
    ErrorCode.CAMPAIGN_NOT_ACTIVE: ("campaign_id",),
    ErrorCode.BUDGET_EXHAUSTED: ("campaign_id",),
    ErrorCode.MIN_CART_VALUE_NOT_MET: ("cart_value",),
    ErrorCode.NOT_TARGETED: ("customer_id",),
    ErrorCode.DAILY_LIMIT_REACHED: ("customer_id",),
}


def _refusal_field(code: ErrorCode, discount_type: DiscountType) -> Optional[tuple[str, ...]]:
    if code is ErrorCode.NOTHING_TO_DISCOUNT:
        return ("cart_value",) if discount_type is DiscountType.CART else ("delivery_charge",)
    return _REFUSAL_FIELDS.get(code)


def _replay(command: ApplyDiscount, usage: UsageRecord) -> ApplyResult:
    return usage if command.same_request_as(usage) else [_KEY_REUSED]


def _prefixed_usage(row, prefix: str) -> Optional[UsageRecord]:
    """The usage in `row`'s columns named `prefix`<column>, or None."""
    if getattr(row, prefix + "id") is None:
        return None
    return usage_record(SimpleNamespace(**{column.key: getattr(row, prefix + column.key) for column in USAGE_COLUMNS}))


def _decide(campaign: CampaignRecord, facts, cart: Cart, now: datetime) -> Union[Discount, list[UserError]]:
    standing = CustomerStanding(is_target=facts.is_target, usages_today=facts.usages_today)
    outcome = evaluate(campaign.terms, cart, standing, now)
    if isinstance(outcome, Discount):
        return outcome
    return [UserError(outcome.code, outcome.message, _refusal_field(outcome.code, campaign.terms.discount_type))]


def _new_usage(command: ApplyDiscount, campaign: CampaignRecord, discount: Discount, now: datetime) -> dict:
    """The parameters of a new usage, named new_<column>."""
    return {
        "new_campaign_id": campaign.id,
        "new_customer_id": command.customer_id,
        "new_discount_type": campaign.terms.discount_type.value,
        "new_cart_value": command.cart.cart_value,
        "new_delivery_charge": command.cart.delivery_charge,
        "new_original_amount": discount.original_amount,
        "new_discount_amount": discount.discount_amount,
        "new_final_amount": discount.final_amount,
        "new_used_at": now,
        "new_idempotency_key": command.idempotency_key,
        "new_api_key_id": command.api_key_id,
        "new_daily_limit_at_apply": campaign.terms.max_usage_per_customer_per_day,
    }


def _applied(usage: UsageRecord, used_budget_before: Decimal, total_budget: Decimal) -> Applied:
    return Applied(usage=usage, budget_exhausted=used_budget_before + usage.discount_amount >= total_budget,
                   total_budget=total_budget)


def apply_in_transaction(
    connection: Connection, command: ApplyDiscount, now: datetime, zone: tzinfo
) -> Union[Applied, UsageRecord, list[UserError]]:
    """Decide on committed data, then record under the campaign's lock only if
    that data still holds (the steps, and why they are safe, are described in
    apply_statements.py).

    Statements: the customer's lock; the campaign with the customer's standing
    and any usage under the idempotency key; the locked conditional record.
    Only when the campaign changed in between: the standing again (when an
    edit committed while the lock was awaited) and the record.

    The input was checked before (cart and idempotency key, in `_apply`):
    call it through `apply_discount`.
    """
    customer_found = command.customer_id is not None and statements.LOCK_CUSTOMER.execute(
        connection, {"customer_id": command.customer_id}
    ).first() is not None
    parameters = {
        **standing_parameters(command.customer_id if customer_found else -1, now, zone),
        "campaign_id": command.campaign_id,
        "idempotency_key": command.idempotency_key,
        "api_key_id": command.api_key_id,
    }
    row = None
    if command.campaign_id is not None:
        statement = statements.CAMPAIGN if command.idempotency_key is not None else statements.CAMPAIGN_WITHOUT_KEY
        row = statement.execute(connection, parameters).first()

    not_found = []
    if row is None:
        not_found.append(_CAMPAIGN_NOT_FOUND)
    if not customer_found:
        not_found.append(_CUSTOMER_NOT_FOUND)
    if not_found:
        return not_found
    earlier = _prefixed_usage(row, statements.KEYED_PREFIX)
    if earlier is not None:
        return _replay(command, earlier)

    campaign = campaign_record(row)
    decision = _decide(campaign, row, command.cart, now)
    if not isinstance(decision, Discount):
        return decision
    used_low, used_high = same_discount_budget_range(campaign.terms, decision)
    locked = statements.RECORD_IF_UNCHANGED.execute(connection, {
        **parameters, **_new_usage(command, campaign, decision, now),
        "read_revision": row.revision, "used_low": used_low, "used_high": used_high,
    }).first()
    if locked is None:  # deleted since the read
        return [_CAMPAIGN_NOT_FOUND]
    recorded = _prefixed_usage(locked, statements.RECORDED_PREFIX)
    if recorded is not None:
        return _applied(recorded, locked.used_budget, locked.total_budget)

    campaign = campaign_record(locked)
    facts = locked if locked.seen_revision == locked.revision else connection.execute(statements.STANDING, parameters).one()
    decision = _decide(campaign, facts, command.cart, now)
    if not isinstance(decision, Discount):
        return decision
    usage = connection.execute(statements.RECORD_USAGE, _new_usage(command, campaign, decision, now)).one()
    return _applied(usage_record(usage), locked.used_budget, locked.total_budget)


def _usage_by_key(session: Session, api_key_id: int, key: str) -> Optional[UsageRecord]:
    row = session.execute(select(*USAGE_COLUMNS).where(
        DiscountUsage.api_key_id == api_key_id, DiscountUsage.idempotency_key == key)).first()
    return usage_record(row) if row is not None else None


def _violates_key_constraint(error: IntegrityError) -> bool:
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None) == IDEMPOTENCY_KEY_CONSTRAINT


async def apply_discount(
    database: Database, command: ApplyDiscount, now: datetime, zone: tzinfo
) -> ApplyResult:
    """The use case: the locked transaction, the key race's fallback, and the
    business events of what happened."""
    result = await _apply(database, command, now, zone)
    if isinstance(result, Applied):
        usage = result.usage
        events.discount_applied(usage.id, usage.campaign_id, usage.customer_id, usage.discount_type.value,
                                usage.original_amount, usage.discount_amount)
        if result.budget_exhausted:
            events.budget_exhausted(usage.campaign_id, result.total_budget)
        return usage
    if isinstance(result, list):
        events.discount_refused(command.campaign_id, command.customer_id, result[0].code.value)
    return result


async def _apply(database: Database, command: ApplyDiscount, now: datetime, zone: tzinfo):
    """Two requests with one key but different campaigns lock different rows
    and can race to the INSERT; the loser's transaction rolls back on the
    unique key and its answer is read from the winner's usage."""
    # The input alone decides these: before any thread or connection is taken.
    errors = cart_errors(command.cart) + idempotency_key_errors(command.idempotency_key)
    if errors:
        return errors
    for _attempt in range(2):
        try:
            return await database.write_statements(apply_in_transaction, command, now, zone)
        except IntegrityError as error:
            if command.idempotency_key is None or not _violates_key_constraint(error):
                raise
        usage = await database.read(_usage_by_key, command.api_key_id, command.idempotency_key)
        if usage is not None:
            return _replay(command, usage)
        # The winner rolled back after all, so nothing holds the key: try afresh.
    return [_KEY_REUSED]
