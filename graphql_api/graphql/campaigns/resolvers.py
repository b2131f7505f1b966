"""Campaign queries and mutations: parse, call the service, map."""

from __future__ import annotations

from typing import Any, Optional

import strawberry

from ...access.roles import Permission
from ...campaigns import selectors
from ...campaigns.records import CampaignRecord
from ...campaigns.service import (
    CAMPAIGN_NOT_FOUND,
    EDITABLE_FIELDS,
    TargetRef,
    create_campaign,
    delete_campaign,
    update_campaign,
)
from ..errors import user_errors
from ..input_paths import IN_INPUT, InputPaths
from ..ids import decode_id, encode_id
from ..pagination import Connection, page_request, to_connection
from ..permissions import look_up, require
from .types import (
    Campaign,
    CampaignFilter,
    CampaignPayload,
    CreateCampaignInput,
    DeleteCampaignPayload,
    UpdateCampaignInput,
)
from ..context import Info


async def campaign(info: Info, id: strawberry.ID) -> Optional[Campaign]:
    record = await look_up(info, Permission.READ_CAMPAIGNS, id, "Campaign", "campaign_by_id")
    if record is None or record.deleted_at is not None:
        return None
    return Campaign.from_record(record)


async def campaigns(
    info: Info,
    filter: Optional[CampaignFilter] = None,
    first: Optional[int] = 20,
    after: Optional[str] = None,
) -> Connection[Campaign]:
    require(info, Permission.READ_CAMPAIGNS)
    request = page_request(first, after)
    campaign_filter = selectors.CampaignFilter(
        discount_type=filter.discount_type if filter else None,
        status=filter.status if filter else None,
        is_targeted=filter.is_targeted if filter else None,
    )
    context = info.context
    page = await context.database.read(selectors.campaigns_page, campaign_filter, request, context.now)
    return to_connection(page, Campaign.from_record)


def _given_fields(input_object: Any) -> dict[str, Any]:
    """The input's fields the client actually sent (UNSET ones are left out)."""
    fields = {}
    for name in (*EDITABLE_FIELDS, "active"):
        value = getattr(input_object, name, strawberry.UNSET)
        if value is not strawberry.UNSET:
            fields[name] = value
    return fields


def _target_refs(ids: Optional[list[strawberry.ID]]) -> Optional[list[TargetRef]]:
    if ids is None or ids is strawberry.UNSET:
        return None
    return [TargetRef(label=str(label), id=decode_id(label, "Customer")) for label in ids]


# updateCampaign(id, input) and deleteCampaign(id): the campaign is an argument of its own.
_UPDATE_PATHS = InputPaths(arguments={"campaign_id": "id"})
_DELETE_PATHS = InputPaths(within=None, arguments={"campaign_id": "id"})


def _campaign_payload(result, now, paths: InputPaths = IN_INPUT) -> CampaignPayload:
    if isinstance(result, CampaignRecord):
        return CampaignPayload(campaign=Campaign.from_record(result), user_errors=[])
    return CampaignPayload(campaign=None, user_errors=user_errors(result, paths))


async def create_campaign_mutation(info: Info, input: CreateCampaignInput) -> CampaignPayload:
    context = info.context
    values = _given_fields(input)
    result = await create_campaign(context.database, values, _target_refs(input.target_customer_ids), context.now,
                                   context.caller.name)
    return _campaign_payload(result, context.now)


async def update_campaign_mutation(
    info: Info, id: strawberry.ID, input: UpdateCampaignInput
) -> CampaignPayload:
    context = info.context
    pk = decode_id(id, "Campaign")
    if pk is None:
        return CampaignPayload(campaign=None, user_errors=user_errors([CAMPAIGN_NOT_FOUND], _UPDATE_PATHS))
    changes = _given_fields(input)
    result = await update_campaign(context.database, pk, changes, _target_refs(input.target_customer_ids),
                                   context.now, context.caller.name)
    return _campaign_payload(result, context.now, _UPDATE_PATHS)


async def delete_campaign_mutation(info: Info, id: strawberry.ID) -> DeleteCampaignPayload:
    context = info.context
    pk = decode_id(id, "Campaign")
    result = [CAMPAIGN_NOT_FOUND] if pk is None else await delete_campaign(
        context.database, pk, context.now, context.caller.name)
    if isinstance(result, int):
        return DeleteCampaignPayload(
            deleted_campaign_id=strawberry.ID(encode_id("Campaign", result)), user_errors=[]
        )
    return DeleteCampaignPayload(deleted_campaign_id=None, user_errors=user_errors(result, _DELETE_PATHS))
