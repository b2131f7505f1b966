from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from ..db.database import Base


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    # CampaignEventKind values; a trigger (migration 0009) queues a delivery
    # for every new audit entry of one of these kinds.
    events: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    # The HMAC key of the signatures; shown once, when the webhook is created.
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(Base):
    """The outbox, and the delivery log: one row per webhook and audit entry."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    webhook_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("webhooks.id", ondelete="RESTRICT"))
    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign_events.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[Optional[int]] = mapped_column(Integer)
    last_error: Mapped[Optional[str]] = mapped_column(String(255))

    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_webhook_deliveries_webhook_event"),
        # What the workers look for: deliveries due and not done.
        Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("delivered_at IS NULL")),
        Index("ix_webhook_deliveries_webhook_id", "webhook_id", "id"),
    )
