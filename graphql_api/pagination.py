"""Keyset pages over a query ordered by primary key.

Keyset (not OFFSET) paging keeps every page one index range scan and walks each
item exactly once even while rows are added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Optional, Sequence, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PageRequest:
    first: int = DEFAULT_PAGE_SIZE
    after: Optional[int] = None  # primary key of the last item already seen


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[tuple[int, T]]  # (key, item)
    has_next_page: bool
    has_previous_page: bool
    total_count: int


def fetch_page(
    session: Session,
    query: Select,
    key_column,
    request: PageRequest,
    to_item: Callable[[object], T],
    *,
    newest_first: bool = False,
) -> Page[T]:
    """One statement for the page and its total (a scalar subquery over the same
    filter), plus a count only when the page comes back empty."""
    total = select(func.count()).select_from(query.order_by(None).subquery()).scalar_subquery()
    paged = query.add_columns(total.label("_total"))
    if request.after is not None:
        paged = paged.where(key_column < request.after if newest_first else key_column > request.after)
    paged = paged.order_by(key_column.desc() if newest_first else key_column.asc())
    rows = session.execute(paged.limit(request.first + 1)).all()
    if rows:
        total_count = rows[0]._total
    else:
        total_count = session.execute(select(total)).scalar_one()
    items = [(row[0], to_item(row)) for row in rows[: request.first]]
    return Page(
        items=items,
        has_next_page=len(rows) > request.first,
        has_previous_page=request.after is not None,
        total_count=total_count,
    )


def fetch_pages_by(
    session: Session,
    columns: Sequence,
    group_column,
    key_column,
    group_ids: Sequence[int],
    request: PageRequest,
    to_item: Callable[[object], T],
    *,
    newest_first: bool = False,
) -> dict[int, Page[T]]:
    """The same page of each group's list (a campaign's events, say), for
    several groups in one statement: window functions number each group's
    rows after the cursor and count all of them. A page past the end has no
    row to read its total from: one more count for those."""
    counted = (
        select(*columns, func.count().over(partition_by=group_column).label("_total"))
        .where(group_column.in_(group_ids))
        .subquery()
    )
    group, key = counted.c[group_column.key], counted.c[key_column.key]
    numbered = select(
        counted, func.row_number().over(partition_by=group, order_by=key.desc() if newest_first else key)
        .label("_position"))
    if request.after is not None:
        numbered = numbered.where(key < request.after if newest_first else key > request.after)
    numbered = numbered.subquery()
    rows = session.execute(
        select(numbered).where(numbered.c._position <= request.first + 1)
        .order_by(numbered.c[group_column.key], numbered.c._position)
    ).all()
    grouped: dict[int, list] = {group_id: [] for group_id in group_ids}
    for row in rows:
        grouped[getattr(row, group_column.key)].append(row)
    totals = {group_id: rows_[0]._total for group_id, rows_ in grouped.items() if rows_}
    uncounted = [group_id for group_id in group_ids if group_id not in totals]
    if uncounted and request.after is not None:
        totals.update(session.execute(
            select(group_column, func.count()).where(group_column.in_(uncounted)).group_by(group_column)).all())
    return {
        group_id: Page(
            items=[(getattr(row, key_column.key), to_item(row)) for row in rows_[: request.first]],
            has_next_page=len(rows_) > request.first,
            has_previous_page=request.after is not None,
            total_count=totals.get(group_id, 0),
        )
        for group_id, rows_ in grouped.items()
    }
