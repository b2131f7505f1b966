"""Applying a discount: one transaction that decides on committed data and
records under the campaign's row lock only if that data still holds.

Read top to bottom: the command and its outcome; each step's statement with
the argument that makes the step safe; the transaction that runs the steps;
the use case around it (the input checks, the idempotency-key race, the
business events). Every transaction that writes usages takes its locks in
one order, so that no two wait on each other: the customer, the order, the
coupon codes (by id), the campaigns (by id), then their budget slots in
hot-campaign mode (by number; an apply that spends from one holds no other
while it waits for it). The statements are built once, with bind
parameters: building and fingerprinting a statement this size costs more
Python than running it. Parameters of a new usage are named new_<column>:
a parameter named like a column of an UPDATE's table would also be SET.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from types import SimpleNamespace
from typing import Optional, Union

from sqlalchemy import (BigInteger, Boolean, Integer, and_, bindparam, cast, false, func, insert, not_, or_, select,
                        true, update)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..audit.service import record_budget_crossings
from ..campaigns.conditions import NOT_DELETED_SQL, code_usable, room_under_total_cap
from ..campaigns.models import Campaign, CampaignBudgetSlot, Money
from ..campaigns.records import CAMPAIGN_COLUMNS, CampaignRecord, campaign_record
from ..campaigns.slots import collected
from ..core.campaigns import DiscountType
from ..codes.models import CouponCode
from ..core.codes import code_errors, normalize
from ..core.discounts import Cart, Discount, OrderState, evaluate, same_discount_budget_range
from ..core.errors import ErrorCode, NO_SUCH_CAMPAIGN, UserError
from ..core.money import ZERO
from ..core.validation import cart_errors, idempotency_key_errors, order_reference_errors
from ..customers.models import Customer
from ..customers.service import CUSTOMER_COLUMNS, CUSTOMER_NOT_FOUND, NOT_ERASED, CustomerRecord, customer_record
from ..db.database import Database, violated_constraint
from ..db.prepared_statements import PreparedStatement
from ..observability import events
from .models import IDEMPOTENCY_KEY_CONSTRAINT, DiscountUsage
from .standing import (
    CODES,
    CUSTOMER_ID,
    ORDER_REFERENCE,
    cart_code,
    customer_standing,
    order_columns,
    order_state,
    standing_columns,
    standing_parameters,
)
from .records import USAGE_COLUMNS, UsageRecord, usage_record


@dataclass(frozen=True)
class ApplyDiscount:
    campaign_id: Optional[int]  # None: the given ID is not a campaign's
    customer_id: Optional[int]  # None: the given ID is not a customer's
    cart: Cart
    idempotency_key: Optional[str] = None
    api_key_id: Optional[int] = None  # the caller's: idempotency keys are scoped to it
    coupon_code: Optional[str] = None  # as sent
    order_reference: Optional[str] = None

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
            and usage.order_reference == self.order_reference
            # A code campaign's usage records its code; any other ignores codes.
            and (usage.coupon_code is None or usage.coupon_code == normalize(self.coupon_code or ""))
        )


@dataclass(frozen=True)
class AppliedDiscount:
    """The usage, and when this request recorded it (not a replay), the
    campaign and the customer as its transaction left them: the response
    answers from them instead of reading them again."""

    usage: UsageRecord
    campaign: Optional[CampaignRecord] = None
    customer: Optional[CustomerRecord] = None
    budget_exhausted: bool = False  # this usage spent the last of the budget


ApplyResult = Union[AppliedDiscount, list[UserError]]

_CAMPAIGN_NOT_FOUND = UserError(ErrorCode.NOT_FOUND, NO_SUCH_CAMPAIGN, ("campaign_id",))
KEY_REUSED = UserError(
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
    ErrorCode.CUSTOMER_LIMIT_REACHED: ("customer_id",),
    ErrorCode.TOTAL_USAGE_LIMIT_REACHED: ("campaign_id",),
    ErrorCode.INVALID_COUPON_CODE: ("coupon_code",),
    ErrorCode.NOT_COMBINABLE: ("order_reference",),
}


def _prefixed(columns, prefix: str) -> list:
    return [column.label(prefix + column.key) for column in columns]


_THIS_CAMPAIGN = (Campaign.id == bindparam("campaign_id"), NOT_DELETED_SQL)

# Step 1. Lock the customer FOR NO KEY UPDATE (which leaves the foreign-key
# checks of other inserts alone): one customer's applies run one at a time,
# so step 2 sees every usage of the customer committed before it.
LOCK_CUSTOMER = PreparedStatement(
    select(*CUSTOMER_COLUMNS).where(Customer.id == CUSTOMER_ID, NOT_ERASED).with_for_update(key_share=True))

ORDER_LOCK_SEED = 0x0DE5  # keeps the order locks apart from any other advisory locks on the database

# Step 1b. With an order: lock it, so that its applies run one at a time and
# each sees what the order already holds. An order is no row of ours, so the
# lock is an advisory one on its reference (a hash collision only makes two
# orders wait for each other).
LOCK_ORDER = select(func.pg_advisory_xact_lock(func.hashtextextended(ORDER_REFERENCE, ORDER_LOCK_SEED)))

# Step 1c. With codes: lock them (by id), so that a code's uses are counted
# one apply at a time. No row for an unknown code: the same statement runs.
# Only the codes locked here count in this transaction: one added by another
# transaction a moment later would be used without its lock, out of order.
LOCK_CODES = PreparedStatement(
    select(CouponCode.code).where(CouponCode.code == CODES.any_()).order_by(CouponCode.id)
    .with_for_update(key_share=True))
# Under the code's lock, so the guard only restates what the rules saw.
COUNT_CODE_USE = update(CouponCode).where(CouponCode.code == bindparam("used_code"), code_usable(CouponCode)) \
    .values(usage_count=CouponCode.usage_count + 1)

# Step 2. Read the campaign, the customer's standing with it and any usage
# under the idempotency key, without locking the campaign; the rules decide
# on that. A refusal stands: it was true of committed data.
_KEYED_USAGE = DiscountUsage.__table__.alias("keyed_usage")
KEYED_PREFIX = "keyed_"


def _campaign_with_standing(same_key):
    """The campaign, the customer's standing with it, and an earlier usage
    under the same idempotency key (NULL `keyed_` columns when none)."""
    return (
        select(*CAMPAIGN_COLUMNS, Campaign.revision, *standing_columns(Campaign.id), *order_columns(),
               *_prefixed((_KEYED_USAGE.c[column.key] for column in USAGE_COLUMNS), KEYED_PREFIX))
        .select_from(Campaign)
        .outerjoin(_KEYED_USAGE, same_key)
        .where(*_THIS_CAMPAIGN)
    )


# An idempotency key is looked up within the API key that sent it.
CAMPAIGN = PreparedStatement(_campaign_with_standing(and_(
    _KEYED_USAGE.c.api_key_id == bindparam("api_key_id"),
    _KEYED_USAGE.c.idempotency_key == bindparam("idempotency_key"),
)))
# `== None` would render IS NULL and match every usage without a key.
CAMPAIGN_WITHOUT_KEY = PreparedStatement(_campaign_with_standing(false()))

# Step 3. One statement locks the campaign and records the discount only if
# what the rules read still holds: the same `revision` (every edit bumps it),
# a used budget at which the rules give the same discount
# (`same_discount_budget_range`) and room under maxTotalUsage; the
# customer's, the order's and the codes' facts hold, as their locks are
# held. So the campaign row is locked for this statement and the commit, not for the rules in between. It returns the
# campaign as locked, with the customer's standing, the revision this
# statement's snapshot saw, and the usage (NULL `recorded_` columns when not
# recorded); no row when the campaign is gone.
RECORDED_PREFIX = "recorded_"
_SEEN_CAMPAIGN = Campaign.__table__.alias("seen_campaign")
# Every column of a usage but its generated id.
_USAGE_VALUES = tuple(column.key for column in USAGE_COLUMNS if column.key != "id")
_ADD_TO_USED_BUDGET = {"used_budget": Campaign.used_budget + bindparam("new_discount_amount", type_=Money),
                       "usage_count": Campaign.usage_count + 1}


def _record_if_unchanged():
    seen_revision = (
        select(_SEEN_CAMPAIGN.c.revision).where(_SEEN_CAMPAIGN.c.id == Campaign.id).scalar_subquery()
    )
    locked = (
        select(*CAMPAIGN_COLUMNS, Campaign.revision, seen_revision.label("seen_revision"),
               *standing_columns(Campaign.id))
        .where(*_THIS_CAMPAIGN)
        .with_for_update(of=Campaign, key_share=True)
        .cte("locked")
    )
    budget_update = (
        update(Campaign)
        .where(
            Campaign.id == locked.c.id,
            locked.c.revision == bindparam("read_revision"),
            locked.c.used_budget.between(bindparam("used_budget_from", type_=Money),
                                         bindparam("used_budget_to", type_=Money)),
            room_under_total_cap(locked),
        )
        .values(_ADD_TO_USED_BUDGET)
        .returning(Campaign.id)
        .cte("budget_update")
    )
    usage_table = DiscountUsage.__table__
    recorded = (
        insert(DiscountUsage)
        .from_select(
            _USAGE_VALUES,
            select(*(cast(bindparam(f"new_{name}"), usage_table.c[name].type) for name in _USAGE_VALUES))
            .select_from(budget_update),
        )
        .returning(*USAGE_COLUMNS)
        .cte("recorded")
    )
    return (
        select(locked, *_prefixed((recorded.c[column.key] for column in USAGE_COLUMNS), RECORDED_PREFIX))
        .select_from(locked.outerjoin(recorded, true()))
    )


RECORD_IF_UNCHANGED = PreparedStatement(_record_if_unchanged())

# Step 4. Otherwise (an edit, or other applies took the budget's last room),
# step 3 still holds the lock and returned the campaign as locked, and the
# rules decide again on that. PostgreSQL returns the newest version of a row
# it waited to lock, while the rest of the statement reads the snapshot taken
# when it began: when an edit committed during that wait, the revisions
# differ and the standing is read again.
STANDING_AGAIN = select(*standing_columns(Campaign.id)).where(Campaign.id == bindparam("campaign_id", type_=BigInteger))
# Under the lock already held: the usage and the used budget in one statement.
RECORD_UNDER_LOCK = (
    insert(DiscountUsage)
    .add_cte(update(Campaign).where(Campaign.id == bindparam("new_campaign_id")).values(_ADD_TO_USED_BUDGET)
             .cte("budget_update"))
    .values({column: bindparam(f"new_{column}") for column in _USAGE_VALUES})
    .returning(*USAGE_COLUMNS)
)


# In hot-campaign mode (core/slots.py) the campaign row is not locked:
# step 3 spends from one slot that holds enough and was lent to under the
# revision the rules read, so that an edit (which lends anew under its own)
# leaves the apply no slot. First a free one (SKIP LOCKED: no wait); when
# other applies hold every such slot, it waits for one of them, picked at
# random so that waiters spread over the slots. Before it waits it shares
# the campaign's lock (SHARE_CAMPAIGN): an edit or a collection under way
# holds that lock and the slots it has not reached yet, so the apply waits
# for it to end and then finds the slots lent anew, instead of spending
# from one the edit has not reached. While it waits it holds no other slot
# (the free attempt's savepoint is gone), so it joins no cycle. The
# customer's, the order's and the codes' facts hold, as their locks are
# held; the total usage cap holds as a slot is lent uses only under one.
_SLOT = CampaignBudgetSlot
_SLOT_HOLDS_ENOUGH = (
    _SLOT.campaign_id == bindparam("new_campaign_id"), _SLOT.revision == bindparam("read_revision"),
    _SLOT.budget >= bindparam("new_discount_amount", type_=Money),
    or_(_SLOT.uses >= 1, not_(bindparam("capped", type_=Boolean))),
)


def _spend_from(chosen):
    """The usage recorded, and its discount and use taken from the slot
    `chosen` (a CTE that locks it), in one statement; no row when none was."""
    spent = (
        update(_SLOT)
        .where(_SLOT.campaign_id == bindparam("new_campaign_id"), _SLOT.slot == chosen.c.slot)
        .values(budget=_SLOT.budget - bindparam("new_discount_amount", type_=Money), uses=_SLOT.uses - 1)
        .returning(_SLOT.slot)
        .cte("spent")
    )
    usage_table = DiscountUsage.__table__
    return (
        insert(DiscountUsage)
        .from_select(_USAGE_VALUES,
                     select(*(cast(bindparam(f"new_{name}"), usage_table.c[name].type) for name in _USAGE_VALUES))
                     .select_from(spent))
        .returning(*USAGE_COLUMNS)
    )


SPEND_FROM_FREE_SLOT = PreparedStatement(_spend_from(
    select(_SLOT.slot).where(*_SLOT_HOLDS_ENOUGH)
    .order_by(_SLOT.budget.desc())  # the richest first, so that the slots run dry together
    .limit(1).with_for_update(skip_locked=True).cte("chosen")))
# The slot at or after `slot_pick` (wrapping round) that held enough when the
# statement began; after the wait, PostgreSQL checks the conditions again on
# the slot as its holder left it.
_PICKED = (select(_SLOT.slot).where(*_SLOT_HOLDS_ENOUGH)
           .order_by((_SLOT.slot >= bindparam("slot_pick", type_=Integer)).desc(), _SLOT.slot)
           .limit(1).scalar_subquery())
SPEND_FROM_WAITED_SLOT = PreparedStatement(_spend_from(
    select(_SLOT.slot).where(*_SLOT_HOLDS_ENOUGH, _SLOT.slot == _PICKED).with_for_update().cte("chosen")))
# FOR SHARE conflicts with the NO KEY UPDATE lock of edits and collectors
# (LOCK_CAMPAIGN) and with nothing an apply spending from a slot takes.
SHARE_CAMPAIGN = PreparedStatement(
    select(Campaign.id).where(Campaign.id == bindparam("new_campaign_id")).with_for_update(read=True))
# Otherwise (no slot holds enough, or the discount is cut to what is left):
# the campaign's lock, and its slots collected into it, so that the rules
# decide on its true figures; it lends again after.
LOCK_CAMPAIGN = select(Campaign.id).where(Campaign.id == bindparam("campaign_id")).with_for_update(key_share=True)


def _refusal_field(code: ErrorCode, discount_type: DiscountType) -> Optional[tuple[str, ...]]:
    if code is ErrorCode.NOTHING_TO_DISCOUNT:
        return ("cart_value",) if discount_type is DiscountType.CART else ("delivery_charge",)
    return _REFUSAL_FIELDS.get(code)


def _decide(campaign: CampaignRecord, standing_row, order: OrderState, cart: Cart,
            now: datetime) -> Union[Discount, list[UserError]]:
    outcome = evaluate(campaign.terms, cart, customer_standing(standing_row, None), now, order)
    if isinstance(outcome, Discount):
        return outcome
    return [UserError(outcome.code, outcome.message, _refusal_field(outcome.code, campaign.terms.discount_type))]


def _prefixed_usage(row, prefix: str) -> Optional[UsageRecord]:
    """The usage in `row`'s columns named `prefix`<column>, or None."""
    if getattr(row, prefix + "id") is None:
        return None
    return usage_record(SimpleNamespace(**{column.key: getattr(row, prefix + column.key) for column in USAGE_COLUMNS}))


