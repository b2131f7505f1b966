"""Field permissions by role. A refused field is a FORBIDDEN error on that
field; the rest of the response still resolves."""

from __future__ import annotations

from typing import Any

from strawberry.exceptions import StrawberryGraphQLError
from strawberry.permission import BasePermission

from ..access.roles import Permission, allows
from .ids import decode_id
from ..error_codes import TopLevelCode

FORBIDDEN = {"code": TopLevelCode.FORBIDDEN}

MESSAGES = {
    Permission.MANAGE_CAMPAIGNS: "This API key's role may not create, change or delete campaigns.",
    Permission.LIST_CUSTOMERS: "This API key's role may not list customers; look a customer up by its ID.",
    Permission.READ_CUSTOMERS: "This API key's role may not read customers.",
    Permission.READ_CAMPAIGNS: "This API key's role may not read campaigns.",
    Permission.READ_USAGES: "This API key's role may not read discount usages.",
    Permission.READ_CODES: "This API key's role may not read coupon codes.",
    Permission.PREVIEW_OFFERS: "This API key's role may not preview offers with `at`.",
    Permission.MANAGE_CUSTOMERS: "This API key's role may not change or erase customers.",
    Permission.REVERSE_USAGES: "This API key's role may not reverse discount usages.",
    Permission.READ_AUDIT: "This API key's role may not read a campaign's audit log.",
    Permission.READ_STATS: "This API key's role may not read a campaign's stats.",
    Permission.SUBSCRIBE: "This API key's role may not subscribe.",
    Permission.MANAGE_WEBHOOKS: "This API key's role may not manage webhooks.",
}


def granted(info, permission: Permission) -> bool:
    caller = info.context.caller
    return caller is not None and allows(caller.role, permission)


def require(info, permission: Permission) -> None:
    """A resolver's own check, the same error as a permission class's. Lookups
    check in the resolver, not in the field's permission_classes, because
    node(id:) calls those resolvers and must refuse exactly as they do."""
    if not granted(info, permission):
        raise StrawberryGraphQLError(MESSAGES[permission], extensions=dict(FORBIDDEN))


def allowed_to(permission: Permission) -> type[BasePermission]:
    """A field's permission class: the field is refused unless the caller's
    role grants `permission`."""

    class Allowed(BasePermission):
        message = MESSAGES[permission]
        error_extensions = FORBIDDEN

        def has_permission(self, source: Any, info, **kwargs: Any) -> bool:
            return granted(info, permission)

    Allowed.__name__ = Allowed.__qualname__ = f"Allowed_{permission.value}"
    return Allowed


CanManageCampaigns = allowed_to(Permission.MANAGE_CAMPAIGNS)
CanManageCustomers = allowed_to(Permission.MANAGE_CUSTOMERS)
CanReverseUsages = allowed_to(Permission.REVERSE_USAGES)
CanManageWebhooks = allowed_to(Permission.MANAGE_WEBHOOKS)


async def look_up(info, permission: Permission, id: str, type_name: str, loader: str) -> Any:
    """The record an ID names, for a typed lookup: refused without
    `permission`, None when the ID is not of `type_name` or names nothing.
    node(id:) calls the lookups, so it refuses exactly what they refuse."""
    require(info, permission)
    pk = decode_id(id, type_name)
    if pk is None:
        return None
    return await getattr(info.context.loaders, loader).load(pk)
