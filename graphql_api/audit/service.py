"""Writing and reading the audit log. The writers run inside the caller's
transaction: an entry exists exactly when its change committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Optional, Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..core.audit import EventKind
from ..core.ledger import thresholds_crossed
from ..pagination import Page, PageRequest, fetch_pages_by
from .models import CampaignEvent


@dataclass(frozen=True)
class EventRecord:
    id: int
    campaign_id: int
    kind: EventKind
    at: datetime
    actor: Optional[str]
    changes: list  # [{"field", "before", "after"}]
    threshold: Optional[int]


EVENT_COLUMNS = (CampaignEvent.id, CampaignEvent.campaign_id, CampaignEvent.kind, CampaignEvent.at,
                 CampaignEvent.actor, CampaignEvent.changes, CampaignEvent.threshold)
_NEW_EVENTS = insert(CampaignEvent)


def event_record(row) -> EventRecord:
    return EventRecord(row.id, row.campaign_id, EventKind(row.kind), row.at, row.actor, row.changes, row.threshold)


def record_event(db, campaign_id: int, kind: EventKind, at: datetime, actor: Optional[str],
                 changes: Sequence[dict] = ()) -> None:
    """`db` is the unit of work's Session or Connection."""
    db.execute(_NEW_EVENTS, {"campaign_id": campaign_id, "kind": kind.value, "at": at, "actor": actor,
                             "changes": list(changes), "threshold": None})


def record_budget_crossings(db, campaign_id: int, at: datetime, used_before: Decimal, total_before: Decimal,
                            used_after: Decimal, total_after: Decimal) -> None:
    """The thresholds this change of the budget crossed, and EXHAUSTED with
    the last one. The caller holds the campaign's row lock, so the before is
    exact and each crossing is recorded by one transaction. No statement
    when nothing was crossed (nearly every apply)."""
    crossed = thresholds_crossed(used_before, total_before, used_after, total_after)
    if not crossed:
        return
    rows = [{"campaign_id": campaign_id, "kind": EventKind.BUDGET_THRESHOLD.value, "at": at, "actor": None,
             "changes": [], "threshold": threshold} for threshold in crossed]
    if crossed[-1] == 100:
        rows.append({"campaign_id": campaign_id, "kind": EventKind.EXHAUSTED.value, "at": at, "actor": None,
                     "changes": [], "threshold": None})
    db.execute(_NEW_EVENTS, rows)


def event_pages(session: Session, campaign_ids: Sequence[int], request: PageRequest) -> dict[int, Page[EventRecord]]:
    """Each campaign's log, newest first, for several campaigns in one statement."""
    return fetch_pages_by(session, EVENT_COLUMNS, CampaignEvent.campaign_id, CampaignEvent.id, campaign_ids,
                          request, event_record, newest_first=True)