def _replay(command: ApplyDiscount, usage: UsageRecord) -> ApplyResult:
    return AppliedDiscount(usage) if command.same_request_as(usage) else [KEY_REUSED]


def new_usage(campaign: CampaignRecord, discount: Discount, *, customer_id: int, cart: Cart, now: datetime,
              api_key_id: Optional[int], idempotency_key: Optional[str] = None, coupon_code: Optional[str] = None,
              order_reference: Optional[str] = None, checkout_id: Optional[int] = None) -> dict:
    """The parameters of a new usage, named new_<column>. `coupon_code` is
    the code a code campaign's discount rests on."""
    terms = campaign.terms
    return {
        "new_campaign_id": campaign.id,
        "new_customer_id": customer_id,
        "new_discount_type": terms.discount_type.value,
        "new_cart_value": cart.cart_value,
        "new_delivery_charge": cart.delivery_charge,
        "new_original_amount": discount.original_amount,
        "new_discount_amount": discount.discount_amount,
        "new_final_amount": discount.final_amount,
        "new_used_at": now,
        "new_idempotency_key": idempotency_key,
        "new_api_key_id": api_key_id,
        "new_daily_limit_at_apply": terms.max_usage_per_customer_per_day,
        "new_customer_limit_at_apply": terms.max_usage_per_customer,
        "new_order_reference": order_reference,
        "new_exclusive": terms.exclusive,
        "new_coupon_code": coupon_code if terms.requires_code else None,
        "new_reversed_amount": ZERO,
        "new_checkout_id": checkout_id,
    }


