"""Token buckets of query-cost points, in memory or shared through Redis.

Each caller has a bucket of `capacity` points that refills at `restore_rate`
points a second, as Shopify's GraphQL Admin API does. A request takes its
requested cost up front and gets back what it did not use.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from typing import Optional, Protocol

logger = logging.getLogger("graphql_api.ratelimit")


@dataclass(frozen=True)
class BucketLimits:
    capacity: float
    restore_rate: float  # points a second


@dataclass(frozen=True)
class Draw:
    allowed: bool
    available: float  # points left after this draw (or now, when refused)
    retry_after: float  # seconds until the requested points would be there


class Buckets(Protocol):
    async def take(self, key: str, points: float, limits: BucketLimits) -> Draw: ...

    async def give(self, key: str, points: float, limits: BucketLimits) -> float: ...

    async def debit(self, key: str, points: float, limits: BucketLimits) -> float:
        """Takes `points` whether the bucket holds them or not, into debt down
        to -capacity (a penalty found after the work was done); the points left."""
        ...

    async def peek(self, key: str, limits: BucketLimits) -> float:
        """The points in the bucket now, taking none."""
        ...

    async def close(self) -> None: ...


def _refill(tokens: float, updated: float, now: float, limits: BucketLimits) -> float:
    return min(limits.capacity, tokens + max(0.0, now - updated) * limits.restore_rate)


def _retry_after(missing: float, limits: BucketLimits) -> float:
    return missing / limits.restore_rate if limits.restore_rate > 0 else math.inf


class MemoryBuckets:
    """One process's buckets. With several workers each has its own: set
    REDIS_URL to share them."""

    # Past this many buckets, full ones are forgotten (a full bucket and a new
    # one are the same thing), so many client addresses cannot grow memory.
    PRUNE_ABOVE = 10_000

    # No lock: each method runs to its end without awaiting anything, on the
    # process's one event loop, so no other request can interleave.

    def __init__(self, clock=time.monotonic):
        self._state: dict[str, tuple[float, float]] = {}
        self._clock = clock

    def _prune(self, now: float, limits: BucketLimits) -> None:
        if len(self._state) > self.PRUNE_ABOVE:
            self._state = {
                key: (tokens, updated)
                for key, (tokens, updated) in self._state.items()
                if _refill(tokens, updated, now, limits) < limits.capacity
            }

    async def take(self, key: str, points: float, limits: BucketLimits) -> Draw:
        now = self._clock()
        self._prune(now, limits)
        tokens, updated = self._state.get(key, (limits.capacity, now))
        tokens = _refill(tokens, updated, now, limits)
        if tokens >= points:
            self._state[key] = (tokens - points, now)
            return Draw(True, tokens - points, 0.0)
        self._state[key] = (tokens, now)
        return Draw(False, tokens, _retry_after(points - tokens, limits))

    async def give(self, key: str, points: float, limits: BucketLimits) -> float:
        now = self._clock()
        tokens, updated = self._state.get(key, (limits.capacity, now))
        tokens = min(limits.capacity, _refill(tokens, updated, now, limits) + points)
        self._state[key] = (tokens, now)
        return tokens

    async def debit(self, key: str, points: float, limits: BucketLimits) -> float:
        now = self._clock()
        tokens, updated = self._state.get(key, (limits.capacity, now))
        tokens = max(-limits.capacity, _refill(tokens, updated, now, limits) - points)
        self._state[key] = (tokens, now)
        return tokens

    async def peek(self, key: str, limits: BucketLimits) -> float:
        now = self._clock()
        tokens, updated = self._state.get(key, (limits.capacity, now))
        return _refill(tokens, updated, now, limits)

    async def close(self) -> None:
        return None


# Atomic refill-and-take in Redis, on Redis's own clock so that every server
# process agrees on time. KEYS[1] bucket; ARGV: points, capacity, rate, mode
# ("take", "give", "debit" or "peek"). Returns {allowed, tokens * 1000}.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local points = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local allowed = 1
if ARGV[4] == 'peek' then
  return {1, math.floor(tokens * 1000)}
elseif ARGV[4] == 'give' then
  tokens = math.min(capacity, tokens + points)
elseif ARGV[4] == 'debit' then
  tokens = math.max(-capacity, tokens - points)
elseif tokens >= points then
  tokens = tokens - points
else
  allowed = 0
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'updated', now)
local ttl = 60
if rate > 0 then ttl = math.ceil(capacity / rate) + 60 end
redis.call('EXPIRE', KEYS[1], ttl)
return {allowed, math.floor(tokens * 1000)}
"""


