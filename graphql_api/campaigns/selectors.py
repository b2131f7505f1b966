"""Read-side queries for campaigns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.campaigns import CampaignStatus, DiscountType
from ..customers.models import Customer
from ..customers.service import CustomerRecord
from ..pagination import Page, PageRequest, fetch_page
from .conditions import NOT_DELETED_SQL, status_expression
from .models import Campaign, CampaignTarget
from .records import CAMPAIGN_COLUMNS, CampaignRecord, campaign_record


@dataclass(frozen=True)
class CampaignFilter:
    discount_type: Optional[DiscountType] = None
    status: Optional[CampaignStatus] = None
    is_targeted: Optional[bool] = None


def campaigns_page(
    session: Session, campaign_filter: CampaignFilter, request: PageRequest, now: datetime
) -> Page[CampaignRecord]:
    query = select(*CAMPAIGN_COLUMNS).where(NOT_DELETED_SQL)
    if campaign_filter.discount_type is not None:
        query = query.where(Campaign.discount_type == campaign_filter.discount_type.value)
    if campaign_filter.is_targeted is not None:
        query = query.where(Campaign.is_targeted == campaign_filter.is_targeted)
    if campaign_filter.status is not None:
        query = query.where(status_expression(now) == campaign_filter.status.value)
    return fetch_page(session, query, Campaign.id, request, campaign_record)


def campaigns_by_ids(
    session: Session, ids: Sequence[int], *, include_deleted: bool = False
) -> dict[int, CampaignRecord]:
    query = select(*CAMPAIGN_COLUMNS).where(Campaign.id.in_(ids))
    if not include_deleted:
        query = query.where(NOT_DELETED_SQL)
    return {row.id: campaign_record(row) for row in session.execute(query)}


def targets_by_campaign_ids(
    session: Session, campaign_ids: Sequence[int]
) -> dict[int, list[CustomerRecord]]:
    rows = session.execute(
        select(CampaignTarget.campaign_id, Customer.id, Customer.email, Customer.name, Customer.created_at)
        .join(Customer, Customer.id == CampaignTarget.customer_id)
        .where(CampaignTarget.campaign_id.in_(campaign_ids))
        .order_by(CampaignTarget.campaign_id, Customer.id)
    ).all()
    targets: dict[int, list[CustomerRecord]] = {campaign_id: [] for campaign_id in campaign_ids}
    for row in rows:
        targets[row.campaign_id].append(
            CustomerRecord(id=row.id, email=row.email, name=row.name, created_at=row.created_at)
        )
    return targets