def _new_usage(command: ApplyDiscount, campaign: CampaignRecord, discount: Discount, now: datetime,
               code: Optional[str]) -> dict:
    return new_usage(campaign, discount, customer_id=command.customer_id, cart=command.cart, now=now,
                     api_key_id=command.api_key_id, idempotency_key=command.idempotency_key, coupon_code=code,
                     order_reference=command.order_reference)


def campaign_after(locked_campaign: CampaignRecord, usage: UsageRecord) -> CampaignRecord:
    """The campaign as the usage left it: its amount added to the used budget
    the lock saw and one more use counted, as the UPDATE did."""
    terms = locked_campaign.terms
    return replace(locked_campaign, terms=replace(terms, used_budget=terms.used_budget + usage.discount_amount,
                                                  usage_count=terms.usage_count + 1))


def record_budget_events(connection: Connection, locked_campaign: CampaignRecord, campaign: CampaignRecord,
                         now: datetime) -> None:
    """The thresholds the usage's amount crossed, decided under the campaign's
    lock: `locked_campaign` as the lock returned it, `campaign` after the usage."""
    before, after = locked_campaign.terms, campaign.terms
    record_budget_crossings(connection, campaign.id, now, before.used_budget, before.total_budget,
                            after.used_budget, after.total_budget)


