"""Campaign use cases that write: create, update, delete.

Each `*_in_transaction` function is a unit of work: it runs inside the
caller's transaction, validates the campaign as it would be stored, and
writes nothing when it returns errors. The async use cases at the end run
one such unit and log its business event once it has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional, Sequence, Union

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..audit.service import record_budget_crossings, record_event
from ..core.audit import EventKind, field_changes, target_change
from ..core.campaigns import DiscountType
from ..core.errors import NO_SUCH_CAMPAIGN, ErrorCode, UserError
from ..core.validation import CampaignDraft, validate_campaign
from ..customers.service import existing_customer_ids
from ..db.database import Database
from ..observability import events
from .conditions import NOT_DELETED_SQL
from .models import Campaign, CampaignTarget
from .records import CAMPAIGN_COLUMNS, CampaignRecord, campaign_record
from .slots import collect, collected, lend

# The stored fields a client sets, by their Python names.
EDITABLE_FIELDS = (
    "name",
    "description",
    "discount_type",
    "discount_percentage",
    "discount_flat",
    "start_date",
    "end_date",
    "total_budget",
    "max_usage_per_customer_per_day",
    "min_cart_value",
    "max_discount_amount",
    "is_targeted",
    "requires_code",
    "max_usage_per_customer",
    "max_total_usage",
    "exclusive",
    "priority",
    "budget_slots",
)


@dataclass(frozen=True)
class TargetRef:
    """A target customer as the client named it; `id` is None when the label
    does not even decode to a customer id."""

    label: str
    id: Optional[int]


def _missing_targets_error(labels: Sequence[str]) -> UserError:
    return UserError(
        code=ErrorCode.NOT_FOUND,
        message="These target customers do not exist: " + ", ".join(labels),
        field=("target_customer_ids",),
    )


def _unique(targets: Sequence[TargetRef]) -> list[TargetRef]:
    seen: dict[str, TargetRef] = {}
    for target in targets:
        seen.setdefault(target.label, target)
    return list(seen.values())


def _target_errors(session: Session, targets: Sequence[TargetRef]) -> list[UserError]:
    known = existing_customer_ids(session, [t.id for t in targets if t.id is not None])
    missing = [t.label for t in targets if t.id is None or t.id not in known]
    return [_missing_targets_error(missing)] if missing else []


# What a new campaign has when the input leaves a field out.
_DEFAULTS = {"requires_code": False, "exclusive": False, "priority": 0, "budget_slots": 1}


def _draft(values: Mapping[str, Any], target_count: int, stored=None) -> CampaignDraft:
    draft = CampaignDraft(**{name: values.get(name, _DEFAULTS.get(name)) for name in EDITABLE_FIELDS},
                          target_count=target_count)
    if stored is not None:
        draft.used_budget, draft.usage_count = stored.used_budget, stored.usage_count
    return draft


def _stored_values(values: Mapping[str, Any]) -> dict[str, Any]:
    stored = {name: values[name] for name in EDITABLE_FIELDS if name in values}
    if "name" in stored:
        stored["name"] = stored["name"].strip()
    if isinstance(stored.get("discount_type"), DiscountType):
        stored["discount_type"] = stored["discount_type"].value
    return stored


def _insert_targets(session: Session, campaign_id: int, targets: Sequence[TargetRef]) -> None:
    if targets:
        session.execute(
            insert(CampaignTarget),
            [{"campaign_id": campaign_id, "customer_id": t.id} for t in targets],
        )


def create_campaign_in_transaction(
    session: Session,
    values: Mapping[str, Any],
    targets: Optional[Sequence[TargetRef]],
    now: datetime,
    actor: Optional[str] = None,
) -> Union[CampaignRecord, list[UserError]]:
    unique_targets = _unique(targets or [])
    errors = validate_campaign(_draft(values, len(unique_targets)))
    if values.get("is_targeted") and unique_targets and not errors:
        errors = _target_errors(session, unique_targets)
    if errors:
        return errors
    row = session.execute(
        insert(Campaign)
        .values(**_stored_values(values), created_at=now, updated_at=now)
        .returning(*CAMPAIGN_COLUMNS)
    ).one()
    _insert_targets(session, row.id, unique_targets)
    record_event(session, row.id, EventKind.CREATED, now, actor)
    if row.budget_slots > 1:
        lend(session.connection(), [row.id])
    return campaign_record(row)


# An unknown or deleted campaign, named by the mutation's `id` argument.
CAMPAIGN_NOT_FOUND = UserError(code=ErrorCode.NOT_FOUND, message=NO_SUCH_CAMPAIGN, field=("campaign_id",))


def update_campaign_in_transaction(
    session: Session,
    campaign_id: int,
    patch: Mapping[str, Any],
    targets: Optional[Sequence[TargetRef]],
    now: datetime,
    actor: Optional[str] = None,
) -> Union[CampaignRecord, list[UserError]]:
    """Apply the fields in `patch` (absent means unchanged, None means null),
    and write the audit entries of what changed.

    The row is locked first, so that the budget check sees the committed
    `used_budget` and no apply slips in between check and write. In
    hot-campaign mode its slots are collected under that lock (so the
    figures are the true ones) and lent to again under the new revision,
    which leaves an apply decided on the old terms no slot to spend from.
    """
    locking_read = (
        select(*CAMPAIGN_COLUMNS)
        .where(Campaign.id == campaign_id, NOT_DELETED_SQL)
        # NO KEY UPDATE, as the applies lock it: the id never changes, so
        # inserting codes (whose foreign key takes KEY SHARE) need not wait.
        .with_for_update(key_share=True)
    )
    row = session.execute(locking_read).first()
    if row is None:
        return [CAMPAIGN_NOT_FOUND]
    with collected(session.connection(), [campaign_id] if row.budget_slots > 1 else []) as lending:
        if lending.campaign_ids:  # read again, with the slots' money back in the pool
            row = session.execute(locking_read).one()
        result = _update_locked(session, row, campaign_id, patch, targets, now, actor)
        if isinstance(result, CampaignRecord) and result.budget_slots > 1:
            lending.campaign_ids = [campaign_id]  # also when it just entered the mode
    return result


def _update_locked(session: Session, row, campaign_id: int, patch: Mapping[str, Any],
                   targets: Optional[Sequence[TargetRef]], now: datetime,
                   actor: Optional[str]) -> Union[CampaignRecord, list[UserError]]:
    """update_campaign_in_transaction's work once `row` is locked and true."""
    stored = campaign_record(row)
    merged = {name: getattr(row, name) for name in EDITABLE_FIELDS}
    merged["discount_type"] = stored.terms.discount_type
    merged.update({name: patch[name] for name in EDITABLE_FIELDS if name in patch})

    if targets is not None:
        unique_targets: Optional[list[TargetRef]] = _unique(targets)
        target_count = len(unique_targets)
    elif merged["is_targeted"] is False:
        unique_targets, target_count = None, 0  # untargeting clears the stored targets
    else:
        unique_targets = None
        target_count = session.execute(
            select(func.count()).where(CampaignTarget.campaign_id == campaign_id)
        ).scalar_one()

    errors = validate_campaign(_draft(merged, target_count, stored=stored.terms))
    if merged["is_targeted"] and unique_targets and not errors:
        errors = _target_errors(session, unique_targets)
    if errors:
        return errors

    changes = _stored_values(patch)
    if patch.get("active") is not None:
        changes["paused"] = not patch["active"]
    updated = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(**changes, updated_at=now, revision=Campaign.revision + 1)
        .returning(*CAMPAIGN_COLUMNS)
    ).one()
    audited = field_changes(row._mapping, updated._mapping, EDITABLE_FIELDS)
    # An untargeted campaign has no targets: one that stays so has none to replace.
    if unique_targets is not None or (row.is_targeted and not merged["is_targeted"]):
        before = _target_ids(session, campaign_id)
        session.execute(delete(CampaignTarget).where(CampaignTarget.campaign_id == campaign_id))
        _insert_targets(session, campaign_id, unique_targets or [])
        after = sorted(t.id for t in unique_targets or [])
        if before != after:
            audited.append(target_change(before, after))
    if audited:
        record_event(session, campaign_id, EventKind.UPDATED, now, actor, audited)
    if row.paused != updated.paused:
        record_event(session, campaign_id, EventKind.PAUSED if updated.paused else EventKind.RESUMED, now, actor)
    # A lower total budget can cross a threshold as an apply does.
    record_budget_crossings(session, campaign_id, now, row.used_budget, row.total_budget,
                            updated.used_budget, updated.total_budget)
    return campaign_record(updated)


