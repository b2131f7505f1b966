"""Roles and what they allow, in plain Python."""

from __future__ import annotations

import enum


class Role(str, enum.Enum):
    # Everything, including creating, changing and deleting campaigns.
    ADMIN = "admin"
    # What a storefront backend needs: look customers up, read campaigns,
    # create customers, ask for and apply discounts, read usage history.
    CHECKOUT = "checkout"


class Permission(str, enum.Enum):
    MANAGE_CAMPAIGNS = "manage_campaigns"
    # Browse every customer (`customers`); a storefront looks customers up instead.
    LIST_CUSTOMERS = "list_customers"
    # Read objects of a type: its typed lookups and node(id:) ask the same one.
    READ_CUSTOMERS = "read_customers"
    READ_CAMPAIGNS = "read_campaigns"
    READ_USAGES = "read_usages"
    # A campaign's coupon codes (the codes connection and the CSV export).
    READ_CODES = "read_codes"
    # availableDiscounts(at:): the offers as they will be at another moment.
    PREVIEW_OFFERS = "preview_offers"
    # updateCustomer and eraseCustomer.
    MANAGE_CUSTOMERS = "manage_customers"
    # reverseDiscountUsage: a storefront refunds what it applied.
    REVERSE_USAGES = "reverse_usages"
    # A campaign's audit log (Campaign.events).
    READ_AUDIT = "read_audit"
    # A campaign's figures (Campaign.stats), for the people who run the sale.
    READ_STATS = "read_stats"
    # Subscriptions (graphql-transport-ws): a live view of every campaign.
    SUBSCRIBE = "subscribe"
    # Webhooks: create them, list them and read their delivery logs.
    MANAGE_WEBHOOKS = "manage_webhooks"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CHECKOUT: frozenset({Permission.READ_CUSTOMERS, Permission.READ_CAMPAIGNS, Permission.READ_USAGES,
                              Permission.REVERSE_USAGES}),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
