"""`node(id)`: any object by its opaque ID."""

from __future__ import annotations

from typing import Optional

import strawberry

from .campaigns import resolvers as campaigns
from .customers import resolvers as customers
from .discounts import resolvers as discounts
from .ids import decode_any_id
from .node import Node
from .context import Info

# Each type's typed lookup: node(id:) answers exactly what it would, its
# permission and the hiding of deleted campaigns included.
LOOKUPS = {
    "Customer": customers.customer,
    "Campaign": campaigns.campaign,
    "DiscountUsage": discounts.discount_usage,
    "DiscountReversal": discounts.discount_reversal,
}


async def node(info: Info, id: strawberry.ID) -> Optional[Node]:
    lookup = LOOKUPS.get(decode_any_id(id)[0])
    return await lookup(info, id) if lookup is not None else None
