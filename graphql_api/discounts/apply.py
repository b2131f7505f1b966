"""Applying a discount: one transaction around a locked campaign row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from types import SimpleNamespace
from typing import Optional, Union

from sqlalchemy import BigInteger, bindparam, false, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import events
from ..campaigns.models import Campaign, Money
from ..campaigns.records import CAMPAIGN_COLUMNS, campaign_record
from ..core.campaigns import DiscountType
from ..core.discounts import Cart, CustomerStanding, Discount, evaluate
from ..core.errors import ErrorCode, UserError
from ..core.validation import cart_errors, idempotency_key_errors
from ..customers.models import Customer
from ..database import Database
from .models import IDEMPOTENCY_KEY_CONSTRAINT, DiscountUsage
from .offers import CUSTOMER_ID, standing_columns, standing_parameters
from .records import USAGE_COLUMNS, UsageRecord, usage_record


@dataclass(frozen=True)
class ApplyDiscount:
    campaign_id: Optional[int]  # None: the given ID is not a campaign's
    customer_id: Optional[int]  # None: the given ID is not a customer's
    cart: Cart
    idempotency_key: Optional[str] = None

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

_CAMPAIGN_NOT_FOUND = UserError(ErrorCode.NOT_FOUND, "No such campaign.", ("input", "campaignId"))
_CUSTOMER_NOT_FOUND = UserError(ErrorCode.NOT_FOUND, "No such customer.", ("input", "customerId"))
_KEY_REUSED = UserError(
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
    "This idempotency key was already used with a different input.",
    ("input", "idempotencyKey"),
)


# The input field each refused rule is about, so that a form can show the error.
_REFUSAL_FIELDS = {
    ErrorCode.CAMPAIGN_NOT_ACTIVE: ("input", "campaignId"),
    ErrorCode.BUDGET_EXHAUSTED: ("input", "campaignId"),
    ErrorCode.MIN_CART_VALUE_NOT_MET: ("input", "cartValue"),
    ErrorCode.NOT_TARGETED: ("input", "customerId"),
    ErrorCode.DAILY_LIMIT_REACHED: ("input", "customerId"),
}


def _refusal_field(code: ErrorCode, discount_type: DiscountType) -> Optional[tuple[str, ...]]:
    if code is ErrorCode.NOTHING_TO_DISCOUNT:
        return ("input", "cartValue" if discount_type is DiscountType.CART else "deliveryCharge")
    return _REFUSAL_FIELDS.get(code)


def _replay(command: ApplyDiscount, usage: UsageRecord) -> ApplyResult:
    return usage if command.same_request_as(usage) else [_KEY_REUSED]


# The transaction's statements, built once with bind parameters: less Python
# runs while the campaign row is locked, which is what bounds the throughput
# of one busy campaign.
#
# The locks, in order, and what each one makes safe:
# 1. The customer, FOR NO KEY UPDATE (it leaves the foreign-key checks of
#    other inserts alone): one customer's applies run one at a time, so the
#    next statement sees every usage of the customer committed before it.
# 2. The campaign, FOR UPDATE, in the statement that also reads the
#    customer's standing and any usage under the idempotency key. PostgreSQL
#    returns the newest version of a row it waited to lock, while the rest of
#    the statement reads the snapshot taken when it began. Applies that held
#    the lock meanwhile changed only used_budget (in the locked row) and other
#    customers' usages; an edit may have changed the targets, and every edit
#    bumps `revision`. The statement returns the revision it saw next to the
#    one it locked; when they differ, the standing is read again.
# The campaign row is held for two round trips (the insert, the commit)
# instead of three, and no rule has to move into SQL for it.
_LOCK_CUSTOMER = select(Customer.id).where(Customer.id == CUSTOMER_ID).with_for_update(key_share=True)

_KEYED_USAGE = DiscountUsage.__table__.alias("keyed_usage")
_KEYED_USAGE_PREFIX = "keyed_"
_SEEN_CAMPAIGN = Campaign.__table__.alias("seen_campaign")


def _locked_campaign_with_facts(same_key):
    """The campaign (locked), the customer's standing with it, an earlier
    usage under the same idempotency key (NULL `keyed_` columns when none),
    and the campaign's revision as the statement's snapshot saw it."""
    keyed_usage = [_KEYED_USAGE.c[column.key].label(_KEYED_USAGE_PREFIX + column.key) for column in USAGE_COLUMNS]
    seen_revision = (
        select(_SEEN_CAMPAIGN.c.revision).where(_SEEN_CAMPAIGN.c.id == Campaign.id).scalar_subquery()
    )
    return (
        select(
            *CAMPAIGN_COLUMNS,
            Campaign.revision.label("locked_revision"),
            seen_revision.label("seen_revision"),
            *standing_columns(Campaign.id),
            *keyed_usage,
        )
        .select_from(Campaign)
        .outerjoin(_KEYED_USAGE, same_key)
        .where(Campaign.id == bindparam("campaign_id"), Campaign.deleted_at.is_(None))
        .with_for_update(of=Campaign)
    )


_LOCK_CAMPAIGN = _locked_campaign_with_facts(_KEYED_USAGE.c.idempotency_key == bindparam("idempotency_key"))
# `== None` would render IS NULL and match every usage without a key.
_LOCK_CAMPAIGN_WITHOUT_KEY = _locked_campaign_with_facts(false())


def _keyed_usage(row) -> Optional[UsageRecord]:
    """The earlier usage in `row`'s `keyed_` columns, or None."""
    if getattr(row, _KEYED_USAGE_PREFIX + "id") is None:
        return None
    return usage_record(SimpleNamespace(**{
        column.key: getattr(row, _KEYED_USAGE_PREFIX + column.key) for column in USAGE_COLUMNS
    }))


