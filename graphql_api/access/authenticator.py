"""Turns an Authorization header into a Caller.

A short cache makes a busy key cost one lookup every few seconds, not one per
request; unknown key ids are cached too. Failed attempts are charged to the
client address's bucket, and a client with none left is refused before any
database work, so guessing keys costs the database nothing. A valid key is
never charged, nor is an attempt the database could not answer. (The throttle
guards the service's work; the 256-bit secret is what makes guessing hopeless.)"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from datetime import datetime, timezone
from typing import Callable, NamedTuple, Optional

from ..db.database import Database
from .ratelimit import BucketLimits, Buckets
from .keys import LAST_USED_RESOLUTION, ApiKeyRecord, Caller, key_by_public_id, note_use, secret_matches, split_key

logger = logging.getLogger("graphql_api.access")

# Compared against when the key id is unknown, so that refusing an unknown id
# costs the same hashing as refusing a wrong secret.
_NOBODY = ApiKeyRecord(id=0, public_id="", name="", role=None, secret_hash="0" * 64,  # type: ignore[arg-type]
                       created_at=None, last_used_at=None, revoked_at=None)  # type: ignore[arg-type]


class Unauthenticated(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Throttled(Exception):
    """Too many failed attempts from this client; retry after `retry_after` s."""

    def __init__(self, retry_after: float):
        super().__init__("throttled")
        self.retry_after = max(1, math.ceil(retry_after)) if math.isfinite(retry_after) else 60


class _CachedKey(NamedTuple):
    looked_up_at: float
    record: Optional[ApiKeyRecord]  # None: no such key id
    caller: Optional[Caller]  # frozen, so one instance serves every request with the key


class Authenticator:
    MAX_CACHED = 10_000

    def __init__(self, database: Database, cache_seconds: float, buckets: Buckets, failure_limits: BucketLimits,
                 clock: Callable[[], float] = time.monotonic):
        self.database = database
        self.cache_seconds = cache_seconds
        self.buckets = buckets
        self.failure_limits = failure_limits
        self._clock = clock
        self._cache: dict[str, _CachedKey] = {}
        self._lookups: dict[str, asyncio.Future] = {}

    def _fresh(self, public_id: str) -> Optional[_CachedKey]:
        cached = self._cache.get(public_id)
        if cached is not None and self._clock() - cached.looked_up_at < self.cache_seconds:
            return cached
        return None

    async def _looked_up(self, public_id: str) -> _CachedKey:
        # When the entry expires, every request in flight with that key finds
        # it expired at once; they share one lookup instead of queueing dozens
        # for the connection pool.
        lookup = self._lookups.get(public_id)
        if lookup is None:
            lookup = self._lookups[public_id] = asyncio.ensure_future(self._look_up(public_id))
            lookup.add_done_callback(lambda done: self._forget_lookup(public_id, done))
        # Shielded: a caller that gives up does not cancel the others' lookup.
        return await asyncio.shield(lookup)

    def _forget_lookup(self, public_id: str, done: asyncio.Future) -> None:
        self._lookups.pop(public_id, None)
        if not done.cancelled():
            done.exception()  # retrieved here too, in case every caller gave up

    async def _look_up(self, public_id: str) -> _CachedKey:
        record = await self.database.read(key_by_public_id, public_id)
        if len(self._cache) > self.MAX_CACHED:
            self._cache.clear()
        caller = None
        if record is not None:
            caller = Caller(key_id=record.id, public_id=record.public_id, name=record.name, role=record.role)
        cached = self._cache[public_id] = _CachedKey(self._clock(), record, caller)
        return cached

    async def _admit_lookup(self, client: str) -> None:
        """Before database work for an unknown caller: refused when the
        client has no failed attempt left."""
        try:
            left = await self.buckets.peek(f"auth:{client}", self.failure_limits)
        except Exception:  # the buckets degrade by themselves; this is the last guard against a 500
            logger.warning("failed-authentication throttle unavailable", exc_info=True)
            return
        if left < 1:
            limits = self.failure_limits
            raise Throttled((1 - left) / limits.restore_rate if limits.restore_rate > 0 else math.inf)

    async def _refuse(self, client: str, message: str):
        """Charges the failed attempt, then refuses it (429 once none are left)."""
        try:
            draw = await self.buckets.take(f"auth:{client}", 1, self.failure_limits)
        except Exception:
            logger.warning("failed-authentication throttle unavailable", exc_info=True)
            draw = None
        if draw is not None and not draw.allowed:
            raise Throttled(draw.retry_after)
        raise Unauthenticated(message)

    async def authenticate(self, authorization: Optional[str], client: str) -> Caller:
        """The caller, or Unauthenticated with a message that says what to fix,
        or Throttled when `client` has failed too often. Revocation takes
        effect within `cache_seconds`."""
        if not authorization:
            await self._refuse(client, "An API key is required: send `Authorization: Bearer <key>`.")
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            await self._refuse(client, "Send the API key as `Authorization: Bearer <key>`.")
        parts = split_key(key.strip())
        if parts is None:
            await self._refuse(client, "The API key is not valid.")
        public_id, secret = parts
        known = self._fresh(public_id)
        looked_up_now = known is None
        if known is None:
            await self._admit_lookup(client)
            known = await self._looked_up(public_id)  # DatabaseUnavailable: no charge, a 503
        record = known.record
        # The same work either way (one hash, one charge), so the time to
        # refuse does not tell whether the key id exists.
        matches = secret_matches(record or _NOBODY, secret)
        if record is None or not matches:
            await self._refuse(client, "The API key is not valid.")
        if record.revoked_at is not None:
            await self._refuse(client, "The API key has been revoked.")
        if looked_up_now:
            await self._note_use(record)
        return known.caller

    async def _note_use(self, record: ApiKeyRecord) -> None:
        now = datetime.now(timezone.utc)
        if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
            # A write, with the writes' lock and statement limits (in pooler mode too).
            await self.database.write(note_use, record.id, now)
