"""Turns an Authorization header into a Caller, with a short cache so that a
busy key costs one lookup every few seconds, not one per request."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable, Optional

from ..database import Database
from .keys import ApiKeyRecord, Caller, key_by_public_id, secret_matches, split_key


class Unauthenticated(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Authenticator:
    def __init__(self, database: Database, cache_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.database = database
        self.cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, ApiKeyRecord]] = {}

    async def _record(self, public_id: str) -> Optional[ApiKeyRecord]:
        cached = self._cache.get(public_id)
        if cached is not None and self._clock() - cached[0] < self.cache_seconds:
            return cached[1]
        record = await self.database.read(key_by_public_id, public_id, datetime.now(timezone.utc))
        if record is not None:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[public_id] = (self._clock(), record)
        return record

    async def authenticate(self, authorization: Optional[str]) -> Caller:
        """The caller, or Unauthenticated with a message that says what to fix.
        Revocation takes effect within `cache_seconds`."""
        if not authorization:
            raise Unauthenticated("An API key is required: send `Authorization: Bearer <key>`.")
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthenticated("Send the API key as `Authorization: Bearer <key>`.")
        parts = split_key(key.strip())
        record = await self._record(parts[0]) if parts else None
        if record is None or not secret_matches(record, parts[1]):
            raise Unauthenticated("The API key is not valid.")
        if record.revoked_at is not None:
            raise Unauthenticated("The API key has been revoked.")
        return Caller(key_id=record.id, public_id=record.public_id, name=record.name, role=record.role)