# The standing again, for when an edit committed while the lock was awaited.
_STANDING = select(*standing_columns(bindparam("campaign_id", type_=BigInteger)))

# One statement records the usage and adds its amount to the campaign's
# used_budget (a data-modifying CTE). Its parameters are named new_<column>:
# a parameter named like a column of an UPDATE's table would also be SET.
_USAGE_VALUES = (
    "campaign_id", "customer_id", "discount_type", "cart_value", "delivery_charge",
    "original_amount", "discount_amount", "final_amount", "used_at", "idempotency_key",
)
_BUDGET_UPDATE = (
    update(Campaign)
    .where(Campaign.id == bindparam("new_campaign_id"))
    .values(used_budget=Campaign.used_budget + bindparam("new_discount_amount", type_=Money))
    .cte("budget_update")
)
_RECORD_USAGE = (
    insert(DiscountUsage)
    .add_cte(_BUDGET_UPDATE)
    .values({column: bindparam(f"new_{column}") for column in _USAGE_VALUES})
    .returning(*USAGE_COLUMNS)
)


def apply_discount_locked(
    session: Session, command: ApplyDiscount, now: datetime, zone: tzinfo
) -> Union[Applied, UsageRecord, list[UserError]]:
    """Lock, re-check every rule against committed data, record, commit.

    Statements: the customer's lock; the campaign's lock with the customer's
    standing and an earlier usage under the same idempotency key (and, only
    when an edit committed while it waited, the standing again); one INSERT
    that also adds the amount to `used_budget` (a data-modifying CTE).
    """
    errors = cart_errors(command.cart.cart_value, command.cart.delivery_charge)
    errors += idempotency_key_errors(command.idempotency_key)
    if errors:
        return errors

    # Core execution on the Session's connection: the rows are plain tuples, and
    # the ORM's per-statement work would run while the campaign row is locked.
    connection = session.connection()
    customer_found = command.customer_id is not None and connection.execute(
        _LOCK_CUSTOMER, {"customer_id": command.customer_id}
    ).first() is not None
    parameters = {
        **standing_parameters(command.customer_id if customer_found else -1, now, zone),
        "campaign_id": command.campaign_id,
        "idempotency_key": command.idempotency_key,
    }
    row = None
    if command.campaign_id is not None:
        statement = _LOCK_CAMPAIGN if command.idempotency_key is not None else _LOCK_CAMPAIGN_WITHOUT_KEY
        row = connection.execute(statement, parameters).first()

    not_found = []
    if row is None:
        not_found.append(_CAMPAIGN_NOT_FOUND)
    if not customer_found:
        not_found.append(_CUSTOMER_NOT_FOUND)
    if not_found:
        return not_found
    earlier = _keyed_usage(row)
    if earlier is not None:
        return _replay(command, earlier)

    campaign = campaign_record(row)
    facts = row if row.seen_revision == row.locked_revision else connection.execute(_STANDING, parameters).one()
    standing = CustomerStanding(is_target=facts.is_target, usages_today=facts.usages_today)
    outcome = evaluate(campaign.terms, command.cart, standing, now)
    if not isinstance(outcome, Discount):
        field = _refusal_field(outcome.code, campaign.terms.discount_type)
        return [UserError(outcome.code, outcome.message, field)]

    usage = {
        "campaign_id": campaign.id,
        "customer_id": command.customer_id,
        "discount_type": campaign.terms.discount_type.value,
        "cart_value": command.cart.cart_value,
        "delivery_charge": command.cart.delivery_charge,
        "original_amount": outcome.original_amount,
        "discount_amount": outcome.discount_amount,
        "final_amount": outcome.final_amount,
        "used_at": now,
        "idempotency_key": command.idempotency_key,
    }
    # (Given an ORM insert and a dict, Session.execute would run an ORM bulk
    # insert of that dict instead.)
    row = connection.execute(_RECORD_USAGE, {f"new_{column}": value for column, value in usage.items()}).one()
    terms = campaign.terms
    return Applied(
        usage=usage_record(row),
        budget_exhausted=terms.used_budget + outcome.discount_amount >= terms.total_budget,
        total_budget=terms.total_budget,
    )


def _usage_by_key(session: Session, key: str) -> Optional[UsageRecord]:
    row = session.execute(select(*USAGE_COLUMNS).where(DiscountUsage.idempotency_key == key)).first()
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
    for _attempt in range(2):
        try:
            return await database.write(apply_discount_locked, command, now, zone)
        except IntegrityError as error:
            if command.idempotency_key is None or not _violates_key_constraint(error):
                raise
        usage = await database.read(_usage_by_key, command.idempotency_key)
        if usage is not None:
            return _replay(command, usage)
        # The winner rolled back after all, so nothing holds the key: try afresh.
    return [_KEY_REUSED]