def _recorded(connection: Connection, usage: UsageRecord, locked_campaign: CampaignRecord,
              customer: CustomerRecord, now: datetime) -> AppliedDiscount:
    campaign = campaign_after(locked_campaign, usage)
    record_budget_events(connection, locked_campaign, campaign, now)
    terms = campaign.terms
    return AppliedDiscount(usage, campaign, customer, budget_exhausted=terms.used_budget >= terms.total_budget)


def lock_customer_order_and_codes(connection: Connection, parameters: dict) -> Optional[object]:
    """The locks every apply takes first, in their order; the customer's row,
    None when there is no such customer. `parameters` (standing_parameters')
    keeps only the codes it locked."""
    customer_row = None
    if parameters["customer_id"] is not None:
        customer_row = LOCK_CUSTOMER.execute(connection, {"customer_id": parameters["customer_id"]}).first()
    if customer_row is not None:
        if parameters["order_reference"] is not None:
            connection.execute(LOCK_ORDER, {"order_reference": parameters["order_reference"]})
        if parameters["codes"]:
            parameters["codes"] = sorted(LOCK_CODES.execute(connection, {"codes": parameters["codes"]}).scalars())
    return customer_row


def count_code_use(connection: Connection, code: str) -> None:
    if connection.execute(COUNT_CODE_USE, {"used_code": code}).rowcount != 1:
        # Only if a code were used without its lock: roll the whole apply back.
        raise RuntimeError(f"coupon code {code} was used without its lock")