class RedisBuckets:
    """Buckets shared by every process that points at the same Redis."""

    def __init__(self, url: str, prefix: str = "campaign-service:bucket:", timeout_seconds: float = 0.1):
        import redis.asyncio as redis  # imported only when REDIS_URL is set

        self._redis = redis.Redis.from_url(url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds)
        self._script = self._redis.register_script(_SCRIPT)
        self._prefix = prefix

    async def _run(self, key: str, points: float, limits: BucketLimits, mode: str) -> tuple[bool, float]:
        allowed, milli_tokens = await self._script(
            keys=[self._prefix + key], args=[points, limits.capacity, limits.restore_rate, mode]
        )
        return bool(allowed), milli_tokens / 1000

    async def take(self, key: str, points: float, limits: BucketLimits) -> Draw:
        allowed, tokens = await self._run(key, points, limits, "take")
        if allowed:
            return Draw(True, tokens, 0.0)
        return Draw(False, tokens, _retry_after(points - tokens, limits))

    async def give(self, key: str, points: float, limits: BucketLimits) -> float:
        return (await self._run(key, points, limits, "give"))[1]

    async def debit(self, key: str, points: float, limits: BucketLimits) -> float:
        return (await self._run(key, points, limits, "debit"))[1]

    async def peek(self, key: str, limits: BucketLimits) -> float:
        return (await self._run(key, 0, limits, "peek"))[1]

    async def close(self) -> None:
        await self._redis.aclose()


FALLBACKS = ("local", "open", "closed")


class ResilientBuckets:
    """Redis buckets behind a circuit breaker. A Redis call that fails or
    takes longer than `timeout_seconds` opens the circuit: for
    `retry_seconds` no request waits on Redis, and draws follow `fallback`:
    "local" uses this process's own buckets (limits hold per process),
    "open" lets every request through, "closed" refuses every draw. Then one
    request tries Redis again, the others staying on the fallback until it
    answers. The change of state is logged, not each draw. A call that timed
    out may still run in Redis once it answers, so a request can be charged
    both there and locally: the fallback errs towards charging."""

    def __init__(self, redis: Buckets, fallback: str = "local", timeout_seconds: float = 0.1,
                 retry_seconds: float = 5.0, clock=time.monotonic):
        if fallback not in FALLBACKS:
            raise ValueError(f"fallback must be one of {FALLBACKS}")
        self.redis = redis
        self.local = MemoryBuckets(clock)
        self.fallback = fallback
        self.timeout_seconds = timeout_seconds
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._open_until: Optional[float] = None
        self._probing = False
        self.redis_failures = 0  # calls that failed or timed out, for tests and metrics

    def _use_redis(self) -> bool:
        """Closed circuit: yes. Open: no, until it is time for one probe."""
        if self._open_until is None:
            return True
        if self._probing or self._clock() < self._open_until:
            return False
        self._probing = True
        return True

    def _trip(self, error: BaseException) -> None:
        self.redis_failures += 1
        if self._open_until is None:
            logger.warning("rate limiter: Redis unavailable (%s); %s until it answers again",
                           error.__class__.__name__,
                           {"local": "using per-process buckets", "open": "letting requests through",
                            "closed": "refusing requests"}[self.fallback])
        self._open_until = self._clock() + self.retry_seconds

    def _recovered(self) -> None:
        if self._open_until is not None:
            self._open_until = None
            logger.warning("rate limiter: Redis answers again; buckets are shared again")

    async def _redis_call(self, call):
        try:
            result = await asyncio.wait_for(call, self.timeout_seconds)
        except (asyncio.TimeoutError, OSError, ConnectionError, _redis_errors()) as error:
            self._trip(error)
            return None
        finally:
            self._probing = False
        self._recovered()
        return result

    async def _draw(self, operation: str, *args, open_answer, closed_answer):
        """`operation` ("take", "give", "debit" or "peek") on Redis while the circuit is
        closed, else as the fallback says."""
        if self._use_redis():
            answer = await self._redis_call(getattr(self.redis, operation)(*args))
            if answer is not None:
                return answer
        if self.fallback == "local":
            return await getattr(self.local, operation)(*args)
        return open_answer if self.fallback == "open" else closed_answer

    async def take(self, key: str, points: float, limits: BucketLimits) -> Draw:
        return await self._draw("take", key, points, limits, open_answer=Draw(True, limits.capacity, 0.0),
                                closed_answer=Draw(False, 0.0, max(1.0, self.retry_seconds)))

    async def give(self, key: str, points: float, limits: BucketLimits) -> float:
        return await self._draw("give", key, points, limits, open_answer=limits.capacity, closed_answer=0.0)

    async def debit(self, key: str, points: float, limits: BucketLimits) -> float:
        return await self._draw("debit", key, points, limits, open_answer=limits.capacity, closed_answer=0.0)

    async def peek(self, key: str, limits: BucketLimits) -> float:
        return await self._draw("peek", key, limits, open_answer=limits.capacity, closed_answer=0.0)

    async def close(self) -> None:
        await self.redis.close()


def _redis_errors() -> type:
    from redis.exceptions import RedisError

    return RedisError


def make_buckets(redis_url: Optional[str], fallback: str = "local", timeout_seconds: float = 0.1) -> Buckets:
    if not redis_url:
        return MemoryBuckets()
    return ResilientBuckets(RedisBuckets(redis_url, timeout_seconds=timeout_seconds), fallback, timeout_seconds)
