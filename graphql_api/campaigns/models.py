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
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db.database import Base

Money = Numeric(12, 2)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[Optional[str]] = mapped_column(Text)
    discount_type: Mapped[str] = mapped_column(String(8))
    discount_percentage: Mapped[Optional[Decimal]] = mapped_column(Numeric(5, 2))
    discount_flat: Mapped[Optional[Decimal]] = mapped_column(Money)
    start_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    total_budget: Mapped[Decimal] = mapped_column(Money)
    used_budget: Mapped[Decimal] = mapped_column(Money, server_default=text("0"))
    max_usage_per_customer_per_day: Mapped[int] = mapped_column(Integer)
    min_cart_value: Mapped[Decimal] = mapped_column(Money, server_default=text("0"))
    max_discount_amount: Mapped[Optional[Decimal]] = mapped_column(Money)
    is_targeted: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    paused: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # Incremented by every edit (terms, targets, deletion), never by an apply:
    # an apply compares it to tell whether an edit committed while it waited
    # for the row lock (discounts/apply.py).
    revision: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    requires_code: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    max_usage_per_customer: Mapped[Optional[int]] = mapped_column(Integer)
    max_total_usage: Mapped[Optional[int]] = mapped_column(Integer)
    # The usages that count (core.campaigns.USAGE_COUNTS), kept under the
    # campaign's row lock by every apply, as used_budget is: maxTotalUsage
    # is decided on it.
    usage_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    exclusive: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    priority: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Hot-campaign mode (core/slots.py): above 1, the budget is lent out to
    # this many CampaignBudgetSlot rows, and used_budget and usage_count
    # count what the slots hold as used; campaigns/slots.py reads the truth.
    budget_slots: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("discount_type IN ('CART', 'DELIVERY')", name="ck_campaigns_discount_type"),
        CheckConstraint(
            "(discount_percentage IS NULL) <> (discount_flat IS NULL)",
            name="ck_campaigns_one_discount_kind",
        ),
        CheckConstraint(
            "discount_percentage > 0 AND discount_percentage <= 100",
            name="ck_campaigns_percentage_range",
        ),
        CheckConstraint("discount_flat > 0", name="ck_campaigns_flat_positive"),
        CheckConstraint("start_date < end_date", name="ck_campaigns_dates_ordered"),
        CheckConstraint("total_budget > 0", name="ck_campaigns_total_budget_positive"),
        CheckConstraint(
            "used_budget >= 0 AND used_budget <= total_budget", name="ck_campaigns_budget_within_total"
        ),
        CheckConstraint("max_usage_per_customer_per_day >= 1", name="ck_campaigns_daily_limit_positive"),
        CheckConstraint("min_cart_value >= 0", name="ck_campaigns_min_cart_non_negative"),
        CheckConstraint("max_discount_amount > 0", name="ck_campaigns_max_discount_positive"),
        CheckConstraint("max_usage_per_customer >= 1", name="ck_campaigns_customer_limit_positive"),
        CheckConstraint("max_total_usage >= 1", name="ck_campaigns_total_limit_positive"),
        CheckConstraint("usage_count >= 0", name="ck_campaigns_usage_count_non_negative"),
        CheckConstraint("budget_slots BETWEEN 1 AND 64", name="ck_campaigns_budget_slots_range"),
        # The checkout's hot path: campaigns that can be live now.
        # The live window's index (core.campaigns.LIVE_WINDOW renders to a
        # condition that contains this predicate, as the planner needs).
        Index(
            "ix_campaigns_live_window",
            "end_date",
            "start_date",
            postgresql_where=text("deleted_at IS NULL AND NOT paused"),
        ),
    )


class CampaignTarget(Base):
    __tablename__ = "campaign_targets"

    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("customers.id", ondelete="RESTRICT"), primary_key=True
    )

    __table_args__ = (Index("ix_campaign_targets_customer", "customer_id"),)


class CampaignBudgetSlot(Base):
    """Money and uses a hot campaign lent to one slot (core/slots.py): an
    apply spends from one slot it locks (a free one, else one it waits for). `revision` is the
    campaign's when the slot was lent to, so that an apply decided on
    older terms finds no slot to spend from. Without a maxTotalUsage,
    `uses` starts at 0 and goes below it by the uses spent."""

    __tablename__ = "campaign_budget_slots"

    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget: Mapped[Decimal] = mapped_column(Money)
    uses: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("budget >= 0", name="ck_campaign_budget_slots_budget_non_negative"),
        CheckConstraint("slot BETWEEN 0 AND 63", name="ck_campaign_budget_slots_slot_range"),
    )
