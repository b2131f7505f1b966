"""The Subscription type: a campaign's budget and every audit entry, as they commit."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, AsyncGenerator

import strawberry

from ...access.roles import Permission
from ...audit.service import event_record
from ...campaigns.records import notified_campaign
from ...campaigns.selectors import campaigns_by_ids
from ...core.campaigns import effective_status
from ...core.errors import NO_SUCH_CAMPAIGN, NotFound
from ...live.hub import CATCH_UP, OVERFLOW, Overflow
from ..audit.types import CampaignEvent
from ..context import Info
from ..enums import CampaignStatus
from ..ids import decode_id
from ..input_paths import InputPaths
from ..permissions import require

if TYPE_CHECKING:
    from ..campaigns.types import Campaign

LazyCampaign = Annotated["Campaign", strawberry.lazy("graphql_api.graphql.campaigns.types")]
_ARGUMENTS = InputPaths(within=None)


@strawberry.type(description="A campaign's budget as a change left it: an apply, a reversal or a budget edit.")
class CampaignBudgetEvent:
    used_budget: Decimal = strawberry.field(description="usedBudget as the change committed it.")
    remaining_budget: Decimal = strawberry.field(description="totalBudget - usedBudget, as committed.")
    status: CampaignStatus = strawberry.field(description="The status with those figures, at `at`.")
    at: datetime = strawberry.field(description="When the server process the socket is on received the change.")
    campaign_pk: strawberry.Private[int]

    @strawberry.field(description="The campaign, read when the event is sent (a later change may show in it).")
    async def campaign(self, info: Info) -> LazyCampaign:
        from ..campaigns.types import Campaign

        return Campaign.from_record(await info.context.loaders.campaign_by_id.load(self.campaign_pk))


def _budget_event(record, now: datetime) -> CampaignBudgetEvent:
    terms = record.terms
    return CampaignBudgetEvent(used_budget=terms.used_budget, remaining_budget=terms.remaining_budget,
                               status=effective_status(terms, now), at=now, campaign_pk=record.id)


async def _live_campaign(info: Info, campaign_pk: int):
    """The campaign as it is now, fresh from the database (not the request's loader)."""
    found = await info.context.database.read(campaigns_by_ids, [campaign_pk])
    return found.get(campaign_pk)


@strawberry.type(description="Live changes over graphql-transport-ws on /graphql. Admin keys only.")
class Subscription:
    @strawberry.subscription(description=(
        "Each committed apply, reversal or budget edit of the campaign, in commit order; NOT_FOUND for an unknown "
        "or deleted campaign. After the service lost its database connection, one event with the current state."))
    async def campaign_budget(self, info: Info, id: strawberry.ID) -> AsyncGenerator[CampaignBudgetEvent, None]:
        # Checked before the stream is returned: a refusal is the subscription's error message.
        require(info, Permission.SUBSCRIBE)
        campaign_pk = decode_id(id, "Campaign")
        with _ARGUMENTS.on_refusal():
            if campaign_pk is None or await _live_campaign(info, campaign_pk) is None:
                raise NotFound(NO_SUCH_CAMPAIGN, field=("id",))
        return _budget_events(info, campaign_pk)

    @strawberry.subscription(description="Every CampaignEvent of every campaign, as it is recorded.")
    async def campaign_events(self, info: Info) -> AsyncGenerator[CampaignEvent, None]:
        require(info, Permission.SUBSCRIBE)
        return _audit_events(info)


async def _budget_events(info: Info, campaign_pk: int) -> AsyncGenerator[CampaignBudgetEvent, None]:
    async with info.context.live.subscribe("campaign_budget", campaign_pk) as subscription:
        while True:
            item = await subscription.queue.get()
            if item is OVERFLOW:
                raise Overflow()
            if item is CATCH_UP:
                record = await _live_campaign(info, campaign_pk)
                if record is not None:
                    yield _budget_event(record, info.context.clock())
                continue
            # One event object per notification, for every subscriber: the engine
            # executes an event once per document (engine/pipeline.py, _shared).
            event = item.memo.get("budget")
            if event is None:
                event = item.memo["budget"] = _budget_event(notified_campaign(item.row), info.context.clock())
            yield event


async def _audit_events(info: Info) -> AsyncGenerator[CampaignEvent, None]:
    async with info.context.live.subscribe("campaign_event") as subscription:
        while True:
            item = await subscription.queue.get()
            if item is OVERFLOW:
                raise Overflow()
            if item is not CATCH_UP:  # an entry missed while disconnected is in Campaign.events
                event = item.memo.get("audit")
                if event is None:
                    event = item.memo["audit"] = CampaignEvent.from_record(event_record(SimpleNamespace(**item.row)))
                yield event

