"""The schema: every domain's queries and mutations under one Query and Mutation."""

from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.schema.config import StrawberryConfig

from .campaigns import resolvers as campaigns
from .codes import resolvers as codes
from .campaigns.types import Campaign
from .customers import resolvers as customers
from .customers.types import Customer
from .discounts import resolvers as discounts
from .discounts.types import DiscountUsage
from .cost_directives import CONNECTION, Cost
from .live.types import Subscription
from .node_resolver import node
from .permissions import CanManageCampaigns, CanManageCustomers, CanManageWebhooks, CanReverseUsages
from .webhooks import resolvers as webhooks_resolvers
from .scalars import SCALAR_MAP


@strawberry.type(
    description="Reads. Problems are top-level errors with extensions.code, and extensions.field for inputs."
)
class Query:
    node = strawberry.field(resolver=node, description="Any object by its ID; null when unknown.")
    customer = strawberry.field(resolver=customers.customer, description="Null when unknown.")
    customer_by_email = strawberry.field(
        resolver=customers.customer_by_email_query,
        description="The customer with this email address, compared as createCustomer stores it (normalized, "
                    "ignoring case); null when none, also for an erased customer's old address.")
    customer_by_external_id = strawberry.field(
        resolver=customers.customer_by_external_id_query,
        description="The customer with this externalId, compared exactly; null when none.")
    customers = strawberry.field(resolver=customers.customers, description="Oldest first. Admin keys only.",
                                 directives=[CONNECTION])
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
    webhooks = strawberry.field(resolver=webhooks_resolvers.webhooks, description="Oldest first. Admin keys only.",
                                directives=[CONNECTION])
    discount_usage = strawberry.field(
        resolver=discounts.discount_usage, description="One usage by its ID; null when unknown.")
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
    update_customer = strawberry.mutation(
        resolver=customers.update_customer_mutation,
        permission_classes=[CanManageCustomers],
        directives=[MUTATION_COST],
        description="Changes a customer's email, name or externalId; NOT_FOUND for an erased customer. Admin keys "
                    "only.",
    )
    erase_customer = strawberry.mutation(
        resolver=customers.erase_customer_mutation,
        permission_classes=[CanManageCustomers],
        directives=[MUTATION_COST],
        description=(
            "Erases what identifies a customer (a data-protection request): the email and name become "
            "placeholders, externalId is cleared, and no lookup but customer(id) finds them again; their usages "
            "and reversals keep their amounts, and they get no more discounts. Admin keys only."
        ),
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
    add_coupon_codes = strawberry.mutation(
        resolver=codes.add_coupon_codes_mutation,
        permission_classes=ADMIN_ONLY,
        directives=[MUTATION_COST],
        description="Adds the shop's own codes to a campaign, all or none. Admin keys only.",
    )
    generate_coupon_codes = strawberry.mutation(
        resolver=codes.generate_coupon_codes_mutation,
        permission_classes=ADMIN_ONLY,
        directives=[Cost(weight="100")],
        description=(
            "Generates up to 100000 unique random codes in one call (a code that exists already is replaced "
            "by another). Export them as CSV from GET /export/coupon-codes?campaignId=<ID>. Admin keys only."
        ),
    )
    apply_best_discounts = strawberry.mutation(
        resolver=discounts.apply_best_discounts_mutation,
        directives=[MUTATION_COST],
        description=(
            "Applies the best combination for an order in one transaction: the best CART with the best "
            "DELIVERY offer, or one exclusive offer alone, whichever saves more; when an offer lost a race it "
            "takes the next best. Nothing is written when nothing applies."
        ),
    )
    create_webhook = strawberry.mutation(
        resolver=webhooks_resolvers.create_webhook_mutation,
        permission_classes=[CanManageWebhooks],
        directives=[MUTATION_COST],
        description=(
            "Registers an endpoint for audit entries of the kinds given: each one is posted, signed, at least "
            "once (retried with backoff while the endpoint fails), from an outbox written in the entry's own "
            "transaction. Admin keys only."
        ),
    )
    reverse_discount_usage = strawberry.mutation(
        resolver=discounts.reverse_discount_usage_mutation,
        permission_classes=[CanReverseUsages],
        directives=[MUTATION_COST],
        description=(
            "Gives a usage's discount back to its campaign's budget, in part or in full (a refund), in a "
            "transaction that locks the campaign and the usage. A full reversal also frees the usage's place "
            "under every limit, its coupon code and usageCount; a partial one does not. Reversals are never "
            "edited or deleted."
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


def build_schema() -> strawberry.Schema:
    """Strawberry provides the schema and its types; the engine (engine/) runs
    every request, so the schema carries no extensions."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Customer, Campaign, DiscountUsage],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )


schema = build_schema()


def schema_sdl(built: Optional[strawberry.Schema] = None) -> str:
    return (built or schema).as_str() + "\n"