def apply_in_transaction(
    connection: Connection, command: ApplyDiscount, now: datetime, zone: tzinfo
) -> ApplyResult:
    """The steps above, in order; the input was checked before (`_apply`)."""
    codes = [command.coupon_code] if command.coupon_code is not None else []
    parameters = standing_parameters(command.customer_id, now, zone, codes, command.order_reference)
    customer_row = lock_customer_order_and_codes(connection, parameters)
    parameters.update({
        # An unknown customer has no standing: NULL matches no target and no usage.
        "customer_id": command.customer_id if customer_row is not None else None,
        "campaign_id": command.campaign_id,
        "idempotency_key": command.idempotency_key,
        "api_key_id": command.api_key_id,
    })
    read = None
    if command.campaign_id is not None:
        statement = CAMPAIGN if command.idempotency_key is not None else CAMPAIGN_WITHOUT_KEY
        read = statement.execute(connection, parameters).first()
    not_found = ([_CAMPAIGN_NOT_FOUND] if read is None else []) + ([CUSTOMER_NOT_FOUND] if customer_row is None else [])
    if not_found:
        return not_found
    earlier = _prefixed_usage(read, KEYED_PREFIX)
    if earlier is not None:
        return _replay(command, earlier)
    customer = customer_record(customer_row)
    order = order_state(read)  # held still by the order's lock

    campaign = campaign_record(read)
    decision = _decide(campaign, read, order, command.cart, now)
    if not isinstance(decision, Discount):
        return decision
    if campaign.budget_slots > 1:
        return _apply_in_slot_mode(connection, command, parameters, read, campaign, decision, order, customer, now)
    used_budget_from, used_budget_to = same_discount_budget_range(campaign.terms, decision)
    locked = RECORD_IF_UNCHANGED.execute(connection, {
        **parameters, **_new_usage(command, campaign, decision, now, cart_code(read)),
        "read_revision": read.revision, "used_budget_from": used_budget_from, "used_budget_to": used_budget_to,
    }).first()
    if locked is None:  # deleted since the read
        return [_CAMPAIGN_NOT_FOUND]
    locked_campaign = campaign_record(locked)
    recorded = _prefixed_usage(locked, RECORDED_PREFIX)
    if recorded is None and locked_campaign.budget_slots > 1:
        # Switched to hot-campaign mode since the read: this statement's
        # snapshot did not see the slots it lent to, so decide on them collected.
        return _under_campaign_lock(connection, command, parameters, order, customer, now, campaign.id)
    if recorded is None:
        standing_row = locked if locked.seen_revision == locked.revision else \
            connection.execute(STANDING_AGAIN, parameters).one()
        decision = _decide(locked_campaign, standing_row, order, command.cart, now)
        if not isinstance(decision, Discount):
            return decision
        recorded = usage_record(connection.execute(
            RECORD_UNDER_LOCK, _new_usage(command, locked_campaign, decision, now, cart_code(standing_row))).one())
    if recorded.coupon_code is not None:
        count_code_use(connection, recorded.coupon_code)
    return _recorded(connection, recorded, locked_campaign, customer, now)


