from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..campaigns.conditions import usage_counts
from ..campaigns.models import Money
from ..db.database import Base


# Idempotency keys are scoped to the API key that sent them.
IDEMPOTENCY_KEY_CONSTRAINT = "uq_discount_usages_api_key_idempotency_key"


class DiscountUsage(Base):
    __tablename__ = "discount_usages"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="RESTRICT")
    )
    customer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("customers.id", ondelete="RESTRICT")
    )
    discount_type: Mapped[str] = mapped_column(String(8))
    cart_value: Mapped[Decimal] = mapped_column(Money)
    delivery_charge: Mapped[Decimal] = mapped_column(Money)
    original_amount: Mapped[Decimal] = mapped_column(Money)
    discount_amount: Mapped[Decimal] = mapped_column(Money)
    final_amount: Mapped[Decimal] = mapped_column(Money)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(255))
    # The API key that applied it; NULL for usages recorded before migration 0004.
    api_key_id: Mapped[Optional[int]] = mapped_column(BigInteger, ForeignKey("api_keys.id", ondelete="RESTRICT"))
    # maxUsagePerCustomerPerDay when it was applied: `check` judges a usage by
    # the limit it was applied under, not by one lowered since.
    daily_limit_at_apply: Mapped[Optional[int]] = mapped_column(Integer)
    # maxUsagePerCustomer when it was applied (NULL: no cap), for the same reason.
    customer_limit_at_apply: Mapped[Optional[int]] = mapped_column(Integer)
    # The shop's order or checkout id: usages that share it are one order.
    order_reference: Mapped[Optional[str]] = mapped_column(String(255))
    # Whether the campaign was exclusive when applied: the order rule judges by it.
    exclusive: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    coupon_code: Mapped[Optional[str]] = mapped_column(
        String(64), ForeignKey("coupon_codes.code", ondelete="RESTRICT"))
    # What reversals gave back (the ledger); a fully reversed usage stops
    # counting toward every limit (core.campaigns.USAGE_COUNTS).
    reversed_amount: Mapped[Decimal] = mapped_column(Money, server_default=text("0"))
    checkout_id: Mapped[Optional[int]] = mapped_column(BigInteger, ForeignKey("checkouts.id", ondelete="RESTRICT"))

    __table_args__ = (
        UniqueConstraint("api_key_id", "idempotency_key", name=IDEMPOTENCY_KEY_CONSTRAINT),
        CheckConstraint("discount_type IN ('CART', 'DELIVERY')", name="ck_usages_discount_type"),
        CheckConstraint(
            "discount_amount > 0 AND discount_amount <= original_amount",
            name="ck_usages_discount_within_original",
        ),
        CheckConstraint(
            "final_amount = original_amount - discount_amount", name="ck_usages_final_amount"
        ),
        CheckConstraint(
            "cart_value >= 0 AND delivery_charge >= 0", name="ck_usages_amounts_non_negative"
        ),
        CheckConstraint(
            "reversed_amount >= 0 AND reversed_amount <= discount_amount", name="ck_usages_reversed_within_amount"
        ),
        # An order's usages (the combination rule).
        Index("ix_usages_order_reference", "order_reference", postgresql_where=text("order_reference IS NOT NULL")),
        # A customer's history, newest first.
        Index("ix_usages_customer_id", "customer_id", "id"),
    )


# A customer's usages of a campaign that count, today's (the daily limit) and
# all (the lifetime cap): partial on the counting rule itself, so that both
# counts are index-only scans, with no visit to the rows.
Index("ix_usages_campaign_customer_used_at", DiscountUsage.campaign_id, DiscountUsage.customer_id,
      DiscountUsage.used_at, postgresql_where=usage_counts(DiscountUsage.__table__))
# A campaign's counting usages by time, with their amounts: Campaign.stats's
# last hour and days are index-only range scans.
Index("ix_usages_campaign_used_at", DiscountUsage.campaign_id, DiscountUsage.used_at,
      postgresql_include=["discount_amount", "reversed_amount"],
      postgresql_where=usage_counts(DiscountUsage.__table__))


REVERSAL_KEY_CONSTRAINT = "uq_discount_reversals_api_key_idempotency_key"


class DiscountReversal(Base):
    """Money given back from a usage: append-only (a trigger refuses UPDATE
    and DELETE, migration 0006); the usage's reversed_amount is their sum."""

    __tablename__ = "discount_reversals"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    usage_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("discount_usages.id", ondelete="RESTRICT"))
    # The usage's campaign, so that the budget invariant sums a campaign's reversals directly.
    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaigns.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(String(255))
    reversed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    api_key_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("api_keys.id", ondelete="RESTRICT"))
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(255))

    __table_args__ = (
        UniqueConstraint("api_key_id", "idempotency_key", name=REVERSAL_KEY_CONSTRAINT),
        CheckConstraint("amount > 0", name="ck_reversals_amount_positive"),
        CheckConstraint("char_length(reason) BETWEEN 1 AND 255", name="ck_reversals_reason_length"),
        Index("ix_discount_reversals_usage_id", "usage_id", "id"),
        Index("ix_discount_reversals_campaign_id", "campaign_id"),
    )


CHECKOUT_KEY_CONSTRAINT = "uq_checkouts_api_key_idempotency_key"


class Checkout(Base):
    """An applyBestDiscounts that recorded something, kept for its idempotency
    key: a replay answers with the usages that point at it."""

    __tablename__ = "checkouts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("api_keys.id", ondelete="RESTRICT"))
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(255))
    customer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("customers.id", ondelete="RESTRICT"))
    order_reference: Mapped[str] = mapped_column(String(255))
    cart_value: Mapped[Decimal] = mapped_column(Money)
    delivery_charge: Mapped[Decimal] = mapped_column(Money)
    # The cart's codes, normalized and sorted: part of "the same input".
    coupon_codes: Mapped[str] = mapped_column(Text, server_default=text("''"))
    # The codes the first answer listed as rejected, as sent: a replay answers the same.
    rejected_coupon_codes: Mapped[str] = mapped_column(Text, server_default=text("''"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("api_key_id", "idempotency_key", name=CHECKOUT_KEY_CONSTRAINT),)
