"""Coupon code use cases: add a list, generate in bulk, page through, export.

Codes are inserted set-based (one statement for any number of them), and a
code that exists already is found by the unique index, never by a loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import AsyncIterator, Optional, Sequence, Union

from sqlalchemy import ARRAY, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..campaigns.conditions import NOT_DELETED_SQL
from ..campaigns.models import Campaign
from ..campaigns.records import CAMPAIGN_COLUMNS, CampaignRecord, campaign_record
from ..campaigns.selectors import campaigns_by_ids
from ..audit.service import record_event
from ..core.audit import EventKind
from ..core.codes import added_code_errors, generation_errors, normalize, random_codes
from ..core.errors import NO_SUCH_CAMPAIGN, ErrorCode, UserError
from ..db.database import Database
from ..observability import events
from ..pagination import Page, PageRequest, fetch_page
from .models import CouponCode

# A generated batch that met existing codes is topped up this many times at
# most; with 8 or more random symbols (2^40 values) even one retry is rare.
MAX_GENERATION_ROUNDS = 10
EXPORT_CHUNK = 5000

_CAMPAIGN_NOT_FOUND = UserError(ErrorCode.NOT_FOUND, NO_SUCH_CAMPAIGN, ("campaign_id",))


@dataclass(frozen=True)
class CodeRecord:
    id: int
    campaign_id: int
    code: str
    uses_per_code: Optional[int]
    usage_count: int
    created_at: datetime


CODE_COLUMNS = (CouponCode.id, CouponCode.campaign_id, CouponCode.code, CouponCode.uses_per_code,
                CouponCode.usage_count, CouponCode.created_at)


def code_record(row) -> CodeRecord:
    return CodeRecord(row.id, row.campaign_id, row.code, row.uses_per_code, row.usage_count, row.created_at)


class _CodesTaken(Exception):
    """Codes another transaction inserted between the check and the insert:
    raised to roll the whole call back."""

    def __init__(self, codes: list[str]):
        super().__init__(codes)
        self.codes = codes


def _taken_error(codes: Sequence[str]) -> UserError:
    return UserError(ErrorCode.CODE_TAKEN, "These codes exist already: " + ", ".join(sorted(codes)), ("codes",))


_CODES = bindparam("codes", type_=ARRAY(String))
# Every code of the array that is not taken yet, in one statement; the
# unique index skips the taken ones, whichever transaction took them.
_INSERT_CODES = (
    insert(CouponCode.__table__)
    .from_select(["campaign_id", "code", "uses_per_code", "created_at"],
                 select(bindparam("campaign_id"), func.unnest(_CODES), bindparam("uses_per_code"),
                        bindparam("created_at")))
    .on_conflict_do_nothing(index_elements=["code"])
    .returning(CouponCode.code)
)


@dataclass(frozen=True)
class AddedCodes:
    count: int
    campaign: CampaignRecord  # as the transaction saw it: the response answers from it


def _campaign(session: Session, campaign_id: int) -> Optional[CampaignRecord]:
    """The campaign the codes go to, FOR KEY SHARE as their foreign key takes
    it: applies (FOR NO KEY UPDATE) do not wait for it."""
    row = session.execute(select(*CAMPAIGN_COLUMNS).where(Campaign.id == campaign_id, NOT_DELETED_SQL)
                          .with_for_update(key_share=True, read=True)).first()
    return campaign_record(row) if row is not None else None


def _insert(session: Session, campaign_id: int, codes: list[str], uses_per_code: Optional[int],
            now: datetime) -> set[str]:
    return set(session.execute(_INSERT_CODES, {"campaign_id": campaign_id, "codes": codes,
                                               "uses_per_code": uses_per_code, "created_at": now}).scalars())


def add_codes_in_transaction(session: Session, campaign_id: int, codes: Sequence[str], uses_per_code: Optional[int],
                             now: datetime, actor: Optional[str] = None) -> Union[AddedCodes, list[UserError]]:
    campaign = _campaign(session, campaign_id)
    if campaign is None:
        return [_CAMPAIGN_NOT_FOUND]
    wanted = [normalize(code) for code in codes]
    taken_codes = list(session.execute(select(CouponCode.code).where(CouponCode.code.in_(wanted))).scalars())
    if taken_codes:
        return [_taken_error(taken_codes)]
    inserted = _insert(session, campaign_id, wanted, uses_per_code, now)
    if len(inserted) < len(wanted):
        raise _CodesTaken([code for code in wanted if code not in inserted])
    record_event(session, campaign_id, EventKind.CODES_ADDED, now, actor)
    return AddedCodes(len(inserted), campaign)


def generate_codes_in_transaction(session: Session, campaign_id: int, count: int, prefix: str, random_length: int,
                                  uses_per_code: Optional[int], now: datetime,
                                  actor: Optional[str] = None) -> Union[AddedCodes, list[UserError]]:
    """`count` new codes; a code that exists already is replaced by another
    random one, never reported."""
    campaign = _campaign(session, campaign_id)
    if campaign is None:
        return [_CAMPAIGN_NOT_FOUND]
    added = 0
    for _round in range(MAX_GENERATION_ROUNDS):
        batch = list(dict.fromkeys(random_codes(count - added, prefix, random_length)))
        added += len(_insert(session, campaign_id, batch, uses_per_code, now))
        if added == count:
            record_event(session, campaign_id, EventKind.CODES_ADDED, now, actor)
            return AddedCodes(added, campaign)
    raise RuntimeError(f"could not find {count} free codes of {random_length} random symbols")


def codes_page(session: Session, campaign_id: int, request: PageRequest) -> Page[CodeRecord]:
    query = select(*CODE_COLUMNS).where(CouponCode.campaign_id == campaign_id)
    return fetch_page(session, query, CouponCode.id, request, code_record)


def _codes_after(session: Session, campaign_id: int, after: int, limit: int) -> list[tuple]:
    return [tuple(row) for row in session.execute(
        select(CouponCode.id, CouponCode.code, CouponCode.uses_per_code, CouponCode.usage_count,
               CouponCode.created_at)
        .where(CouponCode.campaign_id == campaign_id, CouponCode.id > after)
        .order_by(CouponCode.id).limit(limit))]


async def campaign_exists(database: Database, campaign_id: int) -> bool:
    return bool(await database.read(campaigns_by_ids, [campaign_id]))


async def export_rows(database: Database, campaign_id: int) -> AsyncIterator[tuple]:
    """Every code of the campaign in creation order, read a chunk at a time
    (keyset), so that memory stays constant and no connection is held
    between chunks while the client reads."""
    after = 0
    while True:
        rows = await database.read(_codes_after, campaign_id, after, EXPORT_CHUNK)
        for row in rows:
            yield row
        if len(rows) < EXPORT_CHUNK:
            return
        after = rows[-1][0]


async def add_codes(database: Database, campaign_id: Optional[int], codes: Sequence[str],
                    uses_per_code: Optional[int], now: datetime,
                    actor: Optional[str]) -> Union[AddedCodes, list[UserError]]:
    errors = added_code_errors(codes, uses_per_code)
    if errors:
        return errors
    if campaign_id is None:
        return [_CAMPAIGN_NOT_FOUND]
    try:
        result = await database.write(add_codes_in_transaction, campaign_id, codes, uses_per_code, now, actor)
    except _CodesTaken as taken:
        return [_taken_error(taken.codes)]
    if isinstance(result, AddedCodes):
        events.codes_added(campaign_id, result.count)
    return result


async def generate_codes(database: Database, campaign_id: Optional[int], count: int, prefix: str,
                         random_length: int, uses_per_code: Optional[int],
                         now: datetime, actor: Optional[str]) -> Union[AddedCodes, list[UserError]]:
    errors = generation_errors(count, prefix, random_length, uses_per_code)
    if errors:
        return errors
    if campaign_id is None:
        return [_CAMPAIGN_NOT_FOUND]
    result = await database.write(generate_codes_in_transaction, campaign_id, count, prefix, random_length,
                                  uses_per_code, now, actor)
    if isinstance(result, AddedCodes):
        events.codes_added(campaign_id, result.count)
    return result
