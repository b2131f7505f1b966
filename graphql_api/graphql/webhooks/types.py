"""Webhooks as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

import strawberry

from ...webhooks.service import DeliveryRecord, WebhookRecord
from ..audit.types import CampaignEventKind
from ..context import Info
from ..cost_directives import CONNECTION
from ..errors import UserError
from ..ids import encode_id
from ..pagination import AFTER, FIRST, Connection, page_request, to_connection


@strawberry.type(description="One audit entry to deliver to a webhook: the outbox and its log.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Opaque.")
    event_id: strawberry.ID = strawberry.field(
        description="The CampaignEvent delivered; the receiver's X-Event-Id, to drop repeats by.")
    created_at: datetime = strawberry.field(description="When the event was queued (its transaction).")
    attempts: int = strawberry.field(description="Posts so far.")
    delivered_at: Optional[datetime] = strawberry.field(description="When the endpoint took it (2xx); null before.")
    next_attempt_at: Optional[datetime] = strawberry.field(description="When it is tried next; null once delivered.")
    last_status: Optional[int] = strawberry.field(description="The HTTP status of the last post; null without one.")
    last_error: Optional[str] = strawberry.field(description="Why the last post failed, if it did.")

    @classmethod
    def from_record(cls, record: DeliveryRecord) -> "WebhookDelivery":
        return cls(id=strawberry.ID(encode_id("WebhookDelivery", record.id)),
                   event_id=strawberry.ID(encode_id("CampaignEvent", record.event_id)), created_at=record.created_at,
                   attempts=record.attempts, delivered_at=record.delivered_at, next_attempt_at=record.next_attempt_at,
                   last_status=record.last_status, last_error=record.last_error)


@strawberry.type(description=(
    "An endpoint of the shop that receives audit entries as signed POSTs: at least once, retried with backoff."))
class Webhook:
    id: strawberry.ID = strawberry.field(description="Opaque.")
    url: str = strawberry.field(description="Where the entries are posted.")
    events: list[CampaignEventKind] = strawberry.field(description="The kinds of entry it receives.")
    created_at: datetime = strawberry.field(description="When it was created.")
    pk: strawberry.Private[int]

    @classmethod
    def from_record(cls, record: WebhookRecord) -> "Webhook":
        return cls(id=strawberry.ID(encode_id("Webhook", record.id)), url=record.url,
                   events=[CampaignEventKind(kind) for kind in record.events], created_at=record.created_at,
                   pk=record.id)

    @strawberry.field(description="Its deliveries, newest first.", directives=[CONNECTION])
    async def deliveries(
        self, info: Info,
        first: Annotated[Optional[int], strawberry.argument(description=FIRST)] = 20,
        after: Annotated[Optional[str], strawberry.argument(description=AFTER)] = None,
    ) -> Connection[WebhookDelivery]:
        page = await info.context.loaders.delivery_page_by_webhook.load((self.pk, page_request(first, after)))
        return to_connection(page, WebhookDelivery.from_record)


@strawberry.input(description="A new webhook.")
class CreateWebhookInput:
    url: str = strawberry.field(description=(
        "An http or https URL. Loopback, private and reserved addresses are refused unless "
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES is set; redirects are not followed."))
    events: list[CampaignEventKind] = strawberry.field(description="One or more kinds of audit entry to receive.")


@strawberry.type(description="What createWebhook answers.")
class CreateWebhookPayload:
    webhook: Optional[Webhook] = strawberry.field(description="The webhook; null with userErrors.")
    secret: Optional[str] = strawberry.field(description=(
        "The key of its signatures, shown this once: X-Signature is t=<unix time>,v1=<hex HMAC-SHA256 of "
        "\"<t>.<body>\" with it>."))
    user_errors: list[UserError] = strawberry.field(description="Every problem found; empty on success.")
