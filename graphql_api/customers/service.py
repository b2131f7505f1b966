"""Customer reads and use cases. The synchronous functions take the unit of
work's Session first; `create_customer` runs one unit and logs its event
once it has committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence, Union

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..core.errors import ErrorCode, UserError
from ..core.validation import clean_customer
from ..db.database import Database
from ..observability import events
from ..pagination import Page, PageRequest, fetch_page
from .models import Customer


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    email: str
    name: str
    created_at: datetime


CUSTOMER_COLUMNS = (Customer.id, Customer.email, Customer.name, Customer.created_at)


def customer_record(row) -> CustomerRecord:
    return CustomerRecord(id=row.id, email=row.email, name=row.name, created_at=row.created_at)


def create_customer_in_transaction(
    session: Session, email: str, name: str, now: datetime
) -> Union[CustomerRecord, list[UserError]]:
    fields, errors = clean_customer(email, name)
    if fields is None:
        return errors
    # ON CONFLICT keeps a concurrent duplicate from turning into an exception.
    row = session.execute(
        insert(Customer)
        .values(email=fields.email, name=fields.name, created_at=now)
        .on_conflict_do_nothing(index_elements=[func.lower(Customer.email)])
        .returning(*CUSTOMER_COLUMNS)
    ).first()
    if row is None:
        return [
            UserError(
                code=ErrorCode.EMAIL_TAKEN,
                message="A customer with this email address already exists.",
                field=("email",),
            )
        ]
    return customer_record(row)


def customers_by_ids(session: Session, ids: Sequence[int]) -> dict[int, CustomerRecord]:
    rows = session.execute(select(*CUSTOMER_COLUMNS).where(Customer.id.in_(ids))).all()
    return {row.id: customer_record(row) for row in rows}


def existing_customer_ids(session: Session, ids: Sequence[int]) -> set[int]:
    return set(session.execute(select(Customer.id).where(Customer.id.in_(ids))).scalars())


def customers_page(session: Session, request: PageRequest) -> Page[CustomerRecord]:
    return fetch_page(session, select(*CUSTOMER_COLUMNS), Customer.id, request, customer_record)


async def create_customer(
    database: Database, email: str, name: str, now: datetime
) -> Union[CustomerRecord, list[UserError]]:
    """The use case: the unit of work, and its business event once committed."""
    result = await database.write(create_customer_in_transaction, email, name, now)
    if isinstance(result, CustomerRecord):
        events.customer_created(result.id)
    return result
