"""One listening connection per server process, fanning committed changes
out to the subscriptions of its sockets.

Triggers (migration 0008) NOTIFY each change inside the transaction that
made it, so PostgreSQL delivers it only once that commits, in commit order,
to every process that listens: a subscriber on one process sees the applies
of another. The listener runs in a thread of its own (psycopg2 blocks) and
hands each notification to the event loop. Each subscription has a bounded
queue: a subscriber that does not keep up is dropped (`Overflow`) instead of
buffering without bound. When the listening connection is lost (a database
restart), the thread reconnects and every subscription gets a CATCH_UP
marker: what it missed it reads as the current state. A campaign in
hot-campaign mode is notified by id only (migration 0010); the thread
reads it once per batch of notifications that arrived together, so each
event has the true figures as of after those commits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import select
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import AsyncIterator, Optional

import psycopg2
from sqlalchemy.engine import make_url

logger = logging.getLogger("graphql_api.live")

CHANNELS = ("campaign_budget", "campaign_event")
LISTEN_WAIT_SECONDS = 5
# How the listening connection shows in pg_stat_activity.
APPLICATION_NAME = "campaign-service live listener"
# Put on every queue after the listener reconnected: notifications may have been missed.
CATCH_UP = object()
# Put on a queue that overflowed: its subscription ends.
OVERFLOW = object()


class Overflow(Exception):
    """The subscriber fell too far behind."""


@dataclass(eq=False)
class Notification:
    """One committed change, offered to every matching subscription alike:
    what is derived from it (the event a subscription yields) is worked out
    once, by the first to need it, and kept in `memo` for the others."""

    row: dict
    memo: dict = field(default_factory=dict)


@dataclass(eq=False)
class Subscription:
    channel: str
    campaign_id: Optional[int]  # None: every campaign's
    queue: asyncio.Queue
    dropped: bool = False

    def offer(self, item) -> None:
        if self.dropped:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped = True
            self.queue = asyncio.Queue(maxsize=1)  # the old one is full; only the verdict is left
            self.queue.put_nowait(OVERFLOW)


def _row(payload: str) -> dict:
    """A notified row: money exact, instants as datetimes."""
    row = json.loads(payload, parse_float=Decimal)
    for name, value in row.items():
        if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
            with contextlib.suppress(ValueError):
                row[name] = datetime.fromisoformat(value)
        elif isinstance(value, int) and name in ("discount_percentage", "discount_flat", "total_budget",
                                                  "used_budget", "min_cart_value", "max_discount_amount"):
            row[name] = Decimal(value)
    return row


def _to_read_again(channel: str, payload: str) -> Optional[int]:
    """The campaign a notification names without its figures (hot-campaign
    mode, migration 0010: no trigger sees the other slots' spending), else None."""
    if channel != "campaign_budget" or '"reread"' not in payload:
        return None
    try:
        return int(json.loads(payload)["id"])
    except (ValueError, KeyError, TypeError):
        return None


def _read_again_sql() -> tuple[str, dict]:
    from sqlalchemy import ARRAY, BigInteger, bindparam, select
    from sqlalchemy.dialects import postgresql

    from ..campaigns.models import Campaign
    from ..campaigns.records import CAMPAIGN_COLUMNS

    # The true figures, as the trigger would send them for one slot (no description).
    query = (select(*(column for column in CAMPAIGN_COLUMNS if column.key != "description"))
             .where(Campaign.id == bindparam("campaign_ids", type_=ARRAY(BigInteger)).any_()))
    compiled = query.compile(dialect=postgresql.psycopg2.dialect())
    return compiled.string, compiled.params  # the parameters the query fills itself, and campaign_ids


READ_AGAIN_SQL, _READ_AGAIN_PARAMETERS = _read_again_sql()


@dataclass
class Hub:
    database_url: str
    queue_size: int = 256
    reconnect_seconds: float = 1.0
    # By (channel, campaign id or None): a change is offered only to those who asked for it.
    _subscriptions: dict = field(default_factory=dict)
    _loop: Optional[asyncio.AbstractEventLoop] = None
    _thread: Optional[threading.Thread] = None
    _stop: threading.Event = field(default_factory=threading.Event)
    connected: threading.Event = field(default_factory=threading.Event)

    def _start(self) -> None:
        """With the first subscription: a process nobody subscribes to holds no listening connection."""
        if self._thread is None:
            self._loop = asyncio.get_running_loop()
            self._wake_read, self._wake_write = os.pipe()
            self._thread = threading.Thread(target=self._listen, name="live-listener", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            os.write(self._wake_write, b"x")  # out of its select() at once
            self._thread.join(timeout=5)
            os.close(self._wake_read)
            os.close(self._wake_write)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str, campaign_id: Optional[int] = None) -> AsyncIterator[Subscription]:
        self._start()
        subscription = Subscription(channel, campaign_id, asyncio.Queue(maxsize=self.queue_size))
        interested = self._subscriptions.setdefault((channel, campaign_id), set())
        try:
            interested.add(subscription)
            # Until the listener listens, commits would pass unseen (a first
            # subscription of the process, or the database is away: then the
            # catch-up follows once it is back).
            await asyncio.to_thread(self.connected.wait, LISTEN_WAIT_SECONDS)
            yield subscription
        finally:
            interested.discard(subscription)
            if not interested:
                self._subscriptions.pop((channel, campaign_id), None)

    def _dispatch(self, channel: str, payload: str) -> None:
        try:
            row = _row(payload)
        except ValueError:
            logger.warning("unreadable notification on %s", channel)
            return
        self._offer(channel, row)

    def _offer(self, channel: str, row: dict) -> None:
        campaign_id = row.get("campaign_id") if channel == "campaign_event" else row.get("id")
        notification = Notification(row)
        for key in ((channel, campaign_id), (channel, None)):
            for subscription in list(self._subscriptions.get(key, ())):
                subscription.offer(notification)

    def _read_again(self, connection, campaign_ids: list[int]) -> None:
        """Campaigns in hot-campaign mode, read after their notifications
        arrived, so with every change they announced: one event for all the
        changes of a campaign that arrived together."""
        with connection.cursor() as cursor:
            cursor.execute(READ_AGAIN_SQL, {**_READ_AGAIN_PARAMETERS, "campaign_ids": campaign_ids})
            names = [column.name for column in cursor.description]
            for values in cursor.fetchall():
                self._loop.call_soon_threadsafe(self._offer, "campaign_budget", dict(zip(names, values)))

    def _caught_up(self) -> None:
        for interested in list(self._subscriptions.values()):
            for subscription in list(interested):
                subscription.offer(CATCH_UP)

    def _dsn(self) -> str:
        return make_url(self.database_url).set(drivername="postgresql").render_as_string(hide_password=False)

    def _listen(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                connection = psycopg2.connect(self._dsn(), application_name=APPLICATION_NAME)
                connection.autocommit = True
                with connection.cursor() as cursor:
                    for channel in CHANNELS:
                        cursor.execute(f"LISTEN {channel}")
                self.connected.set()
                if not first:
                    logger.info("live listener reconnected; subscribers catch up")
                    self._loop.call_soon_threadsafe(self._caught_up)
                first = False
                while not self._stop.is_set():
                    if select.select([connection, self._wake_read], [], [], 5.0) == ([], [], []):
                        continue
                    connection.poll()
                    # Notifications that arrive during a read again join the
                    # list too: drained before the next wait.
                    while connection.notifies:
                        to_read: dict[int, None] = {}
                        while connection.notifies:
                            notice = connection.notifies.pop(0)
                            campaign_id = _to_read_again(notice.channel, notice.payload)
                            if campaign_id is not None:
                                to_read[campaign_id] = None
                            else:
                                self._loop.call_soon_threadsafe(self._dispatch, notice.channel, notice.payload)
                        if to_read:
                            self._read_again(connection, list(to_read))
                connection.close()
            except (psycopg2.Error, OSError):
                self.connected.clear()
                if not self._stop.is_set():
                    logger.warning("live listener lost its connection; reconnecting")
                    self._stop.wait(self.reconnect_seconds)
