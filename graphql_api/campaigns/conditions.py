"""The campaign rules of core/campaigns.py rendered to SQL: the status, the
live window, the soft-delete filter and which usages count, each from its
one definition."""

from __future__ import annotations

from sqlalchemy import and_, case, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from ..core.campaigns import (
    LIVE_WINDOW,
    NOT_DELETED,
    NOT_OVER,
    ROOM_UNDER_TOTAL_CAP,
    USAGE_COUNTS,
    OTHERWISE,
    STATUS_RULES,
    AllOf,
    AnyOf,
    Condition,
    Flag,
    Not,
    NowAfter,
    NowBefore,
    Reached,
    Unset,
)
from ..core.codes import CODE_USABLE
from .models import Campaign
from .slots import USAGE_COUNT, USED_BUDGET

_FLAGS = {"paused": Campaign.paused, "deleted": Campaign.deleted_at.is_not(None)}


def to_sql(condition: Condition, now, table=Campaign) -> ColumnElement:
    """`now` is a value or a bound parameter; `table` holds the fields named
    (the campaigns, or the usages for USAGE_COUNTS)."""
    if isinstance(condition, Flag):
        return _FLAGS[condition.name]
    if isinstance(condition, NowAfter):
        return _column(table, condition.field) < now
    if isinstance(condition, NowBefore):
        return _column(table, condition.field) > now
    if isinstance(condition, Reached):
        return _column(table, condition.field) >= _column(table, condition.limit)
    if isinstance(condition, Unset):
        return _column(table, condition.field).is_(None)
    if isinstance(condition, Not):
        # SQLAlchemy negates an operator in place: NOT (a < b) renders a >= b,
        # and NOT (x IS NOT NULL) renders x IS NULL, as the index predicate has it.
        return not_(to_sql(condition.condition, now, table))
    if isinstance(condition, AnyOf):
        return or_(*(to_sql(part, now, table) for part in condition.conditions))
    if isinstance(condition, AllOf):
        return and_(*(to_sql(part, now, table) for part in condition.conditions))
    raise TypeError(f"no SQL for {condition!r}")


# On the campaigns table, the true figures of a campaign in slot mode.
_TRUE_FIGURES = {"used_budget": USED_BUDGET.element, "usage_count": USAGE_COUNT.element}


def _column(table, name: str):
    """A mapped class's attribute, or a table's (or alias's) column."""
    if table is Campaign and name in _TRUE_FIGURES:
        return _TRUE_FIGURES[name]
    columns = getattr(table, "c", None)
    return columns[name] if columns is not None else getattr(table, name)


def status_expression(now) -> ColumnElement:
    """The status at `now`, so that filtering by status happens in the
    database and paging stays correct."""
    return case(*((to_sql(condition, now), status.value) for status, condition in STATUS_RULES),
                else_=OTHERWISE.value)


def live_window(now) -> ColumnElement:
    return to_sql(LIVE_WINDOW, now)


def not_over(now) -> ColumnElement:
    return to_sql(NOT_OVER, now)


def room_under_total_cap(campaigns) -> ColumnElement:
    """ROOM_UNDER_TOTAL_CAP over `campaigns` (the table, or a CTE of its columns)."""
    return to_sql(ROOM_UNDER_TOTAL_CAP, None, campaigns)


def code_usable(codes) -> ColumnElement:
    """core.codes.CODE_USABLE over `codes` (the coupon_codes table or an alias)."""
    return to_sql(CODE_USABLE, None, codes)


def usage_counts(usages) -> ColumnElement:
    """Whether a usage of `usages` (the table or an alias) still counts toward the limits."""
    return to_sql(USAGE_COUNTS, None, usages)


# Not a function of time: rendered once.
NOT_DELETED_SQL: ColumnElement = to_sql(NOT_DELETED, None)
