"""Customer queries and mutations: parse, call the service, map."""

from __future__ import annotations

from typing import Optional

import strawberry

from ...access.roles import Permission
from ...customers.service import (
    CustomerRecord,
    create_customer,
    customer_by_email,
    customer_by_external_id,
    customers_page,
    erase_customer,
    update_customer,
)
from ..errors import user_errors
from ..pagination import Connection, page_request, to_connection
from ..permissions import look_up, require
from ..ids import decode_id, encode_id
from ..input_paths import InputPaths
from .types import CreateCustomerInput, Customer, CustomerPayload, EraseCustomerPayload, UpdateCustomerInput
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
    result = await create_customer(context.database, input.email, input.name, context.now, input.external_id)
    return _payload(result)


def _payload(result) -> CustomerPayload:
    if isinstance(result, CustomerRecord):
        return CustomerPayload(customer=Customer.from_record(result), user_errors=[])
    return CustomerPayload(customer=None, user_errors=user_errors(result, _BY_ID))


# The mutations that name the customer by their `id` argument, not an input field.
_BY_ID = InputPaths(arguments={"customer_id": "id"})


def _given_fields(input: UpdateCustomerInput) -> dict:
    """The fields the client sent (UNSET ones are left out)."""
    return {name: value for name in ("email", "name", "external_id")
            if (value := getattr(input, name)) is not strawberry.UNSET}


async def customer_by_email_query(info: Info, email: str) -> Optional[Customer]:
    require(info, Permission.READ_CUSTOMERS)
    record = await info.context.database.read(customer_by_email, email)
    return Customer.from_record(record) if record is not None else None


async def customer_by_external_id_query(info: Info, external_id: str) -> Optional[Customer]:
    require(info, Permission.READ_CUSTOMERS)
    record = await info.context.database.read(customer_by_external_id, external_id)
    return Customer.from_record(record) if record is not None else None


async def update_customer_mutation(info: Info, id: strawberry.ID, input: UpdateCustomerInput) -> CustomerPayload:
    result = await update_customer(info.context.database, decode_id(id, "Customer"), _given_fields(input))
    return _payload(result)


async def erase_customer_mutation(info: Info, id: strawberry.ID) -> EraseCustomerPayload:
    context = info.context
    result = await erase_customer(context.database, decode_id(id, "Customer"), context.now)
    if not isinstance(result, list):
        return EraseCustomerPayload(erased_customer_id=strawberry.ID(encode_id("Customer", result.customer_id)),
                                    user_errors=[])
    return EraseCustomerPayload(erased_customer_id=None, user_errors=user_errors(result, _BY_ID))
