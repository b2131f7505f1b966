"""Webhook queries and mutations: parse, call the service, map."""

from __future__ import annotations

from typing import Optional

from ...access.roles import Permission
from ...webhooks.service import CreatedWebhook, create_webhook, webhooks_page
from ..context import Info
from ..errors import user_errors
from ..pagination import Connection, page_request, to_connection
from ..permissions import require
from .types import CreateWebhookInput, CreateWebhookPayload, Webhook


async def webhooks(info: Info, first: Optional[int] = 20, after: Optional[str] = None) -> Connection[Webhook]:
    require(info, Permission.MANAGE_WEBHOOKS)
    page = await info.context.database.read(webhooks_page, page_request(first, after))
    return to_connection(page, Webhook.from_record)


async def create_webhook_mutation(info: Info, input: CreateWebhookInput) -> CreateWebhookPayload:
    context = info.context
    result = await create_webhook(context.database, input.url, [kind.value for kind in input.events], context.now,
                                  context.settings.webhook_allow_private_addresses,
                                  context.settings.webhook_timeout_seconds)
    if isinstance(result, CreatedWebhook):
        return CreateWebhookPayload(webhook=Webhook.from_record(result.webhook), secret=result.secret, user_errors=[])
    return CreateWebhookPayload(webhook=None, secret=None, user_errors=user_errors(result))
