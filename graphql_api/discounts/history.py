"""Reading usage history."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import NO_SUCH_CUSTOMER, NotFound
from ..customers.models import Customer
from ..pagination import Page, PageRequest, fetch_pages_by
from .models import DiscountUsage
from .records import USAGE_COLUMNS, UsageRecord, usage_record


def usages_by_ids(session: Session, ids: Sequence[int]) -> dict[int, UsageRecord]:
    rows = session.execute(select(*USAGE_COLUMNS).where(DiscountUsage.id.in_(ids))).all()
    return {row.id: usage_record(row) for row in rows}


def usage_pages(
    session: Session, customer_ids: Sequence[int], request: PageRequest
) -> dict[int, Page[UsageRecord]]:
    """One page of history, newest first, for each of several customers at
    once: a list of customers costs one statement, not one each."""
    return fetch_pages_by(session, USAGE_COLUMNS, DiscountUsage.customer_id, DiscountUsage.id, customer_ids,
                          request, usage_record, newest_first=True)


def customer_usage_page(session: Session, customer_id: int, request: PageRequest) -> Page[UsageRecord]:
    """A customer's history; an unknown customer is NOT_FOUND, one without
    usages has an empty page."""
    if session.execute(select(Customer.id).where(Customer.id == customer_id)).first() is None:
        raise NotFound(NO_SUCH_CUSTOMER, field=("customer_id",))
    return usage_pages(session, [customer_id], request)[customer_id]
