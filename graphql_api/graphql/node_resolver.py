"""`node(id)`: any object by its opaque ID."""

from __future__ import annotations

from typing import Optional

import strawberry

from .campaigns.types import Campaign
from .customers.types import Customer
from .discounts.types import DiscountUsage
from .ids import decode_any_id
from .node import Node


async def node(info: strawberry.Info, id: strawberry.ID) -> Optional[Node]:
    type_name, pk = decode_any_id(id)
    if pk is None:
        return None
    loaders = info.context.loaders
    if type_name == "Customer":
        record = await loaders.customer_by_id.load(pk)
        return Customer.from_record(record) if record else None
    if type_name == "Campaign":
        record = await loaders.campaign_by_id.load(pk)
        if record is None or record.deleted_at is not None:
            return None
        return Campaign.from_record(record, info.context.now)
    if type_name == "DiscountUsage":
        record = await loaders.usage_by_id.load(pk)
        return DiscountUsage.from_record(record) if record else None
    return None
