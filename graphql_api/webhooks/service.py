"""Webhook use cases: create one, list them, read a webhook's delivery log."""

from __future__ import annotations

import concurrent.futures
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence, Union
from urllib.parse import urlsplit

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..core.errors import ErrorCode, UserError
from ..core.webhooks import address_allowed, webhook_errors
from ..db.database import Database
from ..pagination import Page, PageRequest, fetch_page, fetch_pages_by
from .models import Webhook, WebhookDelivery


@dataclass(frozen=True)
class WebhookRecord:
    id: int
    url: str
    events: list[str]
    created_at: datetime


@dataclass(frozen=True)
class CreatedWebhook:
    webhook: WebhookRecord
    secret: str  # shown this once


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    webhook_id: int
    event_id: int
    created_at: datetime
    attempts: int
    next_attempt_at: Optional[datetime]
    delivered_at: Optional[datetime]
    last_status: Optional[int]
    last_error: Optional[str]


WEBHOOK_COLUMNS = (Webhook.id, Webhook.url, Webhook.events, Webhook.created_at)
DELIVERY_COLUMNS = (WebhookDelivery.id, WebhookDelivery.webhook_id, WebhookDelivery.event_id,
                    WebhookDelivery.created_at, WebhookDelivery.attempts, WebhookDelivery.next_attempt_at,
                    WebhookDelivery.delivered_at, WebhookDelivery.last_status, WebhookDelivery.last_error)


def webhook_record(row) -> WebhookRecord:
    return WebhookRecord(row.id, row.url, list(row.events), row.created_at)


def delivery_record(row) -> DeliveryRecord:
    return DeliveryRecord(row.id, row.webhook_id, row.event_id, row.created_at, row.attempts, row.next_attempt_at,
                          row.delivered_at, row.last_status, row.last_error)


# getaddrinfo cannot be interrupted: lookups run on threads of their own, so
# that a caller gives up on one at its deadline, and a resolver that hangs
# ties up these few threads (later lookups wait for them, then time out).
_LOOKUPS = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


def _lookup(host: str, port: int) -> list[str]:
    try:
        # In the resolver's order of preference (RFC 6724), each once: the post tries them in turn.
        return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
    except (socket.gaierror, UnicodeError):
        return []


def resolved_addresses(url: str, timeout: float) -> Optional[list[str]]:
    """Every address the URL's host resolves to (blocking), or None when the
    lookup takes longer than `timeout` seconds."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    lookup = _LOOKUPS.submit(_lookup, parts.hostname, port)
    try:
        return lookup.result(timeout)
    except concurrent.futures.TimeoutError:
        lookup.cancel()  # one still queued never runs
        return None


def destination_error(url: str, allow_private: bool, timeout: float) -> Optional[str]:
    """Why the URL may not be called now, or None. Checked when the webhook
    is created and again before every delivery (a name may point elsewhere
    by then), on the addresses the delivery then connects to (transport.py)."""
    return addresses_error(resolved_addresses(url, timeout), allow_private)


def addresses_error(addresses: Optional[Sequence[str]], allow_private: bool) -> Optional[str]:
    if addresses is None:
        return "The url's host did not resolve in time."
    if not addresses:
        return "The url's host does not resolve."
    if not all(address_allowed(address, allow_private) for address in addresses):
        return "The url points to a loopback, private or reserved address."
    return None


def create_webhook_in_transaction(session: Session, url: str, events: Sequence[str], now: datetime) -> CreatedWebhook:
    secret = "whsec_" + secrets.token_urlsafe(32)
    row = session.execute(insert(Webhook).values(url=url, events=sorted(set(events)), secret=secret, created_at=now)
                          .returning(*WEBHOOK_COLUMNS)).one()
    return CreatedWebhook(webhook_record(row), secret)


async def create_webhook(database: Database, url: str, events: Sequence[str], now: datetime,
                         allow_private: bool, lookup_timeout: float) -> Union[CreatedWebhook, list[UserError]]:
    import anyio

    errors = webhook_errors(url, events)
    if errors:
        return errors
    refused = await anyio.to_thread.run_sync(destination_error, url, allow_private, lookup_timeout)
    if refused is not None:
        return [UserError(ErrorCode.INVALID_INPUT, refused, ("url",))]
    return await database.write(create_webhook_in_transaction, url, events, now)


def webhooks_page(session: Session, request: PageRequest) -> Page[WebhookRecord]:
    query = select(*WEBHOOK_COLUMNS).where(Webhook.deleted_at.is_(None))
    return fetch_page(session, query, Webhook.id, request, webhook_record)


def delivery_pages(session: Session, webhook_ids: Sequence[int], request: PageRequest) -> dict[int, Page[DeliveryRecord]]:
    """Each webhook's delivery log, newest first."""
    return fetch_pages_by(session, DELIVERY_COLUMNS, WebhookDelivery.webhook_id, WebhookDelivery.id, webhook_ids,
                          request, delivery_record, newest_first=True)
