from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

import strawberry

from ...customers.service import CustomerRecord
from ..cost_directives import CONNECTION
from ..discounts.types import DiscountUsage
from ..errors import UserError
from ..ids import encode_id
from ..node import Node
from ..pagination import AFTER, FIRST, Connection, page_request, to_connection
from ..context import Info


@strawberry.type(description="A shopper campaigns can be offered to.")
class Customer(Node):
    id: strawberry.ID = strawberry.field(
        description="Opaque; give it to customer, node, or as customerId and targetCustomerIds."
    )
    email: str = strawberry.field(description="As email-validator normalizes it; unique ignoring case.")
    name: str = strawberry.field(description="For people; 1 to 100 characters, stored trimmed.")
    created_at: datetime = strawberry.field(description="When the customer was created.")
    external_id: Optional[str] = strawberry.field(
        description="The shop's own id for the customer, exactly as given; unique when set. Null after "
                    "eraseCustomer.")
    pk: strawberry.Private[int]

    @classmethod
    def from_record(cls, record: CustomerRecord) -> "Customer":
        return cls(
            id=strawberry.ID(encode_id("Customer", record.id)),
            email=record.email,
            name=record.name,
            created_at=record.created_at,
            external_id=record.external_id,
            pk=record.id,
        )

    @strawberry.field(description="The discounts this customer used, newest first.", directives=[CONNECTION])
    async def discount_usages(
        self,
        info: Info,
        first: Annotated[Optional[int], strawberry.argument(description=FIRST)] = 20,
        after: Annotated[Optional[str], strawberry.argument(description=AFTER)] = None,
    ) -> Connection[DiscountUsage]:
        request = page_request(first, after)
        page = await info.context.loaders.usage_page_by_customer.load((self.pk, request))
        return to_connection(page, DiscountUsage.from_record)


EXTERNAL_ID = ("The shop's own id for the customer: 1 to 255 characters, kept exactly as given; "
               "EXTERNAL_ID_TAKEN when another customer has it.")


@strawberry.input(description="A new customer.")
class CreateCustomerInput:
    email: str = strawberry.field(
        description=(
            "A valid email address, stored as email-validator normalizes it; EMAIL_TAKEN when another "
            "customer has it, ignoring case."
        )
    )
    name: str = strawberry.field(description="1 to 100 characters after trimming.")
    external_id: Optional[str] = strawberry.field(default=None, description=EXTERNAL_ID)


@strawberry.input(description="The fields to change; a field left out stays as it is.")
class UpdateCustomerInput:
    email: Optional[str] = strawberry.field(
        default=strawberry.UNSET,
        description="A valid email address, stored normalized; EMAIL_TAKEN when another customer has it. May not "
                    "be null.")
    name: Optional[str] = strawberry.field(
        default=strawberry.UNSET, description="1 to 100 characters after trimming. May not be null.")
    external_id: Optional[str] = strawberry.field(
        default=strawberry.UNSET, description=EXTERNAL_ID + " null clears it.")


@strawberry.type(description="What createCustomer and updateCustomer answer.")
class CustomerPayload:
    customer: Optional[Customer] = strawberry.field(
        description="The customer as written; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Every problem found; empty on success. When there are any, nothing was written."
    )


@strawberry.type(description="What eraseCustomer answers.")
class EraseCustomerPayload:
    erased_customer_id: Optional[strawberry.ID] = strawberry.field(
        description="The customer erased (also when it was erased before); null when there are userErrors.")
    user_errors: list[UserError] = strawberry.field(
        description="Every problem found; empty on success. When there are any, nothing was written.")
