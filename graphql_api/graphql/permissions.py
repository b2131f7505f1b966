"""Field permissions by role. A refused field is a FORBIDDEN error on that
field; the rest of the response still resolves."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from ..access.roles import Permission, allows


class CanManageCampaigns(BasePermission):
    message = "This API key's role may not create, change or delete campaigns."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info, **kwargs: Any) -> bool:
        caller = info.context.caller
        return caller is not None and allows(caller.role, Permission.MANAGE_CAMPAIGNS)
