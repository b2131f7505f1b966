from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Identity, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.database import Base


class CouponCode(Base):
    __tablename__ = "coupon_codes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaigns.id", ondelete="RESTRICT"))
    # Stored upper-case (core.codes.normalize), unique across the service.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    uses_per_code: Mapped[Optional[int]] = mapped_column(Integer)  # NULL: unlimited
    # Usages that count, kept under the code's row lock by every apply.
    usage_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("code ~ '^[A-Z0-9_-]{4,64}$'", name="ck_coupon_codes_form"),
        CheckConstraint("uses_per_code >= 1", name="ck_coupon_codes_uses_positive"),
        CheckConstraint("usage_count >= 0 AND (uses_per_code IS NULL OR usage_count <= uses_per_code)",
                        name="ck_coupon_codes_usage_within_uses"),
        # A campaign's codes in creation order (the codes connection, the CSV export).
        Index("ix_coupon_codes_campaign_id", "campaign_id", "id"),
    )
