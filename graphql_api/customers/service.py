"""Customer reads and use cases. The synchronous functions take the unit of
work's Session first; the async use cases run one unit and log its business
event once it has committed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional, Sequence, Union

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.errors import NO_SUCH_CUSTOMER, ErrorCode, UserError
from ..core.validation import clean_customer, clean_customer_patch, clean_email, external_id_errors
from ..db.database import Database, violated_constraint
from ..observability import events
from ..pagination import Page, PageRequest, fetch_page
from .models import Customer


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    email: str
    name: str
    created_at: datetime
    external_id: Optional[str] = None
    erased_at: Optional[datetime] = None


CUSTOMER_COLUMNS = (Customer.id, Customer.email, Customer.name, Customer.created_at, Customer.external_id,
                    Customer.erased_at)

# An erased customer stays for the bookkeeping of its usages, but gets no
# more discounts and is found by no lookup but its id.
NOT_ERASED = Customer.erased_at.is_(None)

# What eraseCustomer leaves: nothing derived from what was there. The email
# is random, so that the unique index holds and no lookup finds it.
ERASED_NAME = "Erased customer"
ERASED_EMAIL_DOMAIN = "erased.invalid"

EMAIL_TAKEN = UserError(ErrorCode.EMAIL_TAKEN, "A customer with this email address already exists.", ("email",))
EXTERNAL_ID_TAKEN = UserError(ErrorCode.EXTERNAL_ID_TAKEN, "A customer with this externalId already exists.",
                              ("external_id",))
CUSTOMER_NOT_FOUND = UserError(ErrorCode.NOT_FOUND, NO_SUCH_CUSTOMER, ("customer_id",))
_UNIQUE_VALUES = {"uq_customers_email_lower": EMAIL_TAKEN, "uq_customers_external_id": EXTERNAL_ID_TAKEN}


def customer_record(row) -> CustomerRecord:
    return CustomerRecord(id=row.id, email=row.email, name=row.name, created_at=row.created_at,
                          external_id=row.external_id, erased_at=row.erased_at)


def _taken(session: Session, email: Optional[str], external_id: Optional[str],
           other_than: Optional[int] = None) -> list[UserError]:
    """Which of the two unique values another customer holds already."""
    errors = []
    others = Customer.id != other_than if other_than is not None else True
    if email is not None and session.execute(
            select(Customer.id).where(func.lower(Customer.email) == email.lower(), others)).first():
        errors.append(EMAIL_TAKEN)
    if external_id is not None and session.execute(
            select(Customer.id).where(Customer.external_id == external_id, others)).first():
        errors.append(EXTERNAL_ID_TAKEN)
    return errors


def create_customer_in_transaction(
    session: Session, email: str, name: str, now: datetime, external_id: Optional[str] = None
) -> Union[CustomerRecord, list[UserError]]:
    fields, errors = clean_customer(email, name, external_id)
    if fields is None:
        return errors
    # ON CONFLICT decides, concurrent duplicates included; only a refusal asks which value was taken.
    row = session.execute(
        insert(Customer)
        .values(email=fields.email, name=fields.name, external_id=fields.external_id, created_at=now)
        .on_conflict_do_nothing()
        .returning(*CUSTOMER_COLUMNS)
    ).first()
    if row is None:
        return _taken(session, fields.email, fields.external_id) or [EMAIL_TAKEN]
    return customer_record(row)


def _lock(session: Session, customer_id: int):
    # NO KEY UPDATE, as the applies lock customers (discounts/apply.py).
    return session.execute(select(*CUSTOMER_COLUMNS).where(Customer.id == customer_id, NOT_ERASED)
                           .with_for_update(key_share=True)).first()


def update_customer_in_transaction(
    session: Session, customer_id: int, fields: Mapping[str, Any]
) -> Union[CustomerRecord, list[UserError]]:
    """`fields` as core.validation.clean_customer_patch cleaned them."""
    row = _lock(session, customer_id)
    if row is None:
        return [CUSTOMER_NOT_FOUND]
    taken = _taken(session, fields.get("email"), fields.get("external_id"), other_than=customer_id)
    if taken:
        return taken
    if not fields:
        return customer_record(row)
    return customer_record(session.execute(
        update(Customer).where(Customer.id == customer_id).values(**fields).returning(*CUSTOMER_COLUMNS)).one())


@dataclass(frozen=True)
class Erasure:
    customer_id: int
    now: bool  # False: the customer was erased before, and nothing changed


def erase_customer_in_transaction(session: Session, customer_id: int,
                                  now: datetime) -> Union[Erasure, list[UserError]]:
    """Placeholders over what identifies the customer; usages and reversals
    keep their amounts. Erasing an erased customer changes nothing."""
    erased = session.execute(
        update(Customer).where(Customer.id == customer_id, NOT_ERASED)
        .values(email=f"erased-{secrets.token_hex(12)}@{ERASED_EMAIL_DOMAIN}", name=ERASED_NAME,
                external_id=None, erased_at=now)
        .returning(Customer.id)).scalar()
    if erased is not None:
        return Erasure(erased, now=True)
    exists = session.execute(select(Customer.id).where(Customer.id == customer_id)).first()
    return Erasure(customer_id, now=False) if exists else [CUSTOMER_NOT_FOUND]


def customers_by_ids(session: Session, ids: Sequence[int]) -> dict[int, CustomerRecord]:
    rows = session.execute(select(*CUSTOMER_COLUMNS).where(Customer.id.in_(ids))).all()
    return {row.id: customer_record(row) for row in rows}


def customer_by_email(session: Session, email: str) -> Optional[CustomerRecord]:
    """Matched as createCustomer stores it (normalized, ignoring case); an
    address that is not one finds nobody."""
    normalized, errors = clean_email(email)
    if errors or normalized is None:
        return None
    row = session.execute(select(*CUSTOMER_COLUMNS)
                          .where(func.lower(Customer.email) == normalized.lower(), NOT_ERASED)).first()
    return customer_record(row) if row is not None else None


def customer_by_external_id(session: Session, external_id: str) -> Optional[CustomerRecord]:
    """Matched exactly; a value no customer could have finds nobody."""
    if external_id_errors(external_id):
        return None
    row = session.execute(select(*CUSTOMER_COLUMNS).where(Customer.external_id == external_id, NOT_ERASED)).first()
    return customer_record(row) if row is not None else None


def existing_customer_ids(session: Session, ids: Sequence[int]) -> set[int]:
    return set(session.execute(select(Customer.id).where(Customer.id.in_(ids))).scalars())


def customers_page(session: Session, request: PageRequest) -> Page[CustomerRecord]:
    return fetch_page(session, select(*CUSTOMER_COLUMNS), Customer.id, request, customer_record)


async def create_customer(
    database: Database, email: str, name: str, now: datetime, external_id: Optional[str] = None
) -> Union[CustomerRecord, list[UserError]]:
    """The use case: the unit of work, and its business event once committed."""
    result = await database.write(create_customer_in_transaction, email, name, now, external_id)
    if isinstance(result, CustomerRecord):
        events.customer_created(result.id)
    return result


async def update_customer(database: Database, customer_id: Optional[int],
                          patch: Mapping[str, Any]) -> Union[CustomerRecord, list[UserError]]:
    fields, errors = clean_customer_patch(patch)
    if errors:
        return errors
    if customer_id is None:
        return [CUSTOMER_NOT_FOUND]
    try:
        result = await database.write(update_customer_in_transaction, customer_id, fields)
    except IntegrityError as error:
        # A concurrent update took the value after this one looked.
        taken = _UNIQUE_VALUES.get(violated_constraint(error))
        if taken is None:
            raise
        return [taken]
    if isinstance(result, CustomerRecord):
        events.customer_changed(result.id, fields)
    return result


async def erase_customer(database: Database, customer_id: Optional[int],
                         now: datetime) -> Union[Erasure, list[UserError]]:
    if customer_id is None:
        return [CUSTOMER_NOT_FOUND]
    result = await database.write(erase_customer_in_transaction, customer_id, now)
    if isinstance(result, Erasure) and result.now:
        events.customer_erased(result.customer_id)
    return result
