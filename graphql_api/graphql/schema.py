"""The schema: every domain's queries and mutations under one Query and Mutation."""

from __future__ import annotations

import logging
from typing import Optional

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig

from ..core.errors import DomainError
from ..db.database import DatabaseUnavailable
from ..settings import Settings
from .campaigns import resolvers as campaigns
from .campaigns.types import Campaign
from .customers import resolvers as customers
from .customers.types import Customer
from .discounts import resolvers as discounts
from .discounts.types import DiscountUsage
from .adapter import SuggestionsSwitch
from .cost_directives import CONNECTION, Cost
from .execution import PlainFieldExecutor
from .extensions import CachedParse, CodedValidation, OperationTags, QueryCost, document_validator
from .node_resolver import node
from .permissions import CanManageCampaigns
from .query_limits import max_aliases_rule, max_depth_rule, max_fields_rule
from .scalars import SCALAR_MAP

logger = logging.getLogger("graphql_api.graphql")


@strawberry.type(
    description="Reads. Problems are top-level errors with extensions.code, and extensions.field for inputs."
)
class Query:
    node = strawberry.field(resolver=node, description="Any object by its ID; null when unknown.")
    customer = strawberry.field(resolver=customers.customer, description="Null when unknown.")
    customers = strawberry.field(resolver=customers.customers, description="Oldest first.", directives=[CONNECTION])
    campaign = strawberry.field(
        resolver=campaigns.campaign, description="Null when unknown or deleted."
    )
    campaigns = strawberry.field(
        resolver=campaigns.campaigns,
        description="Oldest first; deleted campaigns are left out.",
        directives=[CONNECTION],
    )
    available_discounts = strawberry.field(
        resolver=discounts.available_discounts,
        description="Every discount the cart can get now, best first; NOT_FOUND for an unknown customer.",
        directives=[Cost(weight="5")],
    )
    discount_usages = strawberry.field(
        resolver=discounts.discount_usages,
        description="A customer's usage history, newest first; NOT_FOUND for an unknown customer.",
        directives=[CONNECTION],
    )


# Writes cost more than reads: each is a transaction with row locks.
MUTATION_COST = Cost(weight="10")
ADMIN_ONLY = [CanManageCampaigns]


@strawberry.type(
    description=(
        "Writes. Each reports the problems with its input or a business rule in userErrors, and "
        "then writes nothing."
    )
)
class Mutation:
    create_customer = strawberry.mutation(
        resolver=customers.create_customer_mutation,
        directives=[MUTATION_COST],
        description="Creates a customer; EMAIL_TAKEN when another customer has the email, ignoring case.",
    )
    create_campaign = strawberry.mutation(
        resolver=campaigns.create_campaign_mutation,
        permission_classes=ADMIN_ONLY,
        directives=[MUTATION_COST],
        description="Admin keys only.",
    )
    update_campaign = strawberry.mutation(
        resolver=campaigns.update_campaign_mutation,
        permission_classes=ADMIN_ONLY,
        directives=[MUTATION_COST],
        description="Admin keys only.",
    )
    delete_campaign = strawberry.mutation(
        resolver=campaigns.delete_campaign_mutation,
        permission_classes=ADMIN_ONLY,
        directives=[MUTATION_COST],
        description=(
            "Removes the campaign from every list, lookup and offer; its usage history stays. "
            "Admin keys only."
        ),
    )
    apply_discount = strawberry.mutation(
        resolver=discounts.apply_discount_mutation,
        directives=[MUTATION_COST],
        description=(
            "Applies one campaign's discount in a transaction that locks the campaign, "
            "re-checks every rule and records the usage."
        ),
    )


_EXPECTED = (DomainError, DatabaseUnavailable)


class CampaignSchema(SuggestionsSwitch):
    # No "Did you mean" in any error (production): validation's are left out by
    # `document_validator`, and those of variables, coerced at execution, by
    # SuggestionsSwitch.

    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        """Only unexpected exceptions are worth a stack trace; the view logs them
        with the request id when it masks them."""
        for error in errors:
            if error.original_error is not None and not isinstance(error.original_error, _EXPECTED):
                continue  # logged by format_error with the request id
            logger.debug("request error: %s", error.message)


def build_schema(settings: Optional[Settings] = None) -> CampaignSchema:
    """The schema as `settings` configure it. Every limit is enforced before a
    resolver runs; extensions are factories, so each request gets its own."""
    settings = settings or Settings()
    limit_rules = (max_depth_rule(settings.max_query_depth), max_aliases_rule(settings.max_aliases),
                   max_fields_rule(settings.max_fields))
    validate_document = document_validator(settings.validation_cache_size, hide_suggestions=settings.production)
    extensions = [
        lambda: CodedValidation(validate_document, limit_rules),
        lambda: QueryCost(settings.max_document_bytes, settings.max_query_cost),
        lambda: CachedParse(settings.parser_cache_size, settings.max_tokens),
        OperationTags,
    ]
    if not settings.allow_introspection:
        extensions.append(DisableIntrospection)
    batching = {"max_operations": settings.batch_max_operations} if settings.batch_max_operations else None
    built = CampaignSchema(
        query=Query,
        mutation=Mutation,
        types=[Customer, Campaign, DiscountUsage],
        extensions=extensions,
        execution_context_class=PlainFieldExecutor,
        config=StrawberryConfig(
            scalar_map=SCALAR_MAP,
            batching_config=batching,
        ),
    )
    built.hide_suggestions = settings.production
    return built


schema = build_schema()


def schema_sdl(built: Optional[strawberry.Schema] = None) -> str:
    return (built or schema).as_str() + "\n"
