"""Roles and what they allow, in plain Python."""

from __future__ import annotations

import enum


class Role(str, enum.Enum):
    # Everything, including creating, changing and deleting campaigns.
    ADMIN = "admin"
    # What a storefront backend needs: read customers and campaigns, create
    # customers, ask for and apply discounts, read usage history.
    CHECKOUT = "checkout"


class Permission(str, enum.Enum):
    MANAGE_CAMPAIGNS = "manage_campaigns"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CHECKOUT: frozenset(),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
