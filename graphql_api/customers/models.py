from __future__ import annotations

from datetime import datetime

from typing import Optional

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.database import Base


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The shop's own id for the customer, exact (no case folding).
    external_id: Mapped[Optional[str]] = mapped_column(String(255))
    # Set by eraseCustomer, which leaves placeholders in email and name.
    erased_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # Uniqueness ignores case over the whole address.
        Index("uq_customers_email_lower", func.lower(email), unique=True),
        Index("uq_customers_external_id", external_id, unique=True, postgresql_where=text("external_id IS NOT NULL")),
    )
