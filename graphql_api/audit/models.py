from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Identity, Index, SmallInteger, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db.database import Base


class CampaignEvent(Base):
    """One entry of a campaign's audit log: append-only (a trigger refuses
    UPDATE and DELETE, migration 0006)."""

    __tablename__ = "campaign_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaigns.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The API key's name; NULL for what the service records itself (thresholds).
    actor: Mapped[Optional[str]] = mapped_column(String(255))
    # UPDATED: [{"field": <domain name>, "before": <value>, "after": <value>}] (core.audit.field_changes).
    changes: Mapped[list] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    threshold: Mapped[Optional[int]] = mapped_column(SmallInteger)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('CREATED', 'UPDATED', 'PAUSED', 'RESUMED', 'DELETED', 'CODES_ADDED', 'BUDGET_THRESHOLD', "
            "'EXHAUSTED')", name="ck_campaign_events_kind"),
        CheckConstraint("(kind = 'BUDGET_THRESHOLD') = (threshold IS NOT NULL) AND "
                        "(threshold IS NULL OR threshold IN (50, 80, 95, 100))", name="ck_campaign_events_threshold"),
        # A campaign's log, newest first.
        Index("ix_campaign_events_campaign_id", "campaign_id", "id"),
    )
