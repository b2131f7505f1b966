"""The statements of the apply transaction, built once with bind parameters
(building and fingerprinting a statement this size costs more Python than
running it), and the ones every apply runs prepared on the server
(prepared_statements.py). `apply.py` runs them; the comment below says why
they are safe.

Parameters of a new usage are named new_<column>: a parameter named like a
column of an UPDATE's table would also be SET.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, and_, bindparam, cast, false, insert, select, true, update

from ..campaigns.conditions import NOT_DELETED_SQL
from ..campaigns.models import Campaign, Money
from ..campaigns.records import CAMPAIGN_COLUMNS
from ..customers.models import Customer
from ..db.prepared_statements import PreparedStatement
from .models import DiscountUsage
from .offers import CUSTOMER_ID, standing_columns
from .records import USAGE_COLUMNS

# The steps, and what makes each safe:
# 1. The customer is locked FOR NO KEY UPDATE (which leaves the foreign-key
#    checks of other inserts alone): one customer's applies run one at a time,
#    so the next statement sees every usage of the customer committed before.
# 2. The campaign, the customer's standing with it and any usage under the
#    idempotency key are read without locking the campaign, and the rules
#    decide on that. A refusal stands: it was true of committed data.
# 3. One statement locks the campaign and records the discount only if what
#    the rules read still holds: the same `revision` (every edit bumps it) and
#    a used budget at which the rules give the same discount
#    (`same_discount_budget_range`). So the campaign row is locked for this
#    statement and the commit, not for the rules in between.
# 4. Otherwise (an edit, or other applies took the budget's last room), that
#    statement still holds the lock and returns the campaign as locked with the
#    customer's standing, and the rules decide again on those. PostgreSQL
#    returns the newest version of a row it waited to lock, while the rest of
#    the statement reads the snapshot taken when it began; when an edit
#    committed during that wait, the revisions differ and the standing is
#    read again.
LOCK_CUSTOMER = PreparedStatement(select(Customer.id).where(Customer.id == CUSTOMER_ID).with_for_update(key_share=True))

_KEYED_USAGE = DiscountUsage.__table__.alias("keyed_usage")
KEYED_PREFIX = "keyed_"
RECORDED_PREFIX = "recorded_"
_SEEN_CAMPAIGN = Campaign.__table__.alias("seen_campaign")
_THIS_CAMPAIGN = (Campaign.id == bindparam("campaign_id"), NOT_DELETED_SQL)


def _prefixed(columns, prefix: str) -> list:
    return [column.label(prefix + column.key) for column in columns]


def _campaign_with_facts(same_key):
    """The campaign, the customer's standing with it, and an earlier usage
    under the same idempotency key (NULL `keyed_` columns when none)."""
    return (
        select(*CAMPAIGN_COLUMNS, Campaign.revision, *standing_columns(Campaign.id),
               *_prefixed((_KEYED_USAGE.c[column.key] for column in USAGE_COLUMNS), KEYED_PREFIX))
        .select_from(Campaign)
        .outerjoin(_KEYED_USAGE, same_key)
        .where(*_THIS_CAMPAIGN)
    )


# An idempotency key is looked up within the API key that sent it.
CAMPAIGN = PreparedStatement(_campaign_with_facts(and_(
    _KEYED_USAGE.c.api_key_id == bindparam("api_key_id"),
    _KEYED_USAGE.c.idempotency_key == bindparam("idempotency_key"),
)))
# `== None` would render IS NULL and match every usage without a key.
CAMPAIGN_WITHOUT_KEY = PreparedStatement(_campaign_with_facts(false()))

# Every column of a usage but its generated id.
_USAGE_VALUES = tuple(column.key for column in USAGE_COLUMNS if column.key != "id")
_ADD_TO_USED_BUDGET = {"used_budget": Campaign.used_budget + bindparam("new_discount_amount", type_=Money)}


def _record_if_unchanged():
    """Step 3 above: lock the campaign; record the usage and add its amount to
    the used budget only when the revision and the used budget are as the
    rules need them. Returns the locked campaign with the standing, the
    revision this statement's snapshot saw, and the usage (NULL `recorded_`
    columns when not recorded); no row when the campaign is gone."""
    seen_revision = (
        select(_SEEN_CAMPAIGN.c.revision).where(_SEEN_CAMPAIGN.c.id == Campaign.id).scalar_subquery()
    )
    locked = (
        select(*CAMPAIGN_COLUMNS, Campaign.revision, seen_revision.label("seen_revision"),
               *standing_columns(Campaign.id))
        .where(*_THIS_CAMPAIGN)
        .with_for_update(of=Campaign)
        .cte("locked")
    )
    budget_update = (
        update(Campaign)
        .where(
            Campaign.id == locked.c.id,
            locked.c.revision == bindparam("read_revision"),
            locked.c.used_budget.between(bindparam("used_low", type_=Money), bindparam("used_high", type_=Money)),
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

# The standing again, for when an edit committed while the lock was awaited.
STANDING = select(*standing_columns(bindparam("campaign_id", type_=BigInteger)))

# Step 4's record, under the lock already held: the usage and the used budget
# in one statement (a data-modifying CTE).
RECORD_USAGE = (
    insert(DiscountUsage)
    .add_cte(update(Campaign).where(Campaign.id == bindparam("new_campaign_id")).values(_ADD_TO_USED_BUDGET)
             .cte("budget_update"))
    .values({column: bindparam(f"new_{column}") for column in _USAGE_VALUES})
    .returning(*USAGE_COLUMNS)
)