def _target_ids(session: Session, campaign_id: int) -> list[int]:
    return list(session.execute(select(CampaignTarget.customer_id).where(CampaignTarget.campaign_id == campaign_id)
                                .order_by(CampaignTarget.customer_id)).scalars())


def delete_campaign_in_transaction(session: Session, campaign_id: int, now: datetime,
                                   actor: Optional[str] = None) -> Union[int, list[UserError]]:
    """Soft delete: the row stays for the usage history that points at it."""
    deleted = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, NOT_DELETED_SQL)
        .values(deleted_at=now, updated_at=now, revision=Campaign.revision + 1)
        .returning(Campaign.id)
    ).scalar()
    if deleted is None:
        return [CAMPAIGN_NOT_FOUND]
    collect(session.connection(), [deleted])  # what its slots held returns to the pool
    record_event(session, deleted, EventKind.DELETED, now, actor)
    return deleted


# The use cases: one unit of work each, and its business event once it has
# committed (never for a change that rolled back).
async def create_campaign(
    database: Database, values: Mapping[str, Any], targets: Optional[Sequence[TargetRef]], now: datetime,
    actor: Optional[str],
) -> Union[CampaignRecord, list[UserError]]:
    result = await database.write(create_campaign_in_transaction, values, targets, now, actor)
    if isinstance(result, CampaignRecord):
        events.campaign_created(result.id, result.terms.discount_type.value, result.terms.total_budget)
    return result


async def update_campaign(
    database: Database, campaign_id: int, changes: Mapping[str, Any], targets: Optional[Sequence[TargetRef]],
    now: datetime, actor: Optional[str],
) -> Union[CampaignRecord, list[UserError]]:
    result = await database.write(update_campaign_in_transaction, campaign_id, changes, targets, now, actor)
    if isinstance(result, CampaignRecord):
        events.campaign_changed(result.id, changes)
    return result


async def delete_campaign(database: Database, campaign_id: int, now: datetime,
                          actor: Optional[str]) -> Union[int, list[UserError]]:
    result = await database.write(delete_campaign_in_transaction, campaign_id, now, actor)
    if isinstance(result, int):
        events.campaign_deleted(result)
    return result