def _apply_in_slot_mode(connection: Connection, command: ApplyDiscount, parameters: dict, read,
                        campaign: CampaignRecord, decision: Discount, order: OrderState, customer: CustomerRecord,
                        now: datetime) -> ApplyResult:
    """Step 3 in hot-campaign mode: from a slot when one holds enough,
    otherwise under the campaign's lock with its slots collected."""
    terms = campaign.terms
    # A discount cut to the budget's rest depends on that rest exactly.
    if decision.discount_amount < terms.remaining_budget:
        spending = {**_new_usage(command, campaign, decision, now, cart_code(read)),
                    "read_revision": read.revision, "capped": terms.max_total_usage is not None,
                    "slot_pick": random.randrange(campaign.budget_slots)}
        row = (_in_savepoint(connection, spending, SPEND_FROM_FREE_SLOT)
               or _in_savepoint(connection, spending, SHARE_CAMPAIGN, SPEND_FROM_WAITED_SLOT))
        if row is not None:
            usage = usage_record(row)
            if usage.coupon_code is not None:
                count_code_use(connection, usage.coupon_code)
            # The campaign as read, with this usage: other slots' spending is
            # not known without their locks. Slots never spend the last cent.
            return AppliedDiscount(usage, campaign_after(campaign, usage), customer)
    connection.execute(LOCK_CAMPAIGN, {"campaign_id": campaign.id})
    return _under_campaign_lock(connection, command, parameters, order, customer, now, campaign.id)


