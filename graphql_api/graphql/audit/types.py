"""A campaign's audit log as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry

from ...audit.service import EventRecord
from ...core.audit import EventKind
from ..enums import describe_values
from ..ids import encode_id
from ..input_paths import camel_case

CampaignEventKind = describe_values(
    strawberry.enum(EventKind, name="CampaignEventKind", description="What happened to the campaign."),
    {
        "CREATED": "createCampaign.",
        "UPDATED": "updateCampaign changed fields (see changes); pausing and resuming are PAUSED and RESUMED.",
        "PAUSED": "updateCampaign set active to false.",
        "RESUMED": "updateCampaign set active to true.",
        "DELETED": "deleteCampaign.",
        "CODES_ADDED": "addCouponCodes or generateCouponCodes added codes.",
        "BUDGET_THRESHOLD": "usedBudget reached threshold percent of totalBudget (recorded once per crossing; a "
                            "reversal that drops below re-arms it).",
        "EXHAUSTED": "usedBudget reached totalBudget: the campaign is BUDGET_EXHAUSTED.",
    },
)


def change_text(value) -> Optional[str]:
    """A stored value as the API writes it; customer id lists become their IDs."""
    if isinstance(value, list):
        return ", ".join(encode_id("Customer", pk) for pk in value)
    return value


def api_change(change: dict) -> dict:
    """A stored change (domain name, stored values) as the API writes it:
    for FieldChange, and for webhook bodies."""
    return {"field": camel_case(change["field"]), "before": change_text(change["before"]),
            "after": change_text(change["after"])}


@strawberry.type(description="One field an update changed.")
class FieldChange:
    field: str = strawberry.field(description="The field's name as the API spells it, e.g. totalBudget.")
    before: Optional[str] = strawberry.field(
        description="The value before, as the API writes it (\"100.00\", \"true\", an ISO date-time, IDs joined "
                    "by \", \"); null for null.")
    after: Optional[str] = strawberry.field(description="The value after, written as before is.")


@strawberry.type(description="An entry of a campaign's audit log: written in the transaction of the change.")
class CampaignEvent:
    id: strawberry.ID = strawberry.field(description="Opaque.")
    kind: CampaignEventKind = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(
        description="When the change was made: the clock reading of its request, as a usage's usedAt is. Requests "
                    "that race may read the clock in another order than they commit; the list is in the order the "
                    "entries were written.")
    actor: Optional[str] = strawberry.field(
        description="The name of the API key that made the change (never the key); null for what the service "
                    "records itself (BUDGET_THRESHOLD, EXHAUSTED).")
    changes: list[FieldChange] = strawberry.field(
        description="UPDATED: each changed field, before and after; empty for the other kinds.")
    threshold: Optional[int] = strawberry.field(
        description="BUDGET_THRESHOLD: 50, 80, 95 or 100 (percent of totalBudget); null for the other kinds.")

    @classmethod
    def from_record(cls, record: EventRecord) -> "CampaignEvent":
        return cls(
            id=strawberry.ID(encode_id("CampaignEvent", record.id)),
            kind=record.kind,
            at=record.at,
            actor=record.actor,
            changes=[FieldChange(**api_change(change)) for change in record.changes],
            threshold=record.threshold,
        )
