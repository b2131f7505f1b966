"""Reading usage history."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.errors import NO_SUCH_CUSTOMER, NotFound
from ..customers.models import Customer
from ..pagination import Page, PageRequest
from .models import DiscountUsage
from .records import USAGE_COLUMNS, UsageRecord, usage_record


def usages_by_ids(session: Session, ids: Sequence[int]) -> dict[int, UsageRecord]:
    rows = session.execute(select(*USAGE_COLUMNS).where(DiscountUsage.id.in_(ids))).all()
    return {row.id: usage_record(row) for row in rows}


def usage_pages(
    session: Session, customer_ids: Sequence[int], request: PageRequest
) -> dict[int, Page[UsageRecord]]:
    """One page of history, newest first, for each of several customers at once.

    Window functions number each customer's usages after the cursor and count
    all of them, so a list of customers costs one statement, not one each.
    """
    counted = (
        select(*USAGE_COLUMNS, func.count().over(partition_by=DiscountUsage.customer_id).label("total"))
        .where(DiscountUsage.customer_id.in_(customer_ids))
        .subquery()
    )
    after_cursor = select(
        counted,
        func.row_number()
        .over(partition_by=counted.c.customer_id, order_by=counted.c.id.desc())
        .label("position"),
    )
    if request.after is not None:
        after_cursor = after_cursor.where(counted.c.id < request.after)
    numbered = after_cursor.subquery()
    rows = session.execute(
        select(numbered)
        .where(numbered.c.position <= request.first + 1)
        .order_by(numbered.c.customer_id, numbered.c.id.desc())
    ).all()

    grouped: dict[int, list] = {customer_id: [] for customer_id in customer_ids}
    for row in rows:
        grouped[row.customer_id].append(row)
    totals = {customer_id: group[0].total for customer_id, group in grouped.items() if group}
    uncounted = [customer_id for customer_id in customer_ids if customer_id not in totals]
    if uncounted and request.after is not None:
        # Pages past the end carry no row to read the total from.
        totals.update(
            session.execute(
                select(DiscountUsage.customer_id, func.count())
                .where(DiscountUsage.customer_id.in_(uncounted))
                .group_by(DiscountUsage.customer_id)
            ).all()
        )
    return {
        customer_id: Page(
            items=[(row.id, usage_record(row)) for row in group[: request.first]],
            has_next_page=len(group) > request.first,
            has_previous_page=request.after is not None,
            total_count=totals.get(customer_id, 0),
        )
        for customer_id, group in grouped.items()
    }


def customer_usage_page(session: Session, customer_id: int, request: PageRequest) -> Page[UsageRecord]:
    """A customer's history; an unknown customer is NOT_FOUND, one without
    usages has an empty page."""
    if session.execute(select(Customer.id).where(Customer.id == customer_id)).first() is None:
        raise NotFound(NO_SUCH_CUSTOMER, field=("customer_id",))
    return usage_pages(session, [customer_id], request)[customer_id]