def _in_savepoint(connection: Connection, parameters: dict, *statements: PreparedStatement) -> Optional[object]:
    """The last statement's row, its savepoint released; when it gives none,
    the savepoint rolled back. A slot locked and then passed over (it
    changed meanwhile) stays locked, and so does the shared campaign lock:
    the rollback lets them go before the transaction waits for anything
    else, as others lock the campaign and every slot and wait for them."""
    attempt = connection.begin_nested()
    for statement in statements:
        row = statement.execute(connection, parameters).first()
    if row is None:
        attempt.rollback()
    else:
        attempt.commit()
    return row


def _under_campaign_lock(connection: Connection, command: ApplyDiscount, parameters: dict, order: OrderState,
                         customer: CustomerRecord, now: datetime, campaign_id: int) -> ApplyResult:
    """With the campaign's row locked: its slots collected, the rules on
    its true figures, the usage recorded in the pool, and the slots lent to
    again."""
    with collected(connection, [campaign_id]) as lending:
        locked = CAMPAIGN_WITHOUT_KEY.execute(connection, parameters).first()
        if locked is None:  # deleted since the read
            return [_CAMPAIGN_NOT_FOUND]
        locked_campaign = campaign_record(locked)
        decision = _decide(locked_campaign, locked, order, command.cart, now)
        if not isinstance(decision, Discount):
            return decision
        lending.unit = decision.discount_amount
        recorded = usage_record(connection.execute(
            RECORD_UNDER_LOCK, _new_usage(command, locked_campaign, decision, now, cart_code(locked))).one())
        if recorded.coupon_code is not None:
            count_code_use(connection, recorded.coupon_code)
        return _recorded(connection, recorded, locked_campaign, customer, now)


def _usage_by_key(session: Session, api_key_id: int, key: str) -> Optional[UsageRecord]:
    row = session.execute(select(*USAGE_COLUMNS).where(
        DiscountUsage.api_key_id == api_key_id, DiscountUsage.idempotency_key == key)).first()
    return usage_record(row) if row is not None else None


async def apply_discount(
    database: Database, command: ApplyDiscount, now: datetime, zone: tzinfo
) -> ApplyResult:
    """The use case: the locked transaction, the key race's fallback, and the
    business events of what happened, once it committed."""
    result = await _apply(database, command, now, zone)
    if isinstance(result, AppliedDiscount) and result.campaign is not None:
        usage = result.usage
        events.discount_applied(usage.id, usage.campaign_id, usage.customer_id, usage.discount_type.value,
                                usage.original_amount, usage.discount_amount)
        if result.budget_exhausted:
            events.budget_exhausted(usage.campaign_id, result.campaign.terms.total_budget)
    elif isinstance(result, list):
        events.discount_refused(command.campaign_id, command.customer_id, result[0].code.value)
    return result


async def _apply(database: Database, command: ApplyDiscount, now: datetime, zone: tzinfo) -> ApplyResult:
    """Two requests with one key but different campaigns lock different rows
    and can race to the INSERT; the loser's transaction rolls back on the
    unique key and its answer is read from the winner's usage."""
    # The input alone decides these: before any thread or connection is taken.
    errors = (cart_errors(command.cart) + idempotency_key_errors(command.idempotency_key)
              + order_reference_errors(command.order_reference)
              + (code_errors(command.coupon_code, ("coupon_code",)) if command.coupon_code is not None else []))
    if errors:
        return errors
    for _attempt in range(2):
        try:
            return await database.write_statements(apply_in_transaction, command, now, zone)
        except IntegrityError as error:
            if command.idempotency_key is None or violated_constraint(error) != IDEMPOTENCY_KEY_CONSTRAINT:
                raise
        usage = await database.read(_usage_by_key, command.api_key_id, command.idempotency_key)
        if usage is not None:
            return _replay(command, usage)
        # The winner rolled back after all, so nothing holds the key: try afresh.
    return [KEY_REUSED]
