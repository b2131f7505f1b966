"""The schema: every domain's queries and mutations under one Query and Mutation."""

from __future__ import annotations

import logging
from typing import Optional

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from ..core.errors import DomainError
from ..database import DatabaseUnavailable
from .campaigns import resolvers as campaigns
from .campaigns.types import Campaign
from .customers import resolvers as customers
from .customers.types import Customer
from .discounts import resolvers as discounts
from .discounts.types import DiscountUsage
from .extensions import CodedValidation
from .node_resolver import node
from .scalars import SCALAR_MAP

logger = logging.getLogger("graphql_api.graphql")


@strawberry.type
class Query:
    node = strawberry.field(resolver=node, description="Any object by its ID; null when unknown.")
    customer = strawberry.field(resolver=customers.customer, description="Null when unknown.")
    customers = strawberry.field(resolver=customers.customers, description="Oldest first.")
    campaign = strawberry.field(
        resolver=campaigns.campaign, description="Null when unknown or deleted."
    )
    campaigns = strawberry.field(
        resolver=campaigns.campaigns, description="Oldest first; deleted campaigns are left out."
    )
    available_discounts = strawberry.field(
        resolver=discounts.available_discounts,
        description="Every discount the cart can get now, best first; NOT_FOUND for an unknown customer.",
    )
    discount_usages = strawberry.field(
        resolver=discounts.discount_usages,
        description="A customer's usage history, newest first; NOT_FOUND for an unknown customer.",
    )


@strawberry.type
class Mutation:
    create_customer = strawberry.mutation(resolver=customers.create_customer_mutation)
    create_campaign = strawberry.mutation(resolver=campaigns.create_campaign_mutation)
    update_campaign = strawberry.mutation(resolver=campaigns.update_campaign_mutation)
    delete_campaign = strawberry.mutation(
        resolver=campaigns.delete_campaign_mutation,
        description="Removes the campaign from every list, lookup and offer; its usage history stays.",
    )
    apply_discount = strawberry.mutation(
        resolver=discounts.apply_discount_mutation,
        description=(
            "Applies one campaign's discount in a transaction that locks the campaign, "
            "re-checks every rule and records the usage."
        ),
    )


_EXPECTED = (DomainError, DatabaseUnavailable)


class CampaignSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        """Only unexpected exceptions are worth a stack trace; the view logs them
        with the request id when it masks them."""
        for error in errors:
            if error.original_error is not None and not isinstance(error.original_error, _EXPECTED):
                continue  # logged by format_error with the request id
            logger.debug("request error: %s", error.message)


def build_schema(parser_cache_size: int = 256, validation_cache_size: int = 256) -> CampaignSchema:
    return CampaignSchema(
        query=Query,
        mutation=Mutation,
        types=[Customer, Campaign, DiscountUsage],
        extensions=[
            CodedValidation,
            lambda: ParserCache(maxsize=parser_cache_size),
            lambda: ValidationCache(maxsize=validation_cache_size),
        ],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )


schema = build_schema()


def schema_sdl(built: Optional[strawberry.Schema] = None) -> str:
    return (built or schema).as_str() + "\n"
