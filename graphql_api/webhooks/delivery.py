"""Delivering the outbox: every server process runs one worker thread that
claims due deliveries, posts them, and records what happened.

Claiming takes rows `FOR UPDATE SKIP LOCKED` and leases them (moves their
next attempt past the time a post may take) in one short transaction, so
processes share the work without meeting and no transaction is open while
an endpoint answers. A process that dies mid-post leaves its lease to run
out, and another one posts again: deliveries are at least once, and each
carries its event's id (X-Event-Id) for the receiver to drop repeats.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from typing import Optional

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ..core.calendar import format_instant
from ..core.webhooks import retry_delay
from ..db.database import make_engine, transaction_limits
# The payload speaks the API's language: its ids and field names are the API's.
from ..graphql.audit.types import api_change
from ..graphql.ids import encode_id
from ..observability import metrics
from .transport import post

logger = logging.getLogger("graphql_api.webhooks")

BATCH = 20
LOCK_NOT_AVAILABLE = "55P03"
# A worker never holds up anyone else's lock for long.
WORKER_LOCK_TIMEOUT_MS = 200
POLL_SECONDS = 0.5
# A batch's posts run one after another, each within the timeout (transport.py):
# its lease outlives the last of them, so no other process claims a row still queued here.
LEASE_MARGIN_SECONDS = 30

ANY_WEBHOOK = text("SELECT EXISTS (SELECT 1 FROM webhooks WHERE deleted_at IS NULL)")
CLAIM = text("""
    WITH due AS (
        SELECT id FROM webhook_deliveries
        WHERE delivered_at IS NULL AND next_attempt_at <= now()
        ORDER BY next_attempt_at, id LIMIT :batch FOR UPDATE SKIP LOCKED)
    UPDATE webhook_deliveries d SET attempts = d.attempts + 1,
                                    next_attempt_at = now() + make_interval(secs => :lease)
    FROM due, webhooks w, campaign_events e
    WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id
    RETURNING d.id, d.attempts, d.event_id, w.url, w.secret,
              e.campaign_id, e.kind, e.at, e.actor, e.changes, e.threshold""")
DELIVERED = text("""UPDATE webhook_deliveries SET delivered_at = now(), next_attempt_at = NULL,
                    last_status = :status, last_error = NULL WHERE id = :id""")
FAILED = text("""UPDATE webhook_deliveries SET next_attempt_at = now() + make_interval(secs => :delay),
                 last_status = :status, last_error = :error WHERE id = :id""")


def event_body(event_id: int, row) -> bytes:
    """The delivery's body: the CampaignEvent as the API shows it."""
    return json.dumps({
        "id": encode_id("CampaignEvent", event_id), "kind": row.kind,
        "campaignId": encode_id("Campaign", row.campaign_id), "at": format_instant(row.at), "actor": row.actor,
        "threshold": row.threshold, "changes": [api_change(change) for change in row.changes],
    }, separators=(",", ":")).encode()


class DeliveryWorker:
    def __init__(self, database_url: str, timeout_seconds: float, allow_private: bool,
                 transaction_pooler: bool = False):
        self.database_url = database_url
        self.transaction_pooler = transaction_pooler
        self.timeout_seconds = timeout_seconds
        self.allow_private = allow_private
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="webhook-deliveries", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_seconds + 5)

    def _run(self) -> None:
        # Its own small pool: the requests' pool stays theirs.
        engine = make_engine(self.database_url, pool_size=1, max_overflow=0,
                             connect_args={} if self.transaction_pooler
                             else {"options": f"-c lock_timeout={WORKER_LOCK_TIMEOUT_MS}"})
        unreachable = False
        try:
            while not self._stop.is_set():
                try:
                    worked = self._round(engine)
                    if unreachable:
                        logger.info("webhook deliveries: database reachable again")
                    unreachable = False
                except OperationalError as error:
                    if getattr(error.orig, "pgcode", None) == LOCK_NOT_AVAILABLE:
                        worked = False  # a table held by someone else (a TRUNCATE, say): next round
                        self._stop.wait(POLL_SECONDS)
                        continue
                    # An outage: the database's own log line says so; one line here, no traceback.
                    if not unreachable:
                        logger.warning("webhook deliveries paused: database unreachable")
                    unreachable, worked = True, False
                except Exception:
                    logger.warning("webhook delivery round failed; trying again", exc_info=True)
                    worked = False
                if not worked:
                    self._stop.wait(POLL_SECONDS)
        finally:
            engine.dispose()

    @contextlib.contextmanager
    def _transaction(self, engine):
        with engine.begin() as connection:
            if self.transaction_pooler:  # no startup options there: the limit goes with each transaction
                connection.exec_driver_sql(transaction_limits(WORKER_LOCK_TIMEOUT_MS, 0))
            yield connection

    def _round(self, engine) -> bool:
        with self._transaction(engine) as connection:
            if not connection.execute(ANY_WEBHOOK).scalar():
                return False
            # Each claimed delivery with its endpoint and its event, in the one statement.
            claimed = connection.execute(CLAIM, {"batch": BATCH,
                                                 "lease": BATCH * self.timeout_seconds + LEASE_MARGIN_SECONDS}).all()
        for row in claimed:
            outcome = post(row.url, row.secret, row.event_id, row.attempts, event_body(row.event_id, row),
                           self.timeout_seconds, self.allow_private)
            metrics.WEBHOOK_DELIVERIES.labels("delivered" if outcome.delivered else "failed").inc()
            with self._transaction(engine) as connection:
                if outcome.delivered:
                    connection.execute(DELIVERED, {"id": row.id, "status": outcome.status})
                else:
                    connection.execute(FAILED, {"id": row.id, "status": outcome.status, "error": outcome.error,
                                                "delay": retry_delay(row.attempts)})
        return bool(claimed)

