from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry

from ...customers.service import CustomerRecord
from ..cost_directives import CONNECTION
from ..discounts.types import DiscountUsage
from ..errors import UserError
from ..ids import encode_id
from ..node import Node
from ..pagination import Connection, page_request, to_connection


@strawberry.type(description="A shopper campaigns can be offered to.")
class Customer(Node):
    id: strawberry.ID
    email: str = strawberry.field(description="As email-validator normalizes it; unique ignoring case.")
    name: str
    created_at: datetime
    pk: strawberry.Private[int]

    @classmethod
    def from_record(cls, record: CustomerRecord) -> "Customer":
        return cls(
            id=strawberry.ID(encode_id("Customer", record.id)),
            email=record.email,
            name=record.name,
            created_at=record.created_at,
            pk=record.id,
        )

    @strawberry.field(description="The discounts this customer used, newest first.", directives=[CONNECTION])
    async def discount_usages(
        self, info: strawberry.Info, first: Optional[int] = 20, after: Optional[str] = None
    ) -> Connection[DiscountUsage]:
        request = page_request(first, after)
        page = await info.context.loaders.usage_page_by_customer.load((self.pk, request))
        return to_connection(page, DiscountUsage.from_record)


@strawberry.input
class CreateCustomerInput:
    email: str
    name: str = strawberry.field(description="1 to 100 characters after trimming.")


@strawberry.type
class CustomerPayload:
    customer: Optional[Customer]
    user_errors: list[UserError]
