"""Turns an Authorization header into a Caller, with a short cache so that a
busy key costs one lookup every few seconds, not one per request."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Callable, NamedTuple, Optional

from ..database import Database
from .keys import ApiKeyRecord, Caller, key_by_public_id, secret_matches, split_key


class Unauthenticated(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _CachedKey(NamedTuple):
    looked_up_at: float
    record: ApiKeyRecord
    caller: Caller  # frozen, so one instance serves every request with the key


class Authenticator:
    def __init__(self, database: Database, cache_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.database = database
        self.cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[str, _CachedKey] = {}
        self._lookups: dict[str, asyncio.Future] = {}

    def _fresh(self, public_id: str) -> Optional[_CachedKey]:
        cached = self._cache.get(public_id)
        if cached is not None and self._clock() - cached.looked_up_at < self.cache_seconds:
            return cached
        return None

    async def _looked_up(self, public_id: str) -> Optional[_CachedKey]:
        # When the entry expires, every request in flight with that key finds
        # it expired at once; they share one lookup instead of queueing dozens
        # for the connection pool (which stalled all traffic every few seconds).
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

    async def _look_up(self, public_id: str) -> Optional[_CachedKey]:
        record = await self.database.read(key_by_public_id, public_id, datetime.now(timezone.utc))
        if record is None:
            return None
        if len(self._cache) > 10_000:
            self._cache.clear()
        caller = Caller(key_id=record.id, public_id=record.public_id, name=record.name, role=record.role)
        cached = self._cache[public_id] = _CachedKey(self._clock(), record, caller)
        return cached

    async def authenticate(self, authorization: Optional[str]) -> Caller:
        """The caller, or Unauthenticated with a message that says what to fix.
        Revocation takes effect within `cache_seconds`."""
        if not authorization:
            raise Unauthenticated("An API key is required: send `Authorization: Bearer <key>`.")
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthenticated("Send the API key as `Authorization: Bearer <key>`.")
        parts = split_key(key.strip())
        if parts is None:
            raise Unauthenticated("The API key is not valid.")
        public_id, secret = parts
        known = self._fresh(public_id) or await self._looked_up(public_id)
        if known is None or not secret_matches(known.record, secret):
            raise Unauthenticated("The API key is not valid.")
        if known.record.revoked_at is not None:
            raise Unauthenticated("The API key has been revoked.")
        return known.caller
