"""Customer queries and mutations: parse, call the service, map."""

from __future__ import annotations

from typing import Optional

import strawberry

from ...access.roles import Permission
from ...customers.service import CustomerRecord, create_customer, customers_page
from ..errors import user_errors
from ..pagination import Connection, page_request, to_connection
from ..permissions import look_up, require
from .types import CreateCustomerInput, Customer, CustomerPayload
from ..context import Info


async def customer(info: Info, id: strawberry.ID) -> Optional[Customer]:
    record = await look_up(info, Permission.READ_CUSTOMERS, id, "Customer", "customer_by_id")
    return Customer.from_record(record) if record is not None else None


async def customers(
    info: Info, first: Optional[int] = 20, after: Optional[str] = None
) -> Connection[Customer]:
    require(info, Permission.LIST_CUSTOMERS)
    request = page_request(first, after)
    page = await info.context.database.read(customers_page, request)
    return to_connection(page, Customer.from_record)


async def create_customer_mutation(info: Info, input: CreateCustomerInput) -> CustomerPayload:
    context = info.context
    result = await create_customer(context.database, input.email, input.name, context.now)
    if isinstance(result, CustomerRecord):
        return CustomerPayload(customer=Customer.from_record(result), user_errors=[])
    return CustomerPayload(customer=None, user_errors=user_errors(result))
